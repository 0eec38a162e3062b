"""Privilege escalation in the real Wagtail admin: city roles stay inside their own subtree and rights.

A city's admin official (editor + approver groups) and a plain city member (editor group) may edit their
city's pages; none may manage users or groups, widen their own permissions, touch another city's pages,
move or copy pages out of their subtree, or approve a moderation task they are not an approver of.
Reviewers and researchers never get into the admin.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail.models import GroupPagePermission, Page, TaskState, WorkflowState

import pytest

from calls.models import ResearchCall
from hub.models import HomePage
from profiles.factories import MembershipFactory, ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, Membership, User
from profiles.services import COORDINATORS_GROUP, sync_editor_groups
from tests.security.fixtures_attacks import review  # noqa: F401  (fixture, injected by name)

pytestmark = pytest.mark.django_db

CITY_ROLES = ["city_admin", "city_member"]


@pytest.fixture
def graz(city):
    return city[0]


@pytest.fixture
def city_admin(city):
    return city[1]


@pytest.fixture
def city_member(graz):
    """An approved plain member of Graz: in its editor group, not its approver group."""
    user = UserFactory(email="member.graz@example.org", account_type=User.AccountType.ORGANISATION)
    MembershipFactory(user=user, organisation=graz, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED)
    sync_editor_groups(user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def linz(make_city):
    return make_city("Linz")[0]


@pytest.fixture
def as_role(client, request):
    def login(role: str) -> User:
        user = request.getfixturevalue(role)
        client.force_login(user)
        return user

    return login


def _refused(response) -> bool:
    """Wagtail answers a permission it does not grant with 403, or a redirect to the admin home or login."""
    if response.status_code == 403:
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location.rstrip("/").endswith("/admin") or "/login" in location
    return False


def _group_state(group: Group):
    return (
        set(group.permissions.values_list("pk", flat=True)),
        set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission_id")),
    )


@pytest.mark.parametrize("role", CITY_ROLES)
def test_city_roles_can_use_the_admin_for_their_own_city(client, as_role, role, graz):
    as_role(role)
    assert client.get("/admin/").status_code == 200
    city_page = CityPage.objects.get(organisation=graz)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[city_page.pk])).status_code == 200


@pytest.mark.parametrize("role", CITY_ROLES)
def test_city_roles_cannot_open_or_post_user_and_group_management(client, as_role, role, graz, researcher):
    user = as_role(role)
    own_group = graz.editor_group
    before_users = User.objects.count()
    before_groups = Group.objects.count()
    urls = [
        ("get", reverse("wagtailusers_users:index"), {}),
        ("get", reverse("wagtailusers_users:add"), {}),
        ("get", reverse("wagtailusers_users:edit", args=[user.pk]), {}),
        ("get", reverse("wagtailusers_users:edit", args=[researcher.pk]), {}),
        ("get", reverse("wagtailusers_groups:index"), {}),
        ("get", reverse("wagtailusers_groups:add"), {}),
        ("get", reverse("wagtailusers_groups:edit", args=[own_group.pk]), {}),
        (
            "post",
            reverse("wagtailusers_users:add"),
            {
                "email": "planted@example.org",
                "first_name": "P",
                "last_name": "Q",
                "password1": "Kettle-Harbour-1987!",
                "password2": "Kettle-Harbour-1987!",
                "is_superuser": "on",
            },
        ),
        (
            "post",
            reverse("wagtailusers_users:delete", args=[researcher.pk]),
            {},
        ),
        ("post", reverse("wagtailusers_groups:add"), {"name": "Planted admins"}),
        ("post", reverse("wagtailusers_groups:delete", args=[own_group.pk]), {}),
    ]
    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        assert _refused(response), (role, method, url, response.status_code)
    assert User.objects.count() == before_users and Group.objects.count() == before_groups
    assert User.objects.filter(pk=researcher.pk).exists()


@pytest.mark.parametrize("role", CITY_ROLES)
def test_city_roles_cannot_widen_their_own_groups_or_grant_themselves_publishing(client, as_role, role, graz):
    user = as_role(role)
    editor, approver = graz.editor_group, graz.approver_group
    coordinators = Group.objects.get(name=COORDINATORS_GROUP)
    home = HomePage.objects.first()
    before = {group.pk: _group_state(group) for group in (editor, approver)}
    groups_before = set(user.groups.values_list("pk", flat=True))
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    add_user = Permission.objects.get(content_type__app_label="profiles", codename="add_user")

    # Edit its own group: add site-wide publish and user management.
    response = client.post(
        reverse("wagtailusers_groups:edit", args=[editor.pk]),
        {
            "name": editor.name,
            "permissions": [str(add_user.pk)],
            "page_permissions-TOTAL_FORMS": "1",
            "page_permissions-INITIAL_FORMS": "0",
            "page_permissions-MIN_NUM_FORMS": "0",
            "page_permissions-MAX_NUM_FORMS": "1000",
            "page_permissions-0-page": str(home.pk),
            "page_permissions-0-permissions": [str(publish.pk)],
        },
    )
    assert _refused(response), response.status_code
    # Edit its own user: join the approver and coordinator groups, become a superuser.
    response = client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": "on",
            "is_superuser": "on",
            "groups": [str(approver.pk), str(coordinators.pk)],
        },
    )
    assert _refused(response), response.status_code

    assert {group.pk: _group_state(group) for group in (editor, approver)} == before
    user = User.objects.get(pk=user.pk)
    assert set(user.groups.values_list("pk", flat=True)) == groups_before
    assert not user.is_superuser and not user.is_staff
    assert not GroupPagePermission.objects.filter(page=home, group__in=[editor, approver]).exists()


@pytest.mark.parametrize("role", CITY_ROLES)
def test_city_roles_cannot_edit_publish_or_delete_another_citys_pages(client, as_role, role, linz):
    as_role(role)
    linz_page = CityPage.objects.get(organisation=linz)
    title = linz_page.title
    for method, name in [
        ("get", "wagtailadmin_pages:edit"),
        ("post", "wagtailadmin_pages:edit"),
        ("get", "wagtailadmin_pages:delete"),
        ("post", "wagtailadmin_pages:delete"),
        ("post", "wagtailadmin_pages:unpublish"),
        ("get", "wagtailadmin_pages:copy"),
        ("get", "wagtailadmin_pages:move"),
    ]:
        data = {"title": "Defaced", "slug": linz_page.slug, "action-publish": "publish"} if method == "post" else {}
        response = getattr(client, method)(reverse(name, args=[linz_page.pk]), data)
        assert _refused(response), (role, method, name, response.status_code)
    linz_page.refresh_from_db()
    assert linz_page.title == title and linz_page.live


@pytest.mark.parametrize("role", CITY_ROLES)
@pytest.mark.parametrize("destination", ["home", "other_city"])
def test_city_roles_cannot_move_their_pages_out_of_their_subtree(client, as_role, role, destination, open_call, linz):
    as_role(role)
    graz_page = CityPage.objects.get(pk=open_call.get_parent().pk)
    target = HomePage.objects.first() if destination == "home" else CityPage.objects.get(organisation=linz)
    move = reverse("wagtailadmin_pages:move_confirm", args=[open_call.pk, target.pk])

    assert _refused(client.get(move))
    response = client.post(move)

    assert _refused(response), response.status_code
    call = Page.objects.get(pk=open_call.pk)
    assert call.get_parent().pk == graz_page.pk


@pytest.mark.parametrize("role", CITY_ROLES)
@pytest.mark.parametrize("destination", ["home", "other_city"])
def test_city_roles_cannot_copy_their_pages_out_of_their_subtree(client, as_role, role, destination, open_call, linz):
    as_role(role)
    target = HomePage.objects.first() if destination == "home" else CityPage.objects.get(organisation=linz)
    before = ResearchCall.objects.count()

    response = client.post(
        reverse("wagtailadmin_pages:copy", args=[open_call.pk]),
        {
            "new_title": "Copied call",
            "new_slug": "copied-call",
            "new_parent_page": str(target.pk),
            "copy_subpages": "",
            "publish_copies": "on",
        },
    )

    assert response.status_code in (200, 302, 403)
    assert not Page.objects.filter(slug="copied-call").exists()
    assert ResearchCall.objects.count() == before
    assert not target.get_children().filter(title="Copied call").exists()


def _submitted_call(client, graz, member) -> tuple[ResearchCall, TaskState]:
    """A call the member added and submitted for moderation; returns the call and its open task."""
    from tests.calls.test_call_admin import add_url, call_form

    client.force_login(member)
    response = client.post(add_url(graz), {**call_form(), "action-submit": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    call = ResearchCall.objects.get(slug="access-to-water")
    task = TaskState.objects.get(workflow_state__object_id=str(call.pk), status=TaskState.STATUS_IN_PROGRESS)
    return call, task


def test_city_member_cannot_approve_their_own_moderation_task(client, graz, city_member):
    call, task = _submitted_call(client, graz, city_member)

    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[call.pk, "approve", task.pk]), {"comment": "fine"}
    )

    assert response.status_code in (302, 403)
    call.refresh_from_db()
    task.refresh_from_db()
    assert not call.live
    assert task.status == TaskState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.get(object_id=str(call.pk)).status == WorkflowState.STATUS_IN_PROGRESS


def test_official_of_another_city_cannot_approve_a_citys_moderation_task(client, graz, city_member, make_city):
    call, task = _submitted_call(client, graz, city_member)
    _linz, linz_admin = make_city("Linz")
    client.force_login(linz_admin)

    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[call.pk, "approve", task.pk]), {"comment": "fine"}
    )

    assert response.status_code in (302, 403, 404)
    call.refresh_from_db()
    assert not call.live
    task.refresh_from_db()
    assert task.status == TaskState.STATUS_IN_PROGRESS


def test_city_member_cannot_publish_directly(client, graz, city_member):
    from tests.calls.test_call_admin import add_url, call_form

    client.force_login(city_member)
    client.post(add_url(graz), {**call_form(), "action-publish": "publish"})

    assert not ResearchCall.objects.filter(live=True, slug="access-to-water").exists()


@pytest.mark.parametrize("who", ["researcher", "reviewer", "early_career"])
def test_reviewers_and_researchers_cannot_enter_the_admin(client, request, who, review):
    users = {
        "researcher": lambda: request.getfixturevalue("researcher"),
        "reviewer": lambda: review[1],
        "early_career": lambda: ResearcherProfileFactory(user__email="student@example.org").user,
    }
    user = users[who]()
    client.force_login(user)
    call_page = review[0].proposal.call
    for url in [
        "/admin/",
        reverse("wagtailadmin_pages:edit", args=[call_page.pk]),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        "/admin/images/",
        "/admin/documents/",
        "/admin/snippets/",
    ]:
        response = client.get(url)
        assert _refused(response), (who, url, response.status_code)
    assert not User.objects.get(pk=user.pk).has_perm("wagtailadmin.access_admin")
