"""Deciding on proposals: award creates one partnership and tells every applicant; decline with a message."""

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ResearchCall, TeamMember
from calls.services.reviews import call_decide
from projects.models import Partnership, PartnershipMember
from tests.calls.award_helpers import ready_to_award
from tests.calls.test_review_assignment import person


@pytest.fixture
def proposals(open_call, researcher, city):
    """Three submitted and reviewed proposals to a call whose deadline has passed."""
    made = []
    for n, lead in enumerate([researcher, person("second.lead@example.org"), person("third.lead@example.org")]):
        proposal = ProposalFactory(call=open_call, lead=lead, title=f"Proposal {n + 1}")
        submit_for_tests(proposal)
        made.append(proposal)
    ready_to_award(open_call, made, official=city[1])
    return made


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_award_creates_exactly_one_partnership_with_team_and_city(proposals, open_call, city, commit, mailoutbox):
    _org, official = city
    winner = proposals[0]
    co = person("co.applicant@example.org")
    TeamMember.objects.create(
        proposal=winner,
        user=co,
        email=co.email,
        name="Ana Co",
        status=TeamMember.Status.ACCEPTED,
        role=TeamMember.Role.CO_APPLICANT,
    )
    TeamMember.objects.create(
        proposal=winner, email="declined@example.org", name="Said No", status=TeamMember.Status.DECLINED
    )
    with commit():
        call_decide(call=open_call, by=official, award=[winner], message="Congratulations!")

    winner.refresh_from_db()
    assert (
        winner.status == Proposal.Status.AWARDED and winner.decided_at and winner.outcome_message == "Congratulations!"
    )
    assert ResearchCall.objects.get(pk=open_call.pk).awarded_at is not None
    partnership = Partnership.objects.get()
    assert partnership.proposal == winner and partnership.call_id == open_call.pk
    assert partnership.city == open_call.organisation and partnership.title == winner.title
    members = {(m.user_id, m.side) for m in PartnershipMember.objects.filter(partnership=partnership)}
    assert members == {
        (winner.lead_id, PartnershipMember.Side.RESEARCH),
        (co.pk, PartnershipMember.Side.RESEARCH),
        (official.pk, PartnershipMember.Side.CITY),
    }
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([winner.lead.email, co.email])
    assert all("Awarded" in m.subject and partnership.get_absolute_url() in m.body for m in mailoutbox)
    assert all(m.alternatives for m in mailoutbox)


def test_bulk_decline_sends_the_message_to_every_team(proposals, open_call, city, commit, mailoutbox):
    _org, official = city
    with commit():
        call_decide(call=open_call, by=official, decline=proposals[1:], message="Many strong proposals this year.")
    for proposal in proposals[1:]:
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.DECLINED
        assert proposal.outcome_message == "Many strong proposals this year."
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.lead.email for p in proposals[1:])
    assert all("Many strong proposals this year." in m.body for m in mailoutbox)
    assert not Partnership.objects.exists()
    assert ResearchCall.objects.get(pk=open_call.pk).awarded_at is None


def test_declining_needs_a_message(proposals, open_call, city):
    with pytest.raises(ValidationError, match="Write a message"):
        call_decide(call=open_call, by=city[1], decline=[proposals[0]], message="")


def test_deciding_twice_is_refused(proposals, open_call, city):
    _org, official = city
    call_decide(call=open_call, by=official, award=[proposals[0]])
    with pytest.raises(ValidationError, match="already decided"):
        call_decide(call=open_call, by=official, decline=[proposals[0]], message="Changed our mind.")
    with pytest.raises(ValidationError, match="already decided"):
        call_decide(call=open_call, by=official, award=[proposals[0]])
    assert Partnership.objects.count() == 1
    proposals[0].refresh_from_db()
    assert proposals[0].status == Proposal.Status.AWARDED


def test_a_failed_bulk_decision_changes_nothing(proposals, open_call, city):
    _org, official = city
    call_decide(call=open_call, by=official, decline=[proposals[2]], message="No.")
    with pytest.raises(ValidationError):
        call_decide(call=open_call, by=official, award=[proposals[0], proposals[2]])
    proposals[0].refresh_from_db()
    assert proposals[0].status == Proposal.Status.UNDER_REVIEW
    assert not Partnership.objects.exists()


def test_shortlist_then_award(proposals, open_call, city, commit, mailoutbox):
    _org, official = city
    with commit():
        call_decide(call=open_call, by=official, shortlist=proposals[:2])
    assert {p.status for p in Proposal.objects.filter(pk__in=[p.pk for p in proposals[:2]])} == {"shortlisted"}
    assert all("Shortlisted" in m.subject for m in mailoutbox)
    call_decide(call=open_call, by=official, award=[proposals[0]])
    assert Proposal.objects.get(pk=proposals[0].pk).status == Proposal.Status.AWARDED


def test_invite_to_full_stage_only_in_two_stage_calls(proposals, open_call, city):
    with pytest.raises(ValidationError, match="two-stage"):
        call_decide(call=open_call, by=city[1], invite=[proposals[0]])


def test_drafts_and_other_calls_proposals_cannot_be_decided(open_call, city, researcher, make_city):
    _org, official = city
    draft = ProposalFactory(call=open_call, lead=person("drafter@example.org"))
    with pytest.raises(PermissionDenied):
        call_decide(call=open_call, by=official, award=[draft])
    _linz, linz_official = make_city("Linz")
    submitted = ProposalFactory(call=open_call, lead=researcher)
    submit_for_tests(submitted)
    with pytest.raises(PermissionDenied):
        call_decide(call=open_call, by=linz_official, award=[submitted])


def test_awarded_lead_sees_awarded_on_the_dashboard(client, proposals, open_call, city, researcher):
    call_decide(call=open_call, by=city[1], award=[proposals[0]], message="Welcome aboard")
    client.force_login(researcher)
    content = client.get("/dashboard/").content.decode()
    assert "Awarded" in content and "Welcome aboard" in content


def test_ranking_page_bulk_decline_with_message(client, proposals, open_call, city):
    client.force_login(city[1])
    response = client.post(
        f"/calls/{open_call.pk}/ranking/",
        {"proposals": [proposals[1].pk, proposals[2].pk], "action": "decline", "message": "Thank you for applying."},
    )
    assert response.status_code == 302
    assert set(Proposal.objects.filter(status="declined").values_list("pk", flat=True)) == {
        proposals[1].pk,
        proposals[2].pk,
    }


def test_ranking_page_refuses_decline_without_message_and_keeps_the_ticks(client, proposals, open_call, city):
    client.force_login(city[1])
    response = client.post(
        f"/calls/{open_call.pk}/ranking/", {"proposals": [proposals[1].pk], "action": "decline", "message": ""}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Write a message" in content
    assert f'value="{proposals[1].pk}" id="decide-{proposals[1].pk}" checked' in content
    assert not Proposal.objects.filter(status="declined").exists()


def test_ranking_page_refuses_deciding_a_decided_proposal(client, proposals, open_call, city):
    call_decide(call=open_call, by=city[1], award=[proposals[0]])
    client.force_login(city[1])
    response = client.post(
        f"/calls/{open_call.pk}/ranking/", {"proposals": [proposals[0].pk], "action": "decline", "message": "x"}
    )
    assert response.status_code == 400
    assert Proposal.objects.get(pk=proposals[0].pk).status == Proposal.Status.AWARDED
