"""Building a team: invitations by email, answering them as the right person, removing members."""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import re

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from calls.models import TeamMember
from calls.services import proposals as services
from profiles.factories import UserFactory
from tests.calls.test_proposal_services import colleague, draft, lead

pytestmark = pytest.mark.django_db


def invite(proposal, by, email="Ana.Gomez@Example.ORG ", **extra):
    fields = {"name": "Ana Gómez", "role": "co_applicant", "affiliation": "", "country": None, "early_career": False}
    return services.team_invite(proposal=proposal, by=by, email=email, **{**fields, **extra})


def test_invitation_email_is_normalised_and_sent_with_the_link(
    draft,
    lead,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        member = invite(draft, lead)
    assert member.email == "ana.gomez@example.org" and member.status == TeamMember.Status.INVITED
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana.gomez@example.org"]
    assert draft.title in message.subject
    assert f"/proposals/invitations/{member.token}/" in message.body
    html = message.alternatives[0][0]
    assert f"/proposals/invitations/{member.token}/" in html


def test_the_same_person_cannot_be_invited_twice(draft, lead):
    invite(draft, lead)
    with pytest.raises(ValidationError, match="already on the team"):
        invite(draft, lead, email="ANA.GOMEZ@example.org")


def test_the_lead_cannot_invite_themselves(draft, lead):
    with pytest.raises(ValidationError, match="already on the team as its lead"):
        invite(draft, lead, email=lead.email.upper())


def test_a_co_applicant_cannot_invite(draft, lead, colleague):
    member = invite(draft, lead, email=colleague.email)
    services.team_respond(member=member, user=colleague, accept=True)
    with pytest.raises(PermissionDenied, match="Only the lead applicant"):
        invite(draft, colleague, email="third@example.org")


def test_accepting_links_the_account_and_brings_profile_languages(draft, lead, colleague):
    member = invite(draft, lead, email=colleague.email)
    services.team_respond(member=member, user=colleague, accept=True)
    member.refresh_from_db()
    assert member.user == colleague and member.status == TeamMember.Status.ACCEPTED
    assert list(member.languages.values_list("code", flat=True)) == ["es"]
    assert member.country.code == "CO" and member.affiliation == "Universidad de Antioquia"


def test_someone_signed_in_with_another_address_is_refused(draft, lead):
    member = invite(draft, lead, email="invitee@example.org")
    stranger = UserFactory(email="stranger@example.org")
    with pytest.raises(PermissionDenied, match="sent to another email address"):
        services.team_respond(member=member, user=stranger, accept=True)
    member.refresh_from_db()
    assert member.user is None and member.status == TeamMember.Status.INVITED


def test_declining_keeps_the_person_off_the_team(draft, lead, colleague):
    member = invite(draft, lead, email=colleague.email)
    services.team_respond(member=member, user=colleague, accept=False)
    member.refresh_from_db()
    assert member.status == TeamMember.Status.DECLINED
    with pytest.raises(PermissionDenied, match="already answered"):
        services.team_respond(member=member, user=colleague, accept=True)


def test_lead_removes_a_member_but_not_themselves(draft, lead):
    member = invite(draft, lead)
    services.team_remove(member=member, by=lead)
    assert not TeamMember.objects.filter(pk=member.pk).exists()
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.team_remove(member=draft.team.get(role=TeamMember.Role.LEAD), by=lead)


def test_wrong_account_opening_the_invitation_sees_a_clear_refusal(client, draft, lead):
    member = invite(draft, lead, email="invitee@example.org")
    client.force_login(UserFactory(email="other@example.org"))
    response = client.get(f"/proposals/invitations/{member.token}/")
    assert response.status_code == 403
    assert "sent to another email address" in response.content.decode()
    response = client.post(f"/proposals/invitations/{member.token}/", {"answer": "accept"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == TeamMember.Status.INVITED


def test_invitee_accepts_through_the_link_and_sees_the_proposal(client, draft, lead, colleague):
    invite(draft, lead, email=colleague.email)
    client.force_login(colleague)
    listing = client.get("/proposals/").content.decode()
    link = re.search(r'href="(/proposals/invitations/[0-9a-f-]+/)"', listing).group(1)
    response = client.post(link, {"answer": "accept"}, follow=True)
    assert response.status_code == 200
    assert draft.title in response.content.decode()
    assert client.get(f"/proposals/{draft.pk}/").status_code == 200


def test_forged_invitation_token_is_404(client, colleague):
    client.force_login(colleague)
    assert client.get("/proposals/invitations/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_team_page_invite_form_reports_a_bad_email_and_keeps_the_name(client, draft, lead):
    client.force_login(lead)
    response = client.post(
        f"/proposals/{draft.pk}/team/", {"email": "not-an-email", "name": "Ana Gómez", "role": "co_applicant"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="Ana Gómez"' in page
    assert draft.team.count() == 1


def test_team_page_reports_a_duplicate_invitation(client, draft, lead):
    invite(draft, lead)
    client.force_login(lead)
    response = client.post(
        f"/proposals/{draft.pk}/team/", {"email": "ana.gomez@example.org", "name": "Ana", "role": "co_applicant"}
    )
    assert response.status_code == 400
    assert "already on the team" in response.content.decode()
