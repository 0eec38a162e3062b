"""Verifying organisations, and who may edit which city's pages in the Wagtail admin."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import pytest

from hub.models import HomePage, StandardPage
from profiles import services
from profiles.factories import CityOrganisationFactory, MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import CitiesIndexPage, CityPage, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def city_page_of(organisation: Organisation) -> CityPage:
    return CityPage.objects.get(organisation=organisation)


def edit_form_data(page: CityPage, **overrides) -> dict:
    data = {
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "body": streamfield([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def editor_group_ids(user: User) -> set[int]:
    return set(user.groups.filter(name__startswith=services.EDITOR_GROUP_PREFIX).values_list("pk", flat=True))


# Verifying -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["researcher", "official", "org_admin", "staff_without_permission"])
def test_only_coordinators_can_verify_an_organisation(who, researcher, make_city):
    pending = CityOrganisationFactory(name="City of Wels")
    _, official = make_city("Graz")
    people = {
        "researcher": researcher,
        "official": official,
        "org_admin": MembershipFactory(organisation=pending, role=Membership.Role.ADMIN).user,
        "staff_without_permission": UserFactory(is_staff=True),
    }

    with pytest.raises(PermissionDenied):
        services.organisation_verify(organisation=pending, by=people[who])

    pending.refresh_from_db()
    assert not pending.verified
    assert not CityPage.objects.filter(organisation=pending).exists()


def test_city_official_is_refused_the_admin_verify_page(client, make_city):
    pending = CityOrganisationFactory(name="City of Wels")
    _, official = make_city("Graz")
    client.force_login(official)

    for method in (client.get, client.post):
        response = method(f"/admin/organisations/{pending.pk}/verify/")
        assert response.status_code in (302, 403)
        assert response.get("Location", "") != "/admin/snippets/profiles/organisation/"

    pending.refresh_from_db()
    assert not pending.verified


def test_coordinator_verifies_a_city_in_the_admin_and_it_gets_a_live_city_page(client, coordinator):
    pending = CityOrganisationFactory(name="City of Wels", description="A city on the Traun.")
    MembershipFactory(organisation=pending, role=Membership.Role.ADMIN, user__email="official@wels.example.org")
    client.force_login(coordinator)

    confirm = client.get(f"/admin/organisations/{pending.pk}/verify/")
    assert confirm.status_code == 200
    assert b"City of Wels" in confirm.content
    response = client.post(f"/admin/organisations/{pending.pk}/verify/")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verified and pending.verified_by == coordinator and pending.verified_at
    page = city_page_of(pending)
    assert page.live
    assert page.url == "/cities/city-of-wels/"
    assert page.get_parent().specific_class is CitiesIndexPage
    public = client.get("/cities/city-of-wels/")
    assert public.status_code == 200
    assert b"City of Wels" in public.content


def test_coordinator_sees_a_verify_button_for_unverified_organisations(client, coordinator):
    pending = CityOrganisationFactory(name="City of Wels")
    client.force_login(coordinator)

    response = client.get("/admin/snippets/profiles/organisation/")

    assert response.status_code == 200
    assert f"/admin/organisations/{pending.pk}/verify/".encode() in response.content


def test_verifying_a_university_creates_no_city_page_and_no_editor_group(coordinator):
    university = OrganisationFactory(name="University of Vienna")

    services.organisation_verify(organisation=university, by=coordinator)

    university.refresh_from_db()
    assert university.verified
    assert university.editor_group is None
    assert not CityPage.objects.filter(organisation=university).exists()


def test_verifying_twice_keeps_one_city_page_and_one_group(city, coordinator):
    organisation, _ = city

    services.organisation_verify(organisation=organisation, by=coordinator)

    assert CityPage.objects.filter(organisation=organisation).count() == 1
    assert Group.objects.filter(name__startswith=f"{services.EDITOR_GROUP_PREFIX}City of Graz").count() == 1


def test_city_editor_group_has_page_permissions_on_its_own_subtree_only(city):
    organisation, _ = city
    organisation.refresh_from_db()
    group = organisation.editor_group

    pages = set(GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True))
    codenames = set(GroupPagePermission.objects.filter(group=group).values_list("permission__codename", flat=True))

    assert pages == {city_page_of(organisation).pk}
    assert codenames == set(services.CITY_PAGE_PERMISSIONS)
    assert "delete_page" not in codenames
    # The admin, and translating pages (wagtail-localize's submit view is scoped to pages the user may edit).
    assert sorted(group.permissions.values_list("codename", flat=True)) == ["access_admin", "submit_translation"]


def test_a_city_whose_slug_is_taken_still_gets_its_own_page(make_city, coordinator):
    index = CitiesIndexPage.objects.get()
    index.add_child(instance=StandardPage(title="Taken", slug="city-of-graz"))

    organisation, _ = make_city("Graz")

    page = city_page_of(organisation)
    assert page.slug == f"city-of-graz-{organisation.pk}"
    assert page.live


# Groups follow memberships ------------------------------------------------------


def test_approved_members_of_a_city_get_its_editor_group_when_it_is_verified(make_city):
    organisation, official = make_city("Graz", verify=False)
    requested = MembershipFactory(organisation=organisation, status=Membership.Status.REQUESTED).user
    assert editor_group_ids(official) == set()

    organisation = services.organisation_verify(
        organisation=organisation, by=User.objects.get(email="coordinator@example.org")
    )

    assert editor_group_ids(official) == {organisation.editor_group_id}
    assert editor_group_ids(requested) == set()


def test_approving_a_member_of_a_verified_city_grants_editing(city):
    organisation, official = city
    applicant = UserFactory(email="new@graz.example.org")
    membership = services.membership_request(user=applicant, organisation=organisation)
    assert editor_group_ids(applicant) == set()

    services.membership_decide(membership=membership, by=official, approve=True)

    assert editor_group_ids(applicant) == {Organisation.objects.get(pk=organisation.pk).editor_group_id}


def test_rejecting_an_approved_member_removes_their_editing(client, city):
    organisation, official = city
    member = MembershipFactory(organisation=organisation, user__email="member@graz.example.org").user
    services.sync_editor_groups(user=member)
    assert editor_group_ids(member)
    membership = Membership.objects.get(user=member, organisation=organisation)
    client.force_login(official)

    client.post(f"/organisations/{organisation.slug}/members/", {"membership": membership.pk, "decision": "reject"})

    assert editor_group_ids(member) == set()
    client.force_login(member)
    assert client.get(f"/admin/pages/{city_page_of(organisation).pk}/edit/").status_code == 302


def test_member_of_two_cities_keeps_the_other_citys_group_when_one_rejects(make_city):
    graz, graz_official = make_city("Graz")
    linz, _ = make_city("Linz")
    person = UserFactory(email="both@example.org")
    MembershipFactory(user=person, organisation=graz)
    MembershipFactory(user=person, organisation=linz)
    services.sync_editor_groups(user=person)
    graz.refresh_from_db()
    linz.refresh_from_db()
    assert editor_group_ids(person) == {graz.editor_group_id, linz.editor_group_id}

    services.membership_decide(
        membership=Membership.objects.get(user=person, organisation=graz), by=graz_official, approve=False
    )

    assert editor_group_ids(person) == {linz.editor_group_id}


def test_sync_leaves_groups_that_are_not_city_editor_groups(city):
    organisation, official = city
    other = Group.objects.create(name="Newsletter editors")
    official.groups.add(other)

    services.sync_editor_groups(user=official)

    assert official.groups.filter(pk=other.pk).exists()


def test_member_of_an_unverified_city_has_no_editor_rights_and_no_admin(client, make_city):
    organisation, official = make_city("Wels", verify=False)
    client.force_login(official)

    assert editor_group_ids(official) == set()
    for url in ["/admin/", "/admin/pages/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# The Wagtail admin ----------------------------------------------------------------


def test_member_of_city_a_can_edit_and_save_city_a_page_in_admin(client, make_city):
    graz, official = make_city("Graz")
    page = city_page_of(graz)
    client.force_login(official)

    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    response = client.post(f"/admin/pages/{page.pk}/edit/", edit_form_data(page, intro="Graz protects rights."))

    assert response.status_code == 302
    page.refresh_from_db()
    latest = page.get_latest_revision()
    assert latest.user == official
    assert latest.as_object().intro == "Graz protects rights."


def test_member_of_city_a_cannot_edit_city_b_page_in_admin(client, make_city):
    _, official_a = make_city("Graz")
    linz, _ = make_city("Linz")
    page_b = city_page_of(linz)
    client.force_login(official_a)

    response = client.get(f"/admin/pages/{page_b.pk}/edit/")
    assert response.status_code in (302, 403)
    assert response.get("Location", "/admin/") == "/admin/"
    response = client.post(f"/admin/pages/{page_b.pk}/edit/", edit_form_data(page_b, intro="Hijacked"))
    assert response.status_code in (302, 403)

    page_b.refresh_from_db()
    assert page_b.get_latest_revision().as_object().intro != "Hijacked"
    assert page_b.get_latest_revision().user is None


def test_member_of_city_a_cannot_edit_the_home_page_or_cities_index(client, city):
    _, official = city
    client.force_login(official)

    for page in (HomePage.objects.get(), CitiesIndexPage.objects.get()):
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code in (302, 403), page
        assert response.get("Location", "/admin/") == "/admin/"


def test_member_of_city_a_cannot_add_pages_under_city_b(client, make_city):
    graz, official_a = make_city("Graz")
    linz, _ = make_city("Linz")
    client.force_login(official_a)

    assert client.get(f"/admin/pages/add/hub/standardpage/{city_page_of(graz).pk}/").status_code == 200
    assert client.get(f"/admin/pages/add/hub/standardpage/{city_page_of(linz).pk}/").status_code in (302, 403)


def test_explorer_shows_a_city_official_only_their_citys_subtree(client, make_city):
    graz, official_a = make_city("Graz")
    linz, _ = make_city("Linz")
    graz_page, linz_page = city_page_of(graz), city_page_of(linz)
    graz_page.add_child(instance=StandardPage(title="Graz housing study", slug="housing"))
    linz_page.add_child(instance=StandardPage(title="Linz water study", slug="water"))
    client.force_login(official_a)

    root = client.get("/admin/pages/")
    assert root.status_code == 302
    assert root["Location"] == f"/admin/pages/{graz_page.pk}/"
    for elsewhere in (HomePage.objects.get().pk, linz_page.pk, Page.get_first_root_node().pk):
        assert client.get(f"/admin/pages/{elsewhere}/")["Location"] == f"/admin/pages/{graz_page.pk}/"
    listing = client.get(f"/admin/pages/{graz_page.pk}/")
    assert listing.status_code == 200
    assert b"Graz housing study" in listing.content
    assert b"Linz water study" not in listing.content
    search = client.get("/admin/pages/search/", {"q": "study"})
    assert search.status_code == 200
    assert b"Graz housing study" in search.content
    assert b"Linz water study" not in search.content


def test_coordinator_can_edit_every_city_page(client, make_city, coordinator):
    graz, _ = make_city("Graz")
    client.force_login(coordinator)

    assert client.get(f"/admin/pages/{city_page_of(graz).pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{HomePage.objects.get().pk}/edit/").status_code == 200


def test_city_pages_cannot_be_created_by_hand_in_the_admin(client, coordinator):
    client.force_login(coordinator)
    index = CitiesIndexPage.objects.get()

    response = client.get(f"/admin/pages/add/profiles/citypage/{index.pk}/")

    assert response.status_code in (302, 403, 404)
    assert not CityPage.objects.exists()
