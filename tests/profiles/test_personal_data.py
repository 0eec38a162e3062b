"""Downloading one's personal data and deleting one's account."""

import json

from wagtail.models import PageLogEntry, Revision

import pytest
from allauth.account.models import EmailAddress

from hub.models import Country, Theme
from profiles import services
from profiles.factories import DEMO_PASSWORD, MembershipFactory, ResearcherProfileFactory, UserFactory
from profiles.models import AffiliationPeriod, CityPage, Membership, Organisation, ResearcherProfile, User
from profiles.notify import mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    """A researcher with a profile, one approved and one requested membership."""
    profile = ResearcherProfileFactory(
        user__email="ana.rivera@example.org",
        user__first_name="Ana",
        user__last_name="Rivera",
        headline="Housing rights in mid-sized cities",
    )
    profile.themes.add(Theme.objects.get(slug="adequate-housing"))
    user = profile.user
    return User.objects.get(pk=user.pk)


def test_export_is_a_json_download_of_the_users_own_data(client, person, city):
    organisation, _official = city
    MembershipFactory(user=person, organisation=organisation, message="I lead the housing survey.")
    colleague = MembershipFactory(organisation=organisation, user__email="colleague@example.org").user
    ResearcherProfileFactory(user=colleague, headline="Colleague headline")
    client.force_login(person)

    response = client.get("/dashboard/export/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "ana.rivera@example.org"
    assert data["account"]["first_name"] == "Ana"
    assert data["email_addresses"] == [{"email": "ana.rivera@example.org", "verified": True, "primary": True}]
    assert [(m["organisation"], m["status"], m["message"]) for m in data["memberships"]] == [
        ("City of Graz", "approved", "I lead the housing survey.")
    ]
    assert data["researcher_profile"]["headline"] == "Housing rights in mid-sized cities"
    assert data["researcher_profile"]["themes"] == ["Right to adequate housing"]
    text = response.content.decode()
    for other in (
        "colleague@example.org",
        "official.graz@example.org",
        "coordinator@example.org",
        "Colleague headline",
    ):
        assert other not in text
    assert "password" not in text


def test_export_has_my_notifications_read_or_not_and_my_affiliation_history_only(client, person, university, city):
    organisation, official = city
    colleague = ResearcherProfileFactory(user__email="colleague@example.org").user
    read = notify(
        person, kind="proposal_comment", message="The city wrote to your team.", url="/proposals/7/", email=False
    )
    notify(person, kind="review_response", message="The team responded to the reviews.", url="/reviews/3/", email=False)
    notify(colleague, kind="proposal_mention", message="Someone mentioned the colleague.", url="/x/", email=False)
    assert mark_read(user=person, notification_id=read.pk)
    profile = person.researcher_profile
    AffiliationPeriod.objects.create(profile=profile, organisation=university, start_year=2012, end_year=2018)
    AffiliationPeriod.objects.create(profile=profile, organisation=organisation, start_year=2019, sort_order=1)
    AffiliationPeriod.objects.create(profile=colleague.researcher_profile, organisation=university, start_year=2001)
    client.force_login(person)

    data = json.loads(client.get("/dashboard/export/").content)

    assert [(n["kind"], n["message"], n["url"], n["read"]) for n in data["notifications"]] == [
        ("proposal_comment", "The city wrote to your team.", "/proposals/7/", True),
        ("review_response", "The team responded to the reviews.", "/reviews/3/", False),
    ]
    assert all(n["created_at"] for n in data["notifications"])
    assert data["notifications"][0]["read_at"] and data["notifications"][1]["read_at"] is None
    assert data["affiliation_history"] == [
        {"organisation": university.name, "from": 2012, "until": 2018},
        {"organisation": organisation.name, "from": 2019, "until": None},
    ]
    assert "Someone mentioned the colleague" not in json.dumps(data) and 2001 not in [
        a["from"] for a in data["affiliation_history"]
    ]

    client.force_login(colleague)
    theirs = json.loads(client.get("/dashboard/export/").content)
    assert [n["message"] for n in theirs["notifications"]] == ["Someone mentioned the colleague."]
    assert theirs["affiliation_history"] == [{"organisation": university.name, "from": 2001, "until": None}]
    assert "The city wrote to your team" not in json.dumps(theirs)


def test_export_of_an_organisation_member_has_no_researcher_profile(client, city):
    _, official = city
    client.force_login(official)

    data = json.loads(client.get("/dashboard/export/").content)

    assert data["account"]["email"] == "official.graz@example.org"
    assert data["researcher_profile"] is None
    assert [m["role"] for m in data["memberships"]] == ["admin"]


def test_delete_with_a_wrong_password_says_so_and_deletes_nothing(client, person):
    client.force_login(person)
    assert client.get("/dashboard/delete/").status_code == 200

    response = client.post("/dashboard/delete/", {"password": "not-my-password", "confirm": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That password is not correct."]
    assert b"That password is not correct." in response.content
    assert User.objects.filter(pk=person.pk).exists()
    assert ResearcherProfile.objects.filter(user=person).exists()
    assert client.get("/dashboard/").status_code == 200


def test_delete_without_confirming_deletes_nothing(client, person):
    client.force_login(person)

    response = client.post("/dashboard/delete/", {"password": DEMO_PASSWORD})

    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert User.objects.filter(pk=person.pk).exists()


def test_delete_with_the_right_password_removes_account_profile_and_memberships(client, person, city):
    organisation, _official = city
    MembershipFactory(user=person, organisation=organisation)
    client.force_login(person)

    response = client.post("/dashboard/delete/", {"password": DEMO_PASSWORD, "confirm": "on"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert b"Your account and personal data were deleted." in response.content
    assert not User.objects.filter(email="ana.rivera@example.org").exists()
    assert not EmailAddress.objects.filter(email="ana.rivera@example.org").exists()
    assert not ResearcherProfile.objects.filter(user_id=person.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    tombstone = User.objects.get(pk=person.pk)
    assert tombstone.display_name == "Former member" and not tombstone.is_active
    assert not tombstone.has_usable_password()
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302
    # Signing in again with the old credentials no longer works.
    client.post("/accounts/login/", {"login": "ana.rivera@example.org", "password": DEMO_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_deleting_the_creator_keeps_their_organisation_and_city_page_revisions(client, coordinator):
    founder = UserFactory(email="founder@wels.example.org", first_name="Fritz", last_name="Founder")
    organisation = services.organisation_register(
        by=founder, name="City of Wels", kind=Organisation.Kind.LOCAL_GOVERNMENT, country=Country.objects.get(code="AT")
    )
    services.organisation_verify(organisation=organisation, by=coordinator)
    page = CityPage.objects.get(organisation=organisation)
    page.intro = "Edited by the founder."
    page.save_revision(user=User.objects.get(pk=founder.pk), log_action=True).publish(
        user=User.objects.get(pk=founder.pk)
    )
    revision_ids = list(Revision.objects.filter(user=founder).values_list("pk", flat=True))
    assert revision_ids
    client.force_login(founder)

    client.post("/dashboard/delete/", {"password": DEMO_PASSWORD, "confirm": "on"})

    assert not User.objects.filter(email="founder@wels.example.org").exists()
    organisation.refresh_from_db()
    assert organisation.created_by.display_name == "Former member"
    assert organisation.verified
    page.refresh_from_db()
    assert page.live and page.intro == "Edited by the founder."
    assert Revision.objects.filter(pk__in=revision_ids).count() == len(revision_ids)
    assert {str(r.user) for r in Revision.objects.filter(pk__in=revision_ids)} == {"Former member"}
    assert client.get("/cities/city-of-wels/").status_code == 200

    # Where the admin shows authors, the deleted person is no longer named.
    client.force_login(coordinator)
    assert PageLogEntry.objects.filter(page=page).exists()
    history = client.get(f"/admin/pages/{page.pk}/history/")
    assert history.status_code == 200
    assert b"Fritz Founder" not in history.content
    assert b"Former member" in history.content
    assert b"founder@wels.example.org" not in history.content
    verify_page = client.get(f"/admin/organisations/{organisation.pk}/verify/")
    assert verify_page.status_code == 200
    assert b"founder@wels.example.org" not in verify_page.content


def test_deleting_a_city_official_keeps_the_city_and_its_other_members(client, city):
    organisation, official = city
    colleague = MembershipFactory(organisation=organisation, user__email="colleague@graz.example.org").user
    client.force_login(official)

    client.post("/dashboard/delete/", {"password": DEMO_PASSWORD, "confirm": "on"})

    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert CityPage.objects.get(organisation=organisation).live
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()
    public = client.get(f"/organisations/{organisation.slug}/")
    assert public.status_code == 200
    assert b"official.graz@example.org" not in public.content
