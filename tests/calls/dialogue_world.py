"""A proposal with people in every role, for the dialogue tests (issue 18 §3)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import Proposal, ResearchCall, ReviewAssignment, TeamMember
from calls.services.reviews import review_assign, review_declare, review_submit
from profiles.models import CityPage, User
from tests.calls.test_review_assignment import person


@dataclass
class World:
    call: ResearchCall
    proposal: Proposal
    other_proposal: Proposal
    users: dict[str, User | None]
    assignment: ReviewAssignment


ROLES = (
    "lead",
    "member",
    "other_team",
    "official",
    "foreign_official",
    "reviewer",
    "other_reviewer",
    "anonymous",
)


def build_world(make_city, *, blind: bool = False, **call_fields) -> World:
    organisation, official = make_city("Graz")
    _foreign, foreign_official = make_city("Linz")
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), blind_review=blind, **call_fields)
    lead = person("lead@example.org")
    member = person("member@example.org")
    proposal = ProposalFactory(call=call, lead=lead, title="Older tenants and the right to housing")
    TeamMember.objects.create(
        proposal=proposal,
        user=member,
        email=member.email,
        name="Mara Member",
        role=TeamMember.Role.CO_APPLICANT,
        status=TeamMember.Status.ACCEPTED,
    )
    submit_for_tests(proposal)
    other_lead = person("other.lead@example.org")
    other_proposal = ProposalFactory(call=call, lead=other_lead, title="Shelters and dignity")
    submit_for_tests(other_proposal)
    reviewer = person("reviewer@example.org")
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    # A reviewer of another call (of the foreign city).
    other_call = make_call(city_page=CityPage.objects.get(organisation=_foreign), title="Access to justice")
    foreign_proposal = ProposalFactory(call=other_call, lead=person("foreign.lead@example.org"))
    submit_for_tests(foreign_proposal)
    other_reviewer = person("other.reviewer@example.org")
    other_assignment = review_assign(
        proposal=foreign_proposal, reviewer_email=other_reviewer.email, by=foreign_official
    )
    review_declare(assignment=other_assignment, by=other_reviewer, has_conflict=False)
    users = {
        "lead": lead,
        "member": member,
        "other_team": other_lead,
        "official": official,
        "foreign_official": foreign_official,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
        "anonymous": None,
    }
    assignment.refresh_from_db()
    return World(call=call, proposal=proposal, other_proposal=other_proposal, users=users, assignment=assignment)


def submit_review(world: World, comments: str = "Convincing participation plan; the sample is small.") -> None:
    criteria = list(world.call.criteria.all())
    review_submit(
        assignment=world.assignment,
        by=world.users["reviewer"],
        scores={c.pk: 4 for c in criteria},
        comments=comments,
    )


def open_response_stage(world: World, *, closes_in: dt.timedelta = dt.timedelta(days=7)) -> None:
    """Move the call past its deadline into an open response stage (dates written directly: a test set-up)."""
    now = timezone.now()
    ResearchCall.objects.filter(pk=world.call.pk).update(
        opens_at=now - dt.timedelta(days=40),
        closes_at=now - dt.timedelta(days=2),
        review_release="response_stage",
        response_opens_at=now - dt.timedelta(days=1),
        response_closes_at=now + closes_in,
    )
    world.call.refresh_from_db()
    world.proposal.call = world.call
