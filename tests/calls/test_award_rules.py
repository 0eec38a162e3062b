"""Decisions that cannot be taken by accident: no award before the deadline unless the call is closed early (its cut-off
teams told once), and no award of a proposal nobody has reviewed."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import Proposal, ResearchCall, ReviewAssignment, TeamMember
from calls.notifications.reviews import email_call_closed_early
from calls.services.proposals import submission_problems
from calls.services.reviews import call_close_early, call_decide, review_assign
from profiles.models import CityPage
from projects.models import Partnership
from tests.calls.award_helpers import complete_review, pass_deadline
from tests.calls.test_review_assignment import person
from tests.concurrency.races import needs_postgresql, race, race_db

AWARD_OPTION = re.compile(r'<option value="award"')


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def reviewed(open_call, city):
    """A submitted proposal with a completed review."""
    proposal = ProposalFactory(call=open_call, lead=person("reviewed.lead@example.org"), title="Rents and tenure")
    submit_for_tests(proposal)
    complete_review(proposal, official=city[1])
    return proposal


@pytest.fixture
def drafts(open_call):
    """Two drafts (one with an accepted co-applicant and a pending invitation) and a withdrawn proposal."""
    first = ProposalFactory(call=open_call, lead=person("draft.one@example.org"), title="Draft one")
    co = person("co.applicant@example.org")
    TeamMember.objects.create(
        proposal=first, user=co, email=co.email, name="Co", status=TeamMember.Status.ACCEPTED,
        role=TeamMember.Role.CO_APPLICANT,
    )  # fmt: skip
    TeamMember.objects.create(proposal=first, email="pending@example.org", name="Pending")
    second = ProposalFactory(call=open_call, lead=person("draft.two@example.org"), title="Draft two")
    withdrawn = ProposalFactory(
        call=open_call, lead=person("withdrawn.lead@example.org"), title="Withdrawn", status=Proposal.Status.WITHDRAWN
    )
    return [first, second, withdrawn]


def fresh(call):
    return ResearchCall.objects.get(pk=call.pk)


def test_before_the_deadline_the_ranking_offers_close_early_instead_of_award(client, open_call, city, reviewed):
    client.force_login(city[1])
    content = client.get(f"/calls/{open_call.pk}/ranking/").content.decode()
    assert not AWARD_OPTION.search(content)
    assert '<option value="decline"' in content
    assert "Close the call early" in content and f"/calls/{open_call.pk}/close-early/" in content
    assert "Awards are made after the deadline" in content


def test_a_forged_award_before_the_deadline_is_refused_and_changes_nothing(
    client, open_call, city, reviewed, mailoutbox
):
    client.force_login(city[1])
    response = client.post(
        f"/calls/{open_call.pk}/ranking/", {"proposals": [reviewed.pk], "action": "award", "message": "Yes"}
    )
    assert response.status_code == 400
    assert "close the call early first" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Proposal.Status.UNDER_REVIEW
    call = fresh(open_call)
    assert call.awarded_at is None and call.accepts_submissions()
    assert not Partnership.objects.exists() and not mailoutbox


def test_the_service_refuses_an_award_before_the_deadline(open_call, city, reviewed):
    with pytest.raises(ValidationError, match="Awards are made after the deadline"):
        call_decide(call=open_call, by=city[1], award=[reviewed])
    assert fresh(open_call).accepts_submissions()


def test_other_decisions_stay_possible_before_the_deadline(open_call, city, reviewed):
    call_decide(call=open_call, by=city[1], shortlist=[reviewed])
    reviewed.refresh_from_db()
    assert reviewed.status == Proposal.Status.SHORTLISTED
    assert fresh(open_call).accepts_submissions()


def test_the_confirmation_says_how_many_drafts_are_cut_off(client, open_call, city, reviewed, drafts):
    info = ProposalFactory(call=open_call, lead=person("info.lead@example.org"), title="Answering the city")
    submit_for_tests(info)
    Proposal.objects.filter(pk=info.pk).update(status=Proposal.Status.INFO_REQUESTED)
    client.force_login(city[1])
    content = client.get(f"/calls/{open_call.pk}/close-early/").content.decode()
    # Two drafts and the withdrawn proposal; the submitted one and the one answering the city are not cut off.
    assert "3 drafts not yet submitted will be cut off" in content
    assert "we will email each team" in content
    assert fresh(open_call).accepts_submissions()  # looking changes nothing


def test_closing_early_closes_the_call_emails_each_cut_off_team_once_and_opens_the_award(
    client, open_call, city, reviewed, drafts, commit, mailoutbox
):
    client.force_login(city[1])
    with commit():
        response = client.post(f"/calls/{open_call.pk}/close-early/", follow=True)
    assert "The call is closed. We are emailing the teams of 3 unsubmitted drafts." in response.content.decode()
    call = fresh(open_call)
    assert not call.accepts_submissions() and call.status == ResearchCall.Status.CLOSED
    assert call.awarded_at is None
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted(
        ["draft.one@example.org", "co.applicant@example.org", "draft.two@example.org", "withdrawn.lead@example.org"]
    )
    assert all("Call closed early" in m.subject and m.alternatives for m in mailoutbox)
    assert "Draft one" in next(m.body for m in mailoutbox if m.to == ["draft.one@example.org"])
    assert submission_problems(Proposal.objects.get(pk=drafts[1].pk), timezone.now())[0].startswith("The deadline was")

    # Twice is harmless: nothing changes and nobody is emailed again.
    with commit():
        again = client.post(f"/calls/{open_call.pk}/close-early/", follow=True)
    assert "already closed" in again.content.decode()
    assert len(mailoutbox) == 4
    assert fresh(open_call).closes_at == call.closes_at

    # Now the award is offered, and taken.
    assert AWARD_OPTION.search(again.content.decode())
    response = client.post(
        f"/calls/{open_call.pk}/ranking/", {"proposals": [reviewed.pk], "action": "award", "message": "Yes"}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.AWARDED
    assert Partnership.objects.filter(proposal=reviewed).exists()


def test_the_close_early_email_is_sent_once_however_often_it_is_queued(open_call, city, drafts, mailoutbox):
    for _attempt in range(2):
        email_call_closed_early(call_id=open_call.pk, proposal_ids=[drafts[1].pk])
    assert [m.to for m in mailoutbox] == [["draft.two@example.org"]]


def test_a_later_publish_of_the_call_does_not_reopen_it(open_call, city):
    call_close_early(call=open_call, by=city[1])
    closed_at = fresh(open_call).closes_at
    fresh(open_call).get_latest_revision().publish()
    call = fresh(open_call)
    assert call.closes_at == closed_at and not call.accepts_submissions()


def test_closing_a_two_stage_call_early_cuts_off_invited_full_proposals(city, commit, mailoutbox):
    organisation, official = city
    call = make_call(
        city_page=CityPage.objects.get(organisation=organisation),
        title="Two stages",
        opens_in=-dt.timedelta(days=40),
        closes_in=-dt.timedelta(days=10),
        two_stage=True,
        full_proposal_closes_at=timezone.now() + dt.timedelta(days=20),
    )
    invited = ProposalFactory(call=call, lead=person("invited.lead@example.org"), stage=Proposal.Stage.FULL)
    Proposal.objects.filter(pk=invited.pk).update(status=Proposal.Status.INVITED)
    late_concept = ProposalFactory(call=call, lead=person("late.concept@example.org"), stage=Proposal.Stage.CONCEPT)
    with commit():
        cut_off = call_close_early(call=call, by=official)
    assert [p.pk for p in cut_off] == [invited.pk]  # the concept draft was cut off by the first deadline already
    assert [m.to for m in mailoutbox] == [["invited.lead@example.org"]]
    call = fresh(call)
    assert call.full_proposal_closes_at <= timezone.now() and call.closes_at < call.full_proposal_closes_at
    assert not call.accepts_submissions(full_stage=True)
    assert late_concept.pk not in {p.pk for p in cut_off}


def test_only_the_citys_officials_close_a_call_early(client, open_call, city, make_city, coordinator, researcher):
    _linz, linz_official = make_city("Linz")
    for user in (researcher, linz_official, coordinator):
        with pytest.raises(PermissionDenied):
            call_close_early(call=open_call, by=user)
        client.force_login(user)
        assert client.get(f"/calls/{open_call.pk}/close-early/").status_code == 404
        assert client.post(f"/calls/{open_call.pk}/close-early/").status_code == 404
    assert fresh(open_call).accepts_submissions()


def test_a_cancelled_call_is_not_closed_early(open_call, city):
    ResearchCall.objects.filter(pk=open_call.pk).update(cancelled_at=timezone.now())
    with pytest.raises(ValidationError, match="cancelled"):
        call_close_early(call=fresh(open_call), by=city[1])


def test_an_award_without_a_completed_review_is_refused_with_what_to_do(client, open_call, city, reviewed):
    _org, official = city
    unreviewed = ProposalFactory(call=open_call, lead=person("unreviewed@example.org"), title="Nobody read me")
    submit_for_tests(unreviewed)
    review_assign(proposal=unreviewed, reviewer_email=person("slow.reviewer@example.org").email, by=official)
    pass_deadline(open_call)
    with pytest.raises(ValidationError) as refused:
        call_decide(call=fresh(open_call), by=official, award=[reviewed, unreviewed])
    assert refused.value.messages == [
        "“Nobody read me” has no completed review; assign a reviewer on the review desk and award it once their "
        "review is in."
    ]
    assert not Partnership.objects.exists()
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.UNDER_REVIEW

    client.force_login(official)
    response = client.post(f"/calls/{open_call.pk}/ranking/", {"proposals": [unreviewed.pk], "action": "award"})
    assert response.status_code == 400
    assert "“Nobody read me” has no completed review" in response.content.decode()
    assert Proposal.objects.get(pk=unreviewed.pk).status == Proposal.Status.UNDER_REVIEW
    assert fresh(open_call).awarded_at is None


def test_after_the_deadline_a_reviewed_proposal_is_awarded_as_before(client, open_call, city, reviewed):
    pass_deadline(open_call)
    client.force_login(city[1])
    assert "Close the call early" not in client.get(f"/calls/{open_call.pk}/ranking/").content.decode()
    response = client.post(
        f"/calls/{open_call.pk}/ranking/", {"proposals": [reviewed.pk], "action": "award", "message": "Yes"}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=reviewed.pk).status == Proposal.Status.AWARDED
    assert fresh(open_call).awarded_at is not None
    assert ReviewAssignment.objects.filter(proposal=reviewed, status=ReviewAssignment.Status.SUBMITTED).exists()


@needs_postgresql
@race_db
def test_two_officials_closing_at_once_email_each_team_once(open_call, city, drafts, password, mailoutbox):
    _org, official = city
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(official)
    race(clients, lambda _i, c: c.post(f"/calls/{open_call.pk}/close-early/"))
    assert len(mailoutbox) == 4
    assert not fresh(open_call).accepts_submissions()


@needs_postgresql
@race_db
def test_closing_and_awarding_at_once_never_fails(open_call, city, reviewed, drafts):
    _org, official = city
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(official)

    def send(index, c):
        if index == 0:
            return c.post(f"/calls/{open_call.pk}/close-early/")
        return c.post(f"/calls/{open_call.pk}/ranking/", {"proposals": [reviewed.pk], "action": "award"})

    race(clients, send)
    status = Proposal.objects.get(pk=reviewed.pk).status
    # The award lands only if the call was closed first; otherwise it is refused and nothing changed.
    assert (status == Proposal.Status.AWARDED) == (fresh(open_call).awarded_at is not None)
    assert not fresh(open_call).accepts_submissions()
