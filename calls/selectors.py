"""Reads with their visibility rules for calls, proposals and reviews (the one place each rule lives)."""

from collections.abc import Iterable

from django.db.models import Case, IntegerField, Max, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from wagtail.models import WorkflowState

from calls.models import ConsultationComment, Proposal, ResearchCall, ReviewAssignment, ReviewScore, TeamMember
from calls.scoring import score_proposal
from hub.translation import originals
from profiles.models import CityPage, Membership, Organisation, User
from profiles.visibility import verified_addresses


def calls_public() -> QuerySet[ResearchCall]:
    """Published calls of live city pages, with what listings show."""
    return originals(ResearchCall.objects.live().public()).select_related("organisation", "organisation__country")


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
    return originals(ResearchCall.objects.filter(organisation_id__in=official_organisation_ids(user))).select_related(
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


# What ``sealed_deadlines_ahead`` reads of each call.
DEADLINE_FIELDS = ("sealed", "two_stage", "closes_at", "full_proposal_closes_at")


def sealed_deadlines_ahead(calls: Iterable[tuple], now) -> tuple:
    """Of ``calls`` (rows of pk and ``DEADLINE_FIELDS``), the sealed ones with a deadline still ahead, and which:
    what ``_sealed_until_deadline`` depends on besides the proposals, for counts kept in a cache (they change when
    one of these deadlines passes)."""
    ahead = []
    for pk, sealed, two_stage, closes_at, full_closes_at in calls:
        first, full = closes_at > now, bool(two_stage and full_closes_at and full_closes_at > now)
        if sealed and (first or full):
            ahead.append((pk, first, full))
    return tuple(sorted(ahead))


def proposal_ids_of_team(user: User) -> QuerySet:
    return TeamMember.objects.filter(
        Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED), user=user
    ).values("proposal_id")


def proposal_ids_led_or_joined(user: User) -> QuerySet:
    """Ids of the proposals a user leads or has joined as a member.

    A union of two index lookups: ``Q(lead=user) | Q(pk__in=...)`` makes PostgreSQL scan every proposal.
    """
    return Proposal.objects.filter(lead=user).order_by().values("pk").union(proposal_ids_of_team(user).order_by())


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
    # An anonymised proposal (data retention) is no one's any more: its scores stay for statistics only.
    return Proposal.objects.filter(team | city | reviewer, anonymised_at__isnull=True).select_related(
        "call", "call__organisation", "lead"
    )


def proposals_seen_by_city(user: User) -> QuerySet[Proposal]:
    """The city's share of ``proposals_visible_to``: the submitted proposals of the calls of the governments the
    user is an official of (sealed: after the deadline), without the joins, for lists that sort thousands of them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Proposal.objects.none()
    return Proposal.objects.filter(
        _sealed_until_deadline(timezone.now()),
        call__organisation_id__in=official_organisation_ids(user),
        status__in=Proposal.SUBMITTED_STATES,
        anonymised_at__isnull=True,
    )


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


def official_city_pages(user: User) -> QuerySet:
    """The city pages of the verified governments the user is an official of."""
    if not getattr(user, "is_authenticated", False):
        return CityPage.objects.none()
    return CityPage.objects.filter(organisation_id__in=official_organisation_ids(user)).select_related(
        "organisation"
    )  # originals: translations have none


def calls_on_official_desk(user: User) -> QuerySet[ResearchCall]:
    """The calls of the user's cities (drafts included) with what their state needs: moderation and schedule."""
    # Wagtail's prefetch_workflow_states() follows the base content type, which a ResearchCall queryset does not
    # match; the specific relation finds the states, stored where workflow_in_progress looks for them.
    return (
        calls_managed_by(user)
        .defer_streamfields()
        .annotate_approved_schedule()
        .prefetch_related(
            Prefetch(
                "_specific_workflow_states",
                queryset=WorkflowState.objects.active().select_related("current_task_state__task"),
                to_attr="_current_workflow_states",
            )
        )
    )


def city_pages_where_user_may_add(user: User) -> list[tuple]:
    """(city page, {"app.model" of the page types the user may add under it}) for each of the user's city pages
    where Wagtail's page permissions let them add a page; the admin's add view applies the same rules."""
    pages = []
    for city_page in official_city_pages(user).order_by("title"):
        if not city_page.permissions_for_user(user).can_add_subpage():
            continue
        allowed = {
            model._meta.label_lower
            for model in city_page.specific_class.creatable_subpage_models()
            if model.can_create_at(city_page)
        }
        if allowed:
            pages.append((city_page, allowed))
    return pages


def consultation_comments_public(call: ResearchCall) -> QuerySet:
    """A call's published consultation comments, oldest first."""
    return ConsultationComment.objects.filter(call=call, status=ConsultationComment.Status.PUBLISHED).select_related(
        "author", "organisation"
    )


def consultation_comments_for_city(call: ResearchCall) -> QuerySet:
    """Every comment on a call, pending first (callers check that the user manages the call)."""
    pending_first = Case(
        When(status=ConsultationComment.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        ConsultationComment.objects.filter(call=call)
        .select_related("author", "organisation", "moderated_by")
        .order_by(pending_first, "created_at")
    )


def proposals_for_review_desk(user: User, call: ResearchCall) -> QuerySet[Proposal]:
    """Submitted proposals of a call the user may see as its city, with reviewers and latest version number."""
    return (
        proposals_visible_to(user)
        .filter(call=call, status__in=Proposal.SUBMITTED_STATES)
        .annotate(latest_number=Max("versions__number", filter=Q(versions__is_withdrawn=False)))
        .prefetch_related(
            Prefetch(
                "review_assignments",
                queryset=ReviewAssignment.objects.select_related("reviewer", "version").order_by("created_at"),
            ),
            Prefetch("team", queryset=TeamMember.objects.select_related("country").order_by("-role", "invited_at")),
        )
        .order_by("submitted_at", "pk")
    )


def sealed_proposal_count(user: User, call: ResearchCall) -> int:
    """How many submitted proposals of a call the city cannot open yet because the call is sealed."""
    if not call.sealed:
        return 0
    return (
        Proposal.objects.filter(call=call, status__in=Proposal.SUBMITTED_STATES)
        .exclude(pk__in=proposals_visible_to(user).values("pk"))
        .count()
    )


def call_scores(call: ResearchCall, proposal_ids) -> dict:
    """Per proposal id: its ProposalScore from submitted reviews only (two queries whatever the numbers)."""
    weights = {c.pk: c.weight for c in call.criteria.all()}
    reviews: dict[int, dict[int, dict]] = {pid: {} for pid in proposal_ids}
    rows = ReviewScore.objects.filter(
        assignment__proposal_id__in=list(reviews),
        assignment__status=ReviewAssignment.Status.SUBMITTED,
    ).values_list("assignment__proposal_id", "assignment_id", "criterion_id", "score")
    for proposal_id, assignment_id, criterion_id, score in rows:
        reviews[proposal_id].setdefault(assignment_id, {})[criterion_id] = score
    return {pid: score_proposal(pid, list(by_assignment.values()), weights) for pid, by_assignment in reviews.items()}


def review_assignments_to_do(user: User) -> QuerySet[ReviewAssignment]:
    """A reviewer's open assignments: to declare or to score, on proposals not decided yet."""
    return (
        assignments_of(user)
        .filter(status__in=[ReviewAssignment.Status.INVITED, ReviewAssignment.Status.ACCEPTED])
        .exclude(proposal__status__in=Proposal.DECIDED)
        .select_related("proposal__call__organisation")
        .order_by("due_at", "created_at")
    )


def proposals_of_team_member(user: User) -> QuerySet[Proposal]:
    """The proposals a user leads or has joined, most recently changed first, with their call."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(pk__in=proposal_ids_led_or_joined(user))
        .select_related("call", "call__organisation")
        .order_by("-updated_at", "-pk")
    )


def team_invitations_for(user: User) -> QuerySet[TeamMember]:
    """Open team invitations sent to one of the user's verified email addresses."""
    emails = verified_addresses(user)
    if not emails:
        return TeamMember.objects.none()
    return (
        TeamMember.objects.filter(email__in=emails, status=TeamMember.Status.INVITED)
        .select_related("proposal__call__organisation", "proposal__lead")
        .order_by("-invited_at")
    )
