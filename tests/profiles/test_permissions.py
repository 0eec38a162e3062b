"""Who may do what: a table of role × action → allowed, where everything not listed is refused."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

import pytest

from hub.models import HomePage
from profiles import services
from profiles.demo import DEMO_TOTP_SECRET
from profiles.factories import CityOrganisationFactory, MembershipFactory, UserFactory
from profiles.mfa import totp_activate
from profiles.models import CityPage, Membership, User

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "researcher",
    "admin_of_city_a",
    "member_of_city_a",
    "requested_member_of_city_a",
    "admin_of_city_b",
    "admin_of_unverified_city",
    "coordinator",
    "superuser",
]

ACTIONS = [
    "open_wagtail_admin",
    "edit_city_a_page_in_admin",
    "publish_city_a_page",
    "edit_city_b_page_in_admin",
    "edit_home_page_in_admin",
    "open_verify_page",
    "verify_organisation",
    "manage_city_a_members",
    "edit_city_a_organisation",
    "list_organisations_in_admin",
    "list_memberships_in_admin",
]

# Everything not listed here must be refused.
ALLOWED = {
    "admin_of_city_a": {
        "open_wagtail_admin",
        "edit_city_a_page_in_admin",
        "publish_city_a_page",
        "manage_city_a_members",
        "edit_city_a_organisation",
    },
    # Members draft and submit for moderation; only the city's admins (approvers) publish.
    "member_of_city_a": {"open_wagtail_admin", "edit_city_a_page_in_admin"},
    "admin_of_city_b": {"open_wagtail_admin", "edit_city_b_page_in_admin"},
    "coordinator": {
        "open_wagtail_admin",
        "edit_city_a_page_in_admin",
        "publish_city_a_page",
        "edit_city_b_page_in_admin",
        "edit_home_page_in_admin",
        "open_verify_page",
        "verify_organisation",
        "manage_city_a_members",
        "edit_city_a_organisation",
        "list_organisations_in_admin",
        "list_memberships_in_admin",
    },
    "superuser": set(ACTIONS),
}


@pytest.fixture
def world(make_city, coordinator, researcher):
    city_a, admin_a = make_city("Graz")
    city_b, admin_b = make_city("Linz")
    unverified, admin_unverified = make_city("Wels", verify=False)
    member_a = MembershipFactory(organisation=city_a, user__email="member@graz.example.org").user
    requested_a = MembershipFactory(
        organisation=city_a, status=Membership.Status.REQUESTED, user__email="asking@graz.example.org"
    ).user
    for user in (member_a, requested_a):
        services.sync_editor_groups(user=user)
    people = {
        "anonymous": None,
        "researcher": researcher,
        "admin_of_city_a": admin_a,
        "member_of_city_a": member_a,
        "requested_member_of_city_a": requested_a,
        "admin_of_city_b": admin_b,
        "admin_of_unverified_city": admin_unverified,
        "coordinator": coordinator,
        "superuser": UserFactory(email="root@example.org", is_staff=True, is_superuser=True),
    }
    totp_activate(user=people["superuser"], secret=DEMO_TOTP_SECRET)  # superusers must use two-factor authentication
    return {
        "people": people,
        "city_a": city_a,
        "page_a": CityPage.objects.get(organisation=city_a),
        "page_b": CityPage.objects.get(organisation=city_b),
        "home": HomePage.objects.get(),
        "pending": CityOrganisationFactory(name="City of Steyr"),
        "unverified": unverified,
    }


def observe(client, world, user, action: str) -> bool:
    """Try the action as a user would, through the client or the service; True when it worked."""
    if action == "open_wagtail_admin":
        return client.get("/admin/").status_code == 200
    if action == "edit_city_a_page_in_admin":
        return client.get(f"/admin/pages/{world['page_a'].pk}/edit/").status_code == 200
    if action == "publish_city_a_page":
        return bool(user) and world["page_a"].permissions_for_user(user).can_publish()
    if action == "edit_city_b_page_in_admin":
        return client.get(f"/admin/pages/{world['page_b'].pk}/edit/").status_code == 200
    if action == "edit_home_page_in_admin":
        return client.get(f"/admin/pages/{world['home'].pk}/edit/").status_code == 200
    if action == "open_verify_page":
        return client.get(f"/admin/organisations/{world['pending'].pk}/verify/").status_code == 200
    if action == "verify_organisation":
        try:
            services.organisation_verify(organisation=world["pending"], by=user or AnonymousUser())
        except PermissionDenied:
            return False
        return True
    if action == "manage_city_a_members":
        return client.get(f"/organisations/{world['city_a'].slug}/members/").status_code == 200
    if action == "edit_city_a_organisation":
        return client.get(f"/organisations/{world['city_a'].slug}/edit/").status_code == 200
    if action == "list_organisations_in_admin":
        return client.get("/admin/snippets/profiles/organisation/").status_code == 200
    if action == "list_memberships_in_admin":
        return client.get("/admin/snippets/profiles/membership/").status_code == 200
    raise AssertionError(f"unknown action {action}")


@pytest.mark.parametrize("role", ROLES)
def test_permission_table(client, world, role):
    user = world["people"][role]
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk))

    observed = {action: observe(client, world, user, action) for action in ACTIONS}

    expected = {action: action in ALLOWED.get(role, set()) for action in ACTIONS}
    assert observed == expected


def test_permission_table_lists_only_known_roles_and_actions():
    assert set(ALLOWED) <= set(ROLES)
    assert set().union(*ALLOWED.values()) <= set(ACTIONS)
