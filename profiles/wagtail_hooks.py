"""Organisations and memberships in the Wagtail admin, with the coordinators' verify action; the admin API's
images and documents limited to those the user may choose or change; account changes through allauth; and what
profiles answers to the hooks of hub pages (hub/hooks.py lists them)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.account import BaseSettingsPanel
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import GroupApprovalTask
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup

from profiles import contributions, exports, notify, personal_data
from profiles.admin_views import verify_organisation
from profiles.models import Membership, Organisation
from profiles.services import is_coordinator


class VisibleOrganisationsOnly:
    """Wagtail's snippet chooser lists every organisation to every admin user; others than coordinators are
    offered only verified (public) organisations.

    Stricter than ``organisations_visible_to``, which adds the unverified organisations one belongs to: the
    chooser's search may filter only on indexed fields, and no admin form of a city's editors chooses one.
    """

    def get_object_list(self):
        organisations = Organisation.objects.all()
        if is_coordinator(self.request.user):
            return organisations
        return organisations.filter(verified=True)


class OrganisationChooseView(VisibleOrganisationsOnly, ChooseView):
    pass


class OrganisationChooseResultsView(VisibleOrganisationsOnly, ChooseResultsView):
    pass


class OrganisationChosenView(VisibleOrganisationsOnly, SnippetChosenView):
    def get_object(self, pk):
        return self.get_object_list().get(pk=pk)


class OrganisationChosenMultipleView(VisibleOrganisationsOnly, SnippetChosenMultipleView):
    def get_objects(self, pks):
        return self.get_object_list().filter(pk__in=pks)


class OrganisationChooserViewSet(SnippetChooserViewSet):
    choose_view_class = OrganisationChooseView
    choose_results_view_class = OrganisationChooseResultsView
    chosen_view_class = OrganisationChosenView
    chosen_multiple_view_class = OrganisationChosenMultipleView


def verification_words(organisation: Organisation) -> str:
    return gettext("Verified") if organisation.verified else gettext("Not verified")


class OrganisationEditView(EditView):
    """The edit page offers "Verify" next to its title while the organisation is not verified."""

    def get_header_buttons(self):
        buttons = super().get_header_buttons()
        if not self.object.verified and is_coordinator(self.request.user):
            buttons.insert(
                0,
                HeaderButton(
                    _("Verify"),
                    url=reverse("profiles_verify_organisation", args=[self.object.pk]),
                    icon_name="success",
                    attrs={"aria-label": gettext("Verify %(name)s") % {"name": self.object.name}},
                ),
            )
        return buttons


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    chooser_viewset_class = OrganisationChooserViewSet
    edit_view_class = OrganisationEditView
    list_display = [
        "name",
        "kind",
        Column("country", label=_("Country"), accessor="country.name", sort_key="country__name"),
        "city",
        StatusTagColumn(
            "verified",
            label=_("Verification"),
            accessor=verification_words,
            primary=lambda organisation: organisation.verified,
            sort_key="verified",
        ),
        "created_at",
    ]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "city"]
    ordering = ["verified", "name"]

    def get_queryset(self, request):
        # The list shows each organisation's country: one join, not a query per row.
        return Organisation.objects.select_related("country")


class MembershipViewRequired:
    """Wagtail's snippet choosers answer every admin user; memberships (who asked to join which organisation) are
    only for those who may view them, not for every city's officials."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("profiles.view_membership"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MembershipChooseView(MembershipViewRequired, ChooseView):
    pass


class MembershipChooseResultsView(MembershipViewRequired, ChooseResultsView):
    pass


class MembershipChosenView(MembershipViewRequired, SnippetChosenView):
    pass


class MembershipChooserViewSet(SnippetChooserViewSet):
    choose_view_class = MembershipChooseView
    choose_results_view_class = MembershipChooseResultsView
    chosen_view_class = MembershipChosenView


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "user"
    chooser_viewset_class = MembershipChooserViewSet
    list_display = ["user", "organisation", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    inspect_view_enabled = True


class OrganisationGroup(SnippetViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 250
    items = (OrganisationViewSet, MembershipViewSet)


register_snippet(OrganisationGroup)


@hooks.register("register_admin_urls")
def register_verify_url():
    return [path("organisations/<int:pk>/verify/", verify_organisation, name="profiles_verify_organisation")]


@hooks.register("register_snippet_listing_buttons")
def verify_button(snippet, user, next_url=None):
    """A visible "Verify" button on each unverified organisation's row (not hidden in the "…" menu)."""
    if isinstance(snippet, Organisation) and not snippet.verified and is_coordinator(user):
        yield ListingButton(
            _("Verify"),
            url=reverse("profiles_verify_organisation", args=[snippet.pk]),
            icon_name="success",
            attrs={"aria-label": gettext("Verify %(name)s") % {"name": snippet.name}},
            priority=5,
        )


def answer_approval_group_checks_at_once(user) -> None:
    """Whether the user is in each active approval task's groups, for every task in one query.

    Every verified city has its own approval task, and Wagtail's "Awaiting your review" panel asks each task in turn
    (one query per city: 200 cities, 200 queries on every visit to the admin's home). Wagtail keeps the answers on the
    user, keyed by task id (``GroupApprovalTask._user_in_groups``); filling that in advance makes its loop free.
    tests/profiles/test_city_admin_queries.py fails if a Wagtail upgrade stops reading them."""
    if not user.is_authenticated:
        return
    mine = GroupApprovalTask.groups.through.objects.filter(
        groupapprovaltask_id=OuterRef("pk"), group_id__in=user.groups.values("pk")
    )
    checks = getattr(user, "_group_approval_task_checks", None) or {}
    checks.update(GroupApprovalTask.objects.filter(active=True).annotate(mine=Exists(mine)).values_list("pk", "mine"))
    user._group_approval_task_checks = checks


@hooks.register("construct_homepage_panels")
def check_approval_groups_before_the_panels(request, panels):
    answer_approval_group_checks_at_once(request.user)


class PermittedMediaOnly:
    """Wagtail's admin API lists every image and document to every admin user, whatever its collection (another
    city's files, the researchers' photos, proposed tools awaiting review); it lists only those the user may
    choose or change, as the admin's own listings and choosers do."""

    def get_queryset(self):
        permitted = policy_registry.get_by_type(self.model).instances_user_has_any_permission_for(
            self.request.user, ["choose", "change"]
        )
        return super().get_queryset().filter(pk__in=permitted.values("pk"))


class PermittedImagesAdminAPIViewSet(PermittedMediaOnly, ImagesAdminAPIViewSet):
    pass


class PermittedDocumentsAdminAPIViewSet(PermittedMediaOnly, DocumentsAdminAPIViewSet):
    pass


@hooks.register("construct_admin_api", order=100)
def register_permitted_media_endpoints(router):
    """Replaces the endpoints Wagtail's images and documents apps registered (this hook runs after theirs)."""
    router.register_endpoint("images", PermittedImagesAdminAPIViewSet)
    router.register_endpoint("documents", PermittedDocumentsAdminAPIViewSet)


class SignInSettingsPanel(BaseSettingsPanel):
    """Email address, password and two-factor authentication on the admin's account screen: links to allauth, which
    verifies a new address, asks for the password again, applies its rate limits and keeps the address list in step.

    Wagtail's own forms for them are switched off (WAGTAIL_EMAIL_MANAGEMENT_ENABLED and
    WAGTAIL_PASSWORD_MANAGEMENT_ENABLED); its name form stays, as harmless as the dashboard's.
    """

    name = "sign_in"
    title = _("Email, password and two-factor authentication")
    order = 150
    template_name = "profiles/admin/account_sign_in_panel.html"

    def get_form(self):
        return forms.Form()  # never bound: the panel takes no input, so the account screen saves nothing of it

    def get_context_data(self):
        return {**super().get_context_data(), "user": self.user}


@hooks.register("register_account_settings_panel")
def register_sign_in_settings_panel(request, user, profile):
    return SignInSettingsPanel(request, user, profile)


@hooks.register("before_edit_user")
def refuse_email_changes_in_user_admin(request, user):
    """An administrator cannot give an account an address its owner has not confirmed: notifications (and password
    resets) would go there. The owner changes it through allauth; the rest of the user form stays the admin's."""
    if request.method != "POST" or request.POST.get("email", user.email).strip() == user.email:
        return None
    messages.error(
        request,
        gettext(
            "The email address of %(name)s was not changed. An address changes only when its owner confirms the new "
            "one: ask them to change it under Account, “Email, password and two-factor authentication”."
        )
        % {"name": user.display_name},
    )
    return redirect("wagtailusers_users:edit", user.pk)


@hooks.register("after_edit_snippet")
def bump_organisation_edit_version(request, instance):
    """An organisation edited in the admin: a front-end form opened before it is stale (hub/versioning.py)."""
    if isinstance(instance, Organisation):
        Organisation.objects.filter(pk=instance.pk).update(edit_version=F("edit_version") + 1)


# --- What profiles answers to the hooks of hub pages (hub/hooks.py) ----------------------------------------------

hooks.register("home_stats", contributions.cities_stat, order=20)
hooks.register("dashboard_sections", notify.dashboard_section, order=5)
hooks.register("home_stats", contributions.researchers_stat, order=30)
hooks.register("home_stats", contributions.organisations_stat, order=60)
hooks.register("home_latest", contributions.latest_cities, order=20)
hooks.register("home_latest", contributions.latest_researchers, order=30)
hooks.register("activity_places", contributions.activity_places)
hooks.register("city_page_sections", contributions.city_researchers_section, order=30)
hooks.register("personal_data", personal_data.personal_data)


@hooks.register("exports")
def profiles_exports():
    return exports.EXPORTS
