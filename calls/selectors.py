"""Reads with their visibility rules for calls, proposals and reviews (the one place each rule lives)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from calls.models import Proposal, ResearchCall, ReviewAssignment, TeamMember
from profiles.models import Membership, Organisation, User


def calls_public() -> QuerySet[ResearchCall]:
    """Published calls of live city pages, with what listings show."""
    return ResearchCall.objects.live().public().select_related("organisation", "organisation__country")


def is_official(user: User, organisation: Organisation | int | None) -> bool:
    """An approved member of a verified local or regional government."""
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return False
    organisation_id = getattr(organisation, "pk", organisation)
    return Membership.objects.filter(
        user=user,
        organisation_id=organisation_id,
        organisation__verified=True,
        organisation__kind__in=Organisation.GOVERNMENT_KINDS,
        status=Membership.Status.APPROVED,
    ).exists()


def official_organisation_ids(user: User) -> QuerySet:
    """Ids of the verified governments the user is an official of."""
    return Membership.objects.filter(
        user=user,
        status=Membership.Status.APPROVED,
        organisation__verified=True,
        organisation__kind__in=Organisation.GOVERNMENT_KINDS,
    ).values("organisation_id")


def calls_managed_by(user: User) -> QuerySet[ResearchCall]:
    """Every call (draft or live) of the cities the user is an official of."""
    if not getattr(user, "is_authenticated", False):
        return ResearchCall.objects.none()
    return ResearchCall.objects.filter(organisation_id__in=official_organisation_ids(user)).select_related(
        "organisation"
    )


def _sealed_until_deadline(now) -> Q:
    """A sealed call's submissions become visible to the city at the deadline of their stage."""
    return (
        Q(call__sealed=False)
        | Q(stage=Proposal.Stage.CONCEPT, call__closes_at__lte=now)
        | Q(stage=Proposal.Stage.FULL, call__two_stage=False, call__closes_at__lte=now)
        | Q(stage=Proposal.Stage.FULL, call__two_stage=True, call__full_proposal_closes_at__lte=now)
    )


def proposal_ids_of_team(user: User) -> QuerySet:
    return TeamMember.objects.filter(
        Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED), user=user
    ).values("proposal_id")


def proposals_visible_to(user: User) -> QuerySet[Proposal]:
    """The team sees its proposal; the call's city sees submitted ones (sealed: after the deadline);
    reviewers see the proposals they accepted to review, after declaring no conflict. Nobody else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Proposal.objects.none()
    now = timezone.now()
    team = Q(pk__in=proposal_ids_of_team(user)) | Q(lead=user)
    city = (
        Q(call__organisation_id__in=official_organisation_ids(user))
        & Q(status__in=Proposal.SUBMITTED_STATES)
        & _sealed_until_deadline(now)
    )
    reviewer = Q(
        pk__in=ReviewAssignment.objects.filter(
            reviewer=user, status__in=[ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED]
        ).values("proposal_id")
    ) & Q(status__in=Proposal.SUBMITTED_STATES)
    return Proposal.objects.filter(team | city | reviewer).select_related("call", "call__organisation", "lead")


def proposal_roles(user: User, proposal: Proposal) -> set[str]:
    """How the user relates to a proposal they can see: {"lead", "team", "city", "reviewer"}."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if proposal.lead_id == user.pk:
        roles |= {"lead", "team"}
    elif proposal.team.filter(user=user, status=TeamMember.Status.ACCEPTED).exists():
        roles.add("team")
    if is_official(user, proposal.call.organisation_id):
        roles.add("city")
    if proposal.review_assignments.filter(
        reviewer=user, status__in=[ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED]
    ).exists():
        roles.add("reviewer")
    return roles


def assignments_of(user: User) -> QuerySet[ReviewAssignment]:
    """A reviewer's own assignments (whatever their state)."""
    if not getattr(user, "is_authenticated", False):
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(reviewer=user).select_related("proposal", "proposal__call")
