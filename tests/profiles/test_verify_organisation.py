"""Coordinators verify organisations from a visible button (on the list and the edit page), after a confirmation
page that says what verifying does; members are told by email once; the admin's lists read as words."""

import re

from django.core import mail

import pytest

from profiles.factories import CityOrganisationFactory, MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import CityPage, Membership, Organisation

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/profiles/organisation/"


def verify_url(organisation) -> str:
    return f"/admin/organisations/{organisation.pk}/verify/"


def edit_url(organisation) -> str:
    return f"/admin/snippets/profiles/organisation/edit/{organisation.pk}/"


@pytest.fixture
def steyr(db):
    """An unverified local government with an approved admin, an approved member and someone still asking."""
    organisation = CityOrganisationFactory(name="City of Steyr", city="Steyr")
    for email, role, status in (
        ("mayor@steyr.example.org", Membership.Role.ADMIN, Membership.Status.APPROVED),
        ("clerk@steyr.example.org", Membership.Role.MEMBER, Membership.Status.APPROVED),
        ("asking@steyr.example.org", Membership.Role.MEMBER, Membership.Status.REQUESTED),
    ):
        MembershipFactory(organisation=organisation, user=UserFactory(email=email), role=role, status=status)
    return organisation


def row_of(content: str, name: str) -> str:
    rows = [row for row in re.findall(r"<tr.*?</tr>", content, re.S) if name in row]
    assert len(rows) == 1, f"{name} is not one row of the list"
    return rows[0]


def test_list_row_shows_a_visible_verify_button(client, coordinator, steyr, university):
    client.force_login(coordinator)
    content = client.get(LIST_URL).content.decode()
    row = row_of(content, "City of Steyr")
    button = re.search(r'<a [^>]*href="' + re.escape(verify_url(steyr)) + r'"[^>]*>', row)
    assert button is not None
    assert "button" in button.group(0) and 'aria-label="Verify City of Steyr"' in button.group(0)
    # Not inside the "…" dropdown.
    dropdown = re.search(r'<div[^>]*data-controller="w-dropdown".*', row, re.S)
    assert dropdown is None or verify_url(steyr) not in dropdown.group(0)
    assert verify_url(university) not in row_of(content, "University of Graz")


def test_list_reads_verification_as_words(client, coordinator, steyr, university):
    client.force_login(coordinator)
    content = client.get(LIST_URL).content.decode()
    assert "Not verified" in row_of(content, "City of Steyr")
    assert re.search(r">\s*Verified\s*<", row_of(content, "University of Graz"))
    for row in re.findall(r"<tr.*?</tr>", content, re.S):
        assert not re.search(r">\s*(True|False)\s*<", row)


def test_edit_page_has_a_verify_button_until_verified(client, coordinator, steyr, university):
    client.force_login(coordinator)
    assert f'href="{verify_url(steyr)}"' in client.get(edit_url(steyr)).content.decode()
    assert verify_url(university) not in client.get(edit_url(university)).content.decode()


def test_confirmation_page_says_what_verifying_does(client, coordinator, steyr):
    client.force_login(coordinator)
    content = client.get(verify_url(steyr)).content.decode()
    assert "creates a public city page" in content
    assert "told by email" in content
    assert "mayor@steyr.example.org" in content
    assert not Organisation.objects.get(pk=steyr.pk).verified  # looking changes nothing


def test_verifying_emails_each_approved_member_once(client, coordinator, steyr, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify_url(steyr))
    assert response.status_code == 302
    assert Organisation.objects.get(pk=steyr.pk).verified
    assert CityPage.objects.filter(organisation=steyr).exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@steyr.example.org", "mayor@steyr.example.org"]
    message = mail.outbox[0]
    assert "City of Steyr is verified on Bridges" in message.subject
    assert "Post a research call" in message.body and "/dashboard/" in message.body


def test_verifying_twice_is_harmless(client, coordinator, steyr, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(verify_url(steyr))
        second = client.post(verify_url(steyr), follow=True)
    assert second.status_code == 200
    assert "already verified" in second.content.decode()
    assert len(mail.outbox) == 2
    assert CityPage.objects.filter(organisation=steyr).count() == 1


def test_a_verified_organisation_has_no_verify_button_and_its_page_says_so(client, coordinator, university):
    client.force_login(coordinator)
    assert verify_url(university) not in row_of(client.get(LIST_URL).content.decode(), "University of Graz")
    assert "already verified" in client.get(verify_url(university)).content.decode()


def test_members_read_the_email_in_their_chosen_language(
    client, coordinator, steyr, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    mayor = Membership.objects.get(organisation=steyr, role=Membership.Role.ADMIN).user
    profile = UserProfile.get_for_user(mayor)
    profile.preferred_language = "es"
    profile.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(verify_url(steyr))
    to_mayor = next(m for m in mail.outbox if m.to == [mayor.email])
    assert "/es/dashboard/" in to_mayor.body


@pytest.mark.parametrize("who", ["official", "researcher", "member"])
def test_only_coordinators_verify(client, city, researcher, steyr, who, django_capture_on_commit_callbacks):
    _graz, official = city
    user = {
        "official": official,
        "researcher": researcher,
        "member": Membership.objects.get(organisation=steyr, role=Membership.Role.ADMIN).user,
    }[who]
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(verify_url(steyr)).status_code in (302, 403)
        assert client.post(verify_url(steyr)).status_code in (302, 403)
    assert not Organisation.objects.get(pk=steyr.pk).verified
    assert mail.outbox == []
    listing = client.get(LIST_URL)
    assert verify_url(steyr) not in listing.content.decode()


def test_list_costs_the_same_queries_with_more_organisations(client, coordinator, steyr, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    for n in range(12):
        OrganisationFactory(name=f"Institute {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST_URL).status_code == 200
