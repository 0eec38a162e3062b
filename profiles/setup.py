"""Roles and pages profiles needs in every database (idempotent; runs after migrate)."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from wagtail.models import GroupPagePermission, WorkflowPage

from hub.models import HomePage
from profiles.models import CitiesIndexPage, CityPage
from profiles.services import COORDINATORS_GROUP, city_approval_workflow_ensure

COORDINATOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("profiles", "verify_organisation"),
    ("profiles", "view_organisation"),
    ("profiles", "change_organisation"),
    ("profiles", "view_membership"),
    ("wagtail_localize", "submit_translation"),  # translate pages (issue 16 §7)
    *[
        (app, f"{action}_{model}")
        for app, model in [
            ("hub", "theme"),
            ("hub", "instrument"),
            ("hub", "sdggoal"),
            ("hub", "sdgtarget"),
            ("hub", "sdgindicator"),
            ("hub", "method"),
            ("hub", "groupatrisk"),
            ("hub", "country"),
            ("hub", "language"),
        ]
        for action in ("add", "change", "delete", "view")
    ],
]


def ensure_roles_and_pages(**kwargs) -> None:
    """The network coordinators group and the /cities/ index page."""
    # auth's own post_migrate handler may not have run for these apps yet.
    for app_label in {app_label for app_label, _codename in COORDINATOR_PERMISSIONS}:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    for app_label, codename in COORDINATOR_PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission:
            group.permissions.add(permission)

    home = HomePage.objects.first()
    if home is None:
        return
    if not CitiesIndexPage.objects.exists():
        home.add_child(
            instance=CitiesIndexPage(
                title="Cities",
                slug="cities",
                intro="Local and regional governments that commission human-rights research on Bridges.",
            )
        )
    # Coordinators curate editorial pages across the site.
    for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    repair_city_workflows()


def repair_city_workflows() -> None:
    """City pages whose moderation workflow lost (or never saved) its approval task get it back.

    Databases made before that fix would otherwise let "Submit for moderation" publish at once.
    One query when nothing needs repair.
    """
    broken = WorkflowPage.objects.filter(
        page__in=CityPage.objects.values("pk"), workflow__workflow_tasks__isnull=True
    ).values_list("page_id", flat=True)
    for city_page in CityPage.objects.filter(pk__in=list(broken)).select_related("organisation"):
        city_approval_workflow_ensure(organisation=city_page.organisation, city_page=city_page)
