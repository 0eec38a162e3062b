"""Set-up for tests that award: a completed review and a deadline in the past, as an award requires."""

import datetime as dt
import itertools

from django.utils import timezone

from calls.models import Proposal, ResearchCall, ReviewAssignment
from calls.services.reviews import review_assign, review_declare, review_submit
from profiles.factories import ResearcherProfileFactory, UserFactory

_reviewers = itertools.count(1)


def complete_review(proposal: Proposal, *, official, score: int = 3) -> ReviewAssignment:
    """A reviewer from outside the team assigned, declared and scored every criterion with ``score``."""
    reviewer = UserFactory(email=f"award.reviewer{next(_reviewers)}@example.org", verified_email=True)
    ResearcherProfileFactory(user=reviewer)
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=official)
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    scores = {c.pk: score for c in proposal.call.criteria.all()}
    return review_submit(assignment=assignment, by=reviewer, scores=scores, comments="Sound plan.")


def pass_deadline(call: ResearchCall) -> ResearchCall:
    """Move the call's deadline (both, in a two-stage call) into the past, as if it had run out."""
    now = timezone.now()
    changes = {"closes_at": max(call.opens_at + dt.timedelta(seconds=1), now - dt.timedelta(minutes=2))}
    if call.two_stage:
        changes["full_proposal_closes_at"] = now - dt.timedelta(minutes=1)
    ResearchCall.objects.filter(pk=call.pk).update(**changes)
    call.refresh_from_db()
    call.__dict__.pop("status", None)
    return call


def ready_to_award(call: ResearchCall, proposals, *, official) -> ResearchCall:
    """Each proposal reviewed, then the deadline passed: the state in which a city awards."""
    for proposal in proposals:
        if not proposal.review_assignments.filter(status=ReviewAssignment.Status.SUBMITTED).exists():
            complete_review(proposal, official=official)
    return pass_deadline(call)
