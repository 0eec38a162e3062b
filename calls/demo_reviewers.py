"""Demo of reviewer matching (issue 18 §2) on the first closed demo call: reviewers who accepted, their bids, an
earlier affiliation and a shared DOI that make conflicts, and a balanced automatic assignment (demo content only:
the assignments are created as the plan says, without emailing the fictional reviewers)."""

import uuid

from django.db import transaction
from django.utils import timezone

from calls.models import Proposal, ResearchCall, ReviewAssignment, ReviewBid
from calls.services.reviewer_matching import plan_assignments
from profiles.models import AffiliationPeriod, Membership, Organisation, Publication, User

DEMO_DOI = "10.5281/zenodo.8800001"


@transaction.atomic
def seed_reviewer_matching(researchers: list[User]) -> bool:
    """Idempotent: does nothing once the demo call has bids. Returns whether it created anything."""
    call = ResearchCall.objects.filter(slug="inclusive-public-space").first()
    if call is None or len(researchers) < 30 or ReviewBid.objects.filter(proposal__call=call).exists():
        return False
    proposals = list(Proposal.objects.filter(call=call).order_by("pk"))
    if len(proposals) < 3:
        return False
    official = Membership.objects.filter(organisation=call.organisation, role="admin", status="approved").first().user
    ResearchCall.objects.filter(pk=call.pk).update(reviews_per_proposal=5, reviewer_cap_per_call=3, conflict_years=3)
    call.refresh_from_db()
    p0, p1, p2 = proposals[:3]
    r26, r27, r28 = researchers[26:29]
    for reviewer, proposal in ((r26, p0), (r27, p1), (r28, p2)):  # accepted the city's invitation, reviewing
        ReviewAssignment.objects.get_or_create(
            proposal=proposal,
            reviewer=reviewer,
            defaults={
                "email": reviewer.email,
                "assigned_by": official,
                "status": ReviewAssignment.Status.ACCEPTED,
                "declared_at": timezone.now(),
                "token": uuid.uuid4(),
            },
        )
    # Co-authors: r28 and the lead of the first proposal list the same article.
    for user in (r28, p0.lead):
        Publication.objects.get_or_create(
            profile=user.researcher_profile,
            doi=DEMO_DOI,
            defaults={"title": "Mapping exclusion in public space (demo)", "year": timezone.now().year - 1},
        )
    # An earlier affiliation: r26 worked where the lead of the third proposal works now.
    organisation = Organisation.objects.filter(kind=Organisation.Kind.UNIVERSITY, verified=True).order_by("pk").first()
    if organisation is not None:
        year = timezone.now().year
        AffiliationPeriod.objects.get_or_create(
            profile=r26.researcher_profile,
            organisation=organisation,
            defaults={"start_year": year - 6, "end_year": year - 1},
        )
        AffiliationPeriod.objects.get_or_create(
            profile=p2.lead.researcher_profile, organisation=organisation, defaults={"start_year": year - 2}
        )
    for reviewer, proposal, level in (
        (r27, p2, ReviewBid.Level.EAGER),
        (r26, p0, ReviewBid.Level.WILLING),
        (r28, p1, ReviewBid.Level.NOT_MY_FIELD),
        (r27, p0, ReviewBid.Level.WILLING),
    ):
        ReviewBid.objects.get_or_create(proposal=proposal, reviewer=reviewer, defaults={"level": level})
    plan = plan_assignments(call, by=official)
    for row in plan.rows:
        ReviewAssignment.objects.get_or_create(
            proposal=row.proposal,
            reviewer=row.reviewer,
            defaults={"email": row.reviewer.email, "assigned_by": official, "token": uuid.uuid4()},
        )
    return True
