"""Reviewers found and balanced (issue 18 §2): conflicts of interest beyond the team and the organisation,
suggested reviewers with reasons, load caps, "assign automatically" with a preview, and bids.

The conflicts of interest themselves are in ``calls.conflicts``.

Who may bid: researchers who accepted to review for the call (an accepted or submitted review of one of its
proposals). Suggested reviewers have agreed to nothing yet, so they see no proposal; the city first invites them.
"""

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.conflicts import Conflict, conflicts_for
from calls.matching import selectors as matching
from calls.models import Proposal, ResearchCall, ReviewAssignment, ReviewBid, TeamMember
from calls.notifications import reviews as notify
from calls.selectors import proposals_for_review_desk
from calls.services.reviews import ASSIGNABLE, _require_official
from profiles.emails import normalise_email
from profiles.models import ResearcherProfile, User

SUGGESTIONS = 20
BID_RANK = {ReviewBid.Level.EAGER: 0, ReviewBid.Level.WILLING: 1, None: 2}
POOL_STATUSES = (ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED)


# -- suggested reviewers and the pool -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    profile: ResearcherProfile
    match: object  # calls.matching.engine.Match
    conflicts: list[tuple[Proposal, list[Conflict]]]
    load_call: int
    load_month: int
    accepted: bool


def assignable_proposals(user: User, call: ResearchCall) -> list[Proposal]:
    return list(
        proposals_for_review_desk(user, call)
        .filter(status__in=ASSIGNABLE)
        .select_related("lead")
        .prefetch_related(None)
        .order_by("submitted_at", "pk")
    )


def _month_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def loads(call: ResearchCall, user_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, tuple[int, int]]:
    """user → (active reviews in this call, review invitations received this month in any call)."""
    start = _month_start(now or timezone.now())
    rows = (
        ReviewAssignment.objects.filter(reviewer_id__in=list(user_ids), status__in=ReviewAssignment.ACTIVE)
        .values("reviewer_id")
        .annotate(
            in_call=Count("pk", filter=Q(proposal__call_id=call.pk)),
            in_month=Count("pk", filter=Q(created_at__gte=start)),
        )
        .order_by()
    )
    return {row["reviewer_id"]: (row["in_call"], row["in_month"]) for row in rows}


def applicant_ids(call: ResearchCall) -> set[int]:
    """Everyone applying to the call (leads and team members of its proposals): they review none of it."""
    leads = set(
        Proposal.objects.filter(call=call).exclude(status=Proposal.Status.DRAFT).values_list("lead_id", flat=True)
    )
    members = set(
        TeamMember.objects.filter(proposal__call=call, user__isnull=False)
        .exclude(status=TeamMember.Status.DECLINED)
        .exclude(proposal__status=Proposal.Status.DRAFT)
        .values_list("user_id", flat=True)
    )
    return leads | members


def accepted_reviewers(call: ResearchCall) -> list[User]:
    """Researchers who accepted to review for the call: an accepted or submitted review of one of its proposals."""
    ids = ReviewAssignment.objects.filter(proposal__call=call, status__in=POOL_STATUSES).values("reviewer_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def suggested_reviewers(call: ResearchCall, *, viewer: User, limit: int = SUGGESTIONS):
    """Researchers the matching engine ranks for the call, with reasons and their conflicts per proposal.

    Returns (suggestions, left_out): applicants to the call and researchers in conflict with every proposal are
    left out, each with the reason.
    """
    fits = matching.researchers_for_call(call, viewer=viewer, limit=limit)
    proposals = assignable_proposals(viewer, call)
    applicants = applicant_ids(call)
    users = [fit.object.user for fit in fits]
    found = conflicts_for(call, proposals, users)
    load = loads(call, [u.pk for u in users])
    pool = {u.pk for u in accepted_reviewers(call)}
    suggestions, left_out = [], []
    for fit in fits:
        user = fit.object.user
        if user.pk in applicants:
            left_out.append((fit, _("Applies to this call.")))
            continue
        per_proposal = [(p, found[(p.pk, user.pk)]) for p in proposals if (p.pk, user.pk) in found]
        if proposals and len(per_proposal) == len(proposals):
            left_out.append((fit, _("In conflict with every proposal of this call.")))
            continue
        in_call, in_month = load.get(user.pk, (0, 0))
        suggestions.append(Suggestion(fit.object, fit.match, per_proposal, in_call, in_month, accepted=user.pk in pool))
    return suggestions, left_out, proposals


# -- assign automatically -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    proposal: Proposal
    reviewer: User
    bid: str | None
    source: str  # "accepted" or "suggested"

    @property
    def bid_label(self) -> str:
        return dict(ReviewBid.Level.choices).get(self.bid, "")


@dataclass
class Plan:
    rows: list[Planned]
    short: list[tuple[Proposal, int]]  # proposals left below k, and how many reviews they miss
    loads: dict[int, tuple[int, int]]  # reviewer → (in call, in month) after the plan
    reviewers: list[User]
    include_suggested: bool

    @property
    def signature(self) -> str:
        pairs = ",".join(f"{r.proposal.pk}:{r.reviewer.pk}" for r in sorted(self.rows, key=_pair_key))
        return hashlib.sha256(f"{int(self.include_suggested)}|{pairs}".encode()).hexdigest()[:32]

    def per_reviewer(self) -> list[tuple[User, list[Planned], tuple[int, int]]]:
        by: dict[int, list[Planned]] = defaultdict(list)
        for row in self.rows:
            by[row.reviewer.pk].append(row)
        return [(u, by[u.pk], self.loads.get(u.pk, (0, 0))) for u in self.reviewers if by[u.pk]]


def _pair_key(row: Planned) -> tuple[int, int]:
    return (row.proposal.pk, row.reviewer.pk)


def _pool(call: ResearchCall, by: User, include_suggested: bool) -> tuple[list[User], dict[int, str], dict[int, int]]:
    """Candidates (accepted reviewers first, then suggested ones when asked), where each comes from, their fit."""
    accepted = accepted_reviewers(call)
    source = {u.pk: "accepted" for u in accepted}
    points: dict[int, int] = {}
    users = list(accepted)
    if include_suggested:
        suggestions, _left_out, _proposals = suggested_reviewers(call, viewer=by)
        for s in suggestions:
            points[s.profile.user_id] = s.match.points
            if s.profile.user_id not in source:
                source[s.profile.user_id] = "suggested"
                users.append(s.profile.user)
    applicants = applicant_ids(call)
    return [u for u in users if u.pk not in applicants and u.is_active], source, points


def plan_assignments(call: ResearchCall, *, by: User, include_suggested: bool = False) -> Plan:
    """Who would review what: each assignable proposal is topped up to ``reviews_per_proposal`` reviews.

    Round by round (one more review per proposal each round, the proposals with the fewest candidates first), each
    slot goes to the candidate who bid highest (eager, willing, no bid; never "not my field"), then has the
    fewest reviews in the call, then fits best; nobody above the caps, no conflict, no second invitation to the
    same proposal. Deterministic, so that the confirmation recomputes exactly what the preview showed.
    """
    proposals = assignable_proposals(by, call)
    reviewers, source, points = _pool(call, by, include_suggested)
    k = call.reviews_per_proposal
    ids = [u.pk for u in reviewers]
    load = {pk: list(v) for pk, v in loads(call, ids).items()}
    for pk in ids:
        load.setdefault(pk, [0, 0])
    existing: set[tuple[int, int]] = set()
    existing_emails: set[tuple[int, str]] = set()
    active: dict[int, int] = defaultdict(int)
    for proposal_id, reviewer_id, email, status in ReviewAssignment.objects.filter(
        proposal__in=[p.pk for p in proposals]
    ).values_list("proposal_id", "reviewer_id", "email", "status"):
        if reviewer_id:
            existing.add((proposal_id, reviewer_id))
        if email:
            existing_emails.add((proposal_id, email.lower()))
        if status in ReviewAssignment.ACTIVE:
            active[proposal_id] += 1
    bids = {
        (p, r): level
        for p, r, level in ReviewBid.objects.filter(
            proposal__in=[p.pk for p in proposals], reviewer_id__in=ids
        ).values_list("proposal_id", "reviewer_id", "level")
    }
    found = conflicts_for(call, proposals, reviewers)

    def eligible(p: Proposal, u: User) -> bool:
        return (
            (p.pk, u.pk) not in found
            and (p.pk, u.pk) not in existing
            and (p.pk, normalise_email(u.email)) not in existing_emails
            and bids.get((p.pk, u.pk)) != ReviewBid.Level.NOT_MY_FIELD
        )

    candidates = {p.pk: [u for u in reviewers if eligible(p, u)] for p in proposals}
    order = sorted(proposals, key=lambda p: (len(candidates[p.pk]), p.submitted_at or timezone.now(), p.pk))
    need = {p.pk: max(0, k - active[p.pk]) for p in proposals}
    rows: list[Planned] = []
    for _round in range(k):
        for p in order:
            if need[p.pk] <= 0:
                continue
            free = [
                u
                for u in candidates[p.pk]
                if load[u.pk][0] < call.reviewer_cap_per_call and load[u.pk][1] < call.reviewer_cap_per_month
            ]
            if not free:
                continue
            best = min(
                free, key=lambda u: (BID_RANK.get(bids.get((p.pk, u.pk)), 2), load[u.pk][0], -points.get(u.pk, 0), u.pk)
            )
            rows.append(Planned(p, best, bids.get((p.pk, best.pk)), source[best.pk]))
            candidates[p.pk].remove(best)
            load[best.pk][0] += 1
            load[best.pk][1] += 1
            need[p.pk] -= 1
    _repair(call, order, need, rows, candidates, load, lambda p, u: Planned(p, u, bids.get((p.pk, u.pk)), source[u.pk]))
    short = [(p, need[p.pk]) for p in proposals if need[p.pk] > 0]
    rows.sort(key=lambda r: (r.proposal.submitted_at or timezone.now(), r.proposal.pk, r.reviewer.pk))
    return Plan(rows, short, {pk: tuple(v) for pk, v in load.items()}, reviewers, include_suggested)


def _repair(call, proposals, need, rows: list[Planned], candidates, load, planned) -> None:
    """Fill what the greedy rounds left short by one swap: a reviewer at the cap who could take the short proposal
    hands one of their planned proposals to a reviewer with room who may review it."""

    def has_room(u: User) -> bool:
        return load[u.pk][0] < call.reviewer_cap_per_call and load[u.pk][1] < call.reviewer_cap_per_month

    for p in proposals:
        while need[p.pk] > 0:
            swapped = False
            for u in list(candidates[p.pk]):  # eligible for p, not yet planned on it, hence at a cap
                for index, row in enumerate(rows):
                    if row.reviewer.pk != u.pk or row.proposal.pk == p.pk:
                        continue
                    taker = next((v for v in candidates[row.proposal.pk] if has_room(v)), None)
                    if taker is None:
                        continue
                    rows[index] = planned(row.proposal, taker)
                    candidates[row.proposal.pk].remove(taker)
                    candidates[row.proposal.pk].append(u)
                    load[taker.pk][0] += 1
                    load[taker.pk][1] += 1
                    rows.append(planned(p, u))
                    candidates[p.pk].remove(u)
                    need[p.pk] -= 1
                    swapped = True
                    break
                if swapped:
                    break
            if not swapped:
                break


class PlanChanged(Exception):
    """What the preview showed is no longer what would be created; carries the fresh plan."""

    def __init__(self, plan: Plan):
        super().__init__("plan changed")
        self.plan = plan


@transaction.atomic
def auto_assign_confirm(
    *, call: ResearchCall, by: User, signature: str, include_suggested: bool = False, due_at: dt.datetime | None = None
) -> list[ReviewAssignment]:
    """Create the assignments the preview showed, in one transaction, and invite the reviewers.

    The call's row is locked first (two runs on one call queue up), then the candidates' rows (runs on two calls
    sharing a reviewer queue up for the monthly cap); the plan is then computed again on what is stored. If it
    differs from the preview's (a double submit after the first went through, or anything changed meanwhile),
    nothing is created and ``PlanChanged`` carries the new plan.
    """
    _require_official(by, call)
    call = ResearchCall.objects.select_for_update().get(pk=call.pk)
    candidates, _source, _points = _pool(call, by, include_suggested)
    list(User.objects.select_for_update().filter(pk__in=[u.pk for u in candidates]).order_by("pk").values("pk"))
    plan = plan_assignments(call, by=by, include_suggested=include_suggested)
    if plan.signature != signature or not plan.rows:
        raise PlanChanged(plan)
    created = []
    try:
        with transaction.atomic():
            for row in plan.rows:
                created.append(
                    ReviewAssignment.objects.create(
                        proposal=row.proposal,
                        reviewer=row.reviewer,
                        email=normalise_email(row.reviewer.email),
                        token=uuid.uuid4(),
                        assigned_by=by,
                        due_at=due_at,
                    )
                )
    except IntegrityError:
        # A reviewer invited by hand to one of these proposals at this very moment: nothing of the run is kept.
        raise ValidationError(
            _("A reviewer was invited by hand meanwhile; nothing was created. Check the new plan and confirm again.")
        ) from None
    now = timezone.now()
    Proposal.objects.filter(pk__in={r.proposal.pk for r in plan.rows}, status=Proposal.Status.SUBMITTED).update(
        status=Proposal.Status.UNDER_REVIEW, updated_at=now
    )
    for assignment in created:
        transaction.on_commit(lambda pk=assignment.pk: notify.email_review_assigned(assignment_id=pk))
    return created


# -- bids -----------------------------------------------------------------------------------------------------------


def may_bid(user: User, call: ResearchCall) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and ReviewAssignment.objects.filter(proposal__call=call, reviewer=user, status__in=POOL_STATUSES).exists()
    )


def biddable_proposals(user: User, call: ResearchCall) -> list[Proposal]:
    """The call's proposals open to bids, as a reviewer of the call sees them (title and summary only): none of a
    sealed call before its deadline, none the reviewer is on the team of."""
    if not may_bid(user, call):
        return []
    deadline = call.full_proposal_closes_at if call.two_stage and call.full_proposal_closes_at else call.closes_at
    if call.sealed and timezone.now() < deadline:
        return []
    own = TeamMember.objects.filter(user=user).values("proposal_id")
    return list(
        Proposal.objects.filter(call=call, status__in=ASSIGNABLE)
        .exclude(lead=user)
        .exclude(pk__in=own)
        .only("pk", "title", "summary", "call_id", "submitted_at")
        .order_by("submitted_at", "pk")
    )


@transaction.atomic
def bids_save(*, call: ResearchCall, by: User, levels: dict[int, str | None]) -> int:
    """Store the reviewer's bids (proposal id → level, None to withdraw one); returns how many changed."""
    if not may_bid(by, call):
        raise ValidationError(_("Only reviewers who accepted to review for this call may bid."))
    allowed = {p.pk for p in biddable_proposals(by, call)}
    unknown = set(levels) - allowed
    if unknown:
        raise ValidationError(_("Some of these proposals are no longer open to bids. Reload the page."))
    valid = set(ReviewBid.Level.values)
    if any(level is not None and level not in valid for level in levels.values()):
        raise ValidationError(_("Choose eager, willing or not my field."))
    current = {
        b.proposal_id: b for b in ReviewBid.objects.select_for_update().filter(reviewer=by, proposal__in=allowed)
    }
    changed = 0
    for proposal_id, level in levels.items():
        bid = current.get(proposal_id)
        if level is None:
            if bid is not None:
                bid.delete()
                changed += 1
        elif bid is None:
            try:
                with transaction.atomic():
                    ReviewBid.objects.create(proposal_id=proposal_id, reviewer=by, level=level)
            except IntegrityError:  # the same bid sent twice at once: the later one wins, as an update
                ReviewBid.objects.filter(proposal_id=proposal_id, reviewer=by).update(level=level)
            changed += 1
        elif bid.level != level:
            ReviewBid.objects.filter(pk=bid.pk).update(level=level, updated_at=timezone.now())
            changed += 1
    return changed


def bids_of(user: User, call: ResearchCall) -> dict[int, str]:
    return dict(ReviewBid.objects.filter(reviewer=user, proposal__call=call).values_list("proposal_id", "level"))


def bid_counts(call: ResearchCall, proposal_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """For the city: per proposal, how many eager / willing / not-my-field bids it got."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        ReviewBid.objects.filter(proposal__in=list(proposal_ids))
        .values("proposal_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["proposal_id"]][row["level"]] = row["n"]
    return counts
