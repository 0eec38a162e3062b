"""Issue 18 §3: invitations to review, information requests and decisions are emailed as before (always) and also
land in the notification centre of the accounts concerned, with no second email."""

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import TeamMember
from calls.services.reviews import call_decide, proposal_request_info, review_assign
from profiles.factories import UserFactory
from profiles.models import Notification
from tests.calls.test_review_assignment import person


@pytest.fixture
def submitted(open_call, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    TeamMember.objects.create(
        proposal=proposal,
        user=UserFactory(email="co@example.org"),
        email="co@example.org",
        name="Co Applicant",
        role=TeamMember.Role.CO_APPLICANT,
        status=TeamMember.Status.ACCEPTED,
    )
    TeamMember.objects.create(
        proposal=proposal,
        user=UserFactory(email="invited@example.org"),
        email="invited@example.org",
        name="Not Yet",
        role=TeamMember.Role.CO_APPLICANT,
        status=TeamMember.Status.INVITED,
    )
    submit_for_tests(proposal)
    return proposal


def centre(kind: str) -> dict[str, str]:
    return dict(Notification.objects.filter(kind=kind).values_list("user__email", "email"))


def test_a_reviewer_with_an_account_finds_the_invitation_in_the_centre(
    submitted, city, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer = person("reviewer@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = review_assign(proposal=submitted, reviewer_email=reviewer.email, by=city[1])
    assert centre("review_assigned") == {"reviewer@example.org": Notification.Email.NONE}
    note = Notification.objects.get(kind="review_assigned")
    assert note.url == f"/reviews/{assignment.pk}/" and "Housing of older tenants" in note.message
    assert [m.to for m in mailoutbox] == [["reviewer@example.org"]]  # the invitation, once


def test_an_information_request_and_a_decision_reach_the_team_who_accepted(
    submitted, city, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    _organisation, official = city
    with django_capture_on_commit_callbacks(execute=True):
        proposal_request_info(proposal=submitted, by=official, message="Add a budget table.")
    told = {researcher.email: Notification.Email.NONE, "co@example.org": Notification.Email.NONE}
    assert centre("info_requested") == told
    emails = len(mailoutbox)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(told)

    submitted.refresh_from_db()
    submit_for_tests(submitted)
    with django_capture_on_commit_callbacks(execute=True):
        call_decide(call=submitted.call, by=official, shortlist=[submitted])
    assert centre("proposal_outcome") == told
    note = Notification.objects.get(kind="proposal_outcome", user=researcher)
    assert note.url == f"/proposals/{submitted.pk}/" and "Shortlisted" in note.message
    # The decision's own email to each of the two, and no notification email besides it.
    assert sorted(m.to[0] for m in mailoutbox[emails:]) == sorted(told)
    assert not Notification.objects.filter(user=official).exists()
