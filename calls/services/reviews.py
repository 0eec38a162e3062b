"""Review and award: reviewer assignment with conflict checks, declarations, scores, info requests, decisions."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.hooks import run_award_handlers
from calls.models import Proposal, ResearchCall, ReviewAssignment, ReviewScore, TeamMember
from calls.notifications import reviews as notify
from calls.scoring import MAX_SCORE
from calls.selectors import is_official, proposals_visible_to
from profiles.emails import normalise_email, same_mailbox
from profiles.models import Membership, ResearcherProfile, User
from profiles.visibility import account_for_address, owns_address

ASSIGNABLE = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.UNDER_REVIEW,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.INFO_REQUESTED,
)
INFO_REQUESTABLE = (Proposal.Status.SUBMITTED, Proposal.Status.UNDER_REVIEW, Proposal.Status.SHORTLISTED)
DECIDABLE = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.UNDER_REVIEW,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.INVITED,
)


def can_run_review(user: User, call: ResearchCall) -> tuple[bool, str]:
    """Only officials of the call's city run its review and award (coordinators, who may edit or
    cancel any call, do not judge a city's proposals), with the reason when refused."""
    if is_official(user, call.organisation_id):
        return True, ""
    return False, _("Only officials of %(city)s manage this call.") % {"city": call.organisation}


def _require_official(user: User, call: ResearchCall) -> None:
    allowed, reason = can_run_review(user, call)
    if not allowed:
        raise PermissionDenied(reason)


def _require_visible(user: User, proposal: Proposal) -> None:
    # Sealed proposals stay out of reach of the city until the deadline, also for writes.
    if not proposals_visible_to(user).filter(pk=proposal.pk).exists():
        raise PermissionDenied(_("This proposal is not available to you."))


def _organisations_of(users: Sequence[User]) -> set[int]:
    ids = set(
        Membership.objects.filter(user__in=users, status=Membership.Status.APPROVED).values_list(
            "organisation_id", flat=True
        )
    )
    ids |= set(
        ResearcherProfile.objects.filter(user__in=users, affiliation__isnull=False).values_list(
            "affiliation_id", flat=True
        )
    )
    return ids


def reviewer_conflicts(*, proposal: Proposal, reviewer: User) -> list[str]:
    """Why this person may not review this proposal: team membership or a shared organisation.

    Told only to the reviewer, in their own terms: the city never learns from it whether an address has an account
    or what a reviewer's profile hides, and a blind reviewer learns no organisation of the team.
    """
    team = list(proposal.team.exclude(status=TeamMember.Status.DECLINED).select_related("user"))
    if proposal.lead_id == reviewer.pk or any(
        m.user_id == reviewer.pk or same_mailbox(m.email, reviewer.email) for m in team
    ):
        return [_("You are on the proposal's team.")]
    team_users = [m.user for m in team if m.user_id] + [proposal.lead]
    team_organisations = _organisations_of(team_users) | {m.organisation_id for m in team if m.organisation_id}
    if _organisations_of([reviewer]) & team_organisations:
        return [_("You share an organisation with the proposal's team.")]
    return []


def _team_address(proposal: Proposal, email: str) -> bool:
    """Is ``email`` an address on the proposal's team (the lead's or an invited co-applicant's)?"""
    if same_mailbox(proposal.lead.email, email):
        return True
    return proposal.team.exclude(status=TeamMember.Status.DECLINED).filter(email__iexact=email).exists()


@transaction.atomic
def review_assign(
    *, proposal: Proposal, reviewer_email: str, by: User, due_at: dt.datetime | None = None
) -> ReviewAssignment:
    """Invite a person to review a submitted proposal by email, whether or not the address has an account.

    An account whose verified address it is gets the invitation on its dashboard at once; anyone else gets an
    email to sign up with that address and open the invitation. The city is told the same either way, sees the
    address it typed until the reviewer answers, and conflicts of interest are checked when the reviewer declares.
    """
    _require_official(by, proposal.call)
    _require_visible(by, proposal)
    # The status as stored now, locked: a page loaded before the decision does not assign to a decided proposal.
    proposal.refresh_from_db(from_queryset=Proposal.objects.select_for_update())
    if proposal.status not in ASSIGNABLE:
        raise ValidationError(
            _("Reviewers can be assigned to submitted proposals that are not decided; this one is “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    email = normalise_email(reviewer_email)
    if not email:
        raise ValidationError({"reviewer_email": _("Enter the email address of the person you invite.")})
    if _team_address(proposal, email):
        raise ValidationError(
            {
                "reviewer_email": _(
                    "Conflict of interest: %(email)s is on the proposal's team. Choose a reviewer from outside it."
                )
                % {"email": email}
            }
        )
    already = proposal.review_assignments.filter(
        Q(email__iexact=email) | Q(email="", reviewer__email__iexact=email)
    ).exists()
    if already:
        raise ValidationError(
            {"reviewer_email": _("%(email)s is already invited to review this proposal.") % {"email": email}}
        )
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({"due_at": _("The due date must be in the future.")})
    reviewer = account_for_address(email)
    if reviewer is not None and proposal.review_assignments.filter(reviewer=reviewer).exists():
        # Invited before under another of their addresses: that invitation stands, and this one, unlinked, tells
        # the city nothing about whose addresses they are.
        reviewer = None
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                proposal=proposal, reviewer=reviewer, email=email, token=uuid.uuid4(), assigned_by=by, due_at=due_at
            )
    except IntegrityError:
        # The same reviewer assigned by a concurrent request: the message of the non-concurrent path.
        clash = Q(email=email) | (Q(reviewer=reviewer) if reviewer is not None else Q())
        if not proposal.review_assignments.filter(clash).exists():
            raise
        raise ValidationError(
            {"reviewer_email": _("%(email)s is already invited to review this proposal.") % {"email": email}}
        ) from None
    # Conditional: only a proposal still "submitted" moves on; a decision taken meanwhile is never overwritten.
    if Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.SUBMITTED).update(
        status=Proposal.Status.UNDER_REVIEW, updated_at=timezone.now()
    ):
        proposal.status = Proposal.Status.UNDER_REVIEW
    transaction.on_commit(lambda: notify.email_review_assigned(assignment_id=assignment.pk))
    return assignment


def review_invitation_problem(assignment: ReviewAssignment, user: User) -> str:
    """Why this signed-in user cannot take up the review invitation, or ""."""
    if assignment.reviewer_id == user.pk:
        return ""
    if assignment.reviewer_id is not None or not owns_address(user, assignment.email):
        return _(
            "This invitation was sent to another email address. Sign in with the address it was sent to, and "
            "confirm that address first if you have just signed up."
        )
    if ReviewAssignment.objects.filter(proposal_id=assignment.proposal_id, reviewer=user).exists():
        return _("You are already invited to review this proposal; see your reviews.")
    if assignment.status != ReviewAssignment.Status.INVITED:
        return _("This invitation was already answered.")
    return ""


@transaction.atomic
def review_invitation_take(*, assignment: ReviewAssignment, user: User) -> ReviewAssignment:
    """The owner of the invited address, now signed in, takes up the invitation: it becomes theirs to declare."""
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    problem = review_invitation_problem(assignment, user)
    if problem:
        raise PermissionDenied(problem)
    if assignment.reviewer_id is None:
        assignment.reviewer = user
        assignment.save(update_fields=["reviewer"])
    return assignment


@transaction.atomic
def review_declare(
    *, assignment: ReviewAssignment, by: User, has_conflict: bool, statement: str = ""
) -> ReviewAssignment:
    """The reviewer declares, before seeing the proposal, whether they have a conflict of interest.

    A conflict Bridges knows of (the team, a shared organisation) cannot be declared away. The row is locked and
    read again, so of two answers sent at once (a double click, two tabs) the first stands and the second is told.
    """
    assignment.refresh_from_db(from_queryset=ReviewAssignment.objects.select_for_update())
    if assignment.reviewer_id is None and not review_invitation_problem(assignment, by):
        assignment = review_invitation_take(assignment=assignment, user=by)
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the invited reviewer can answer."))
    if assignment.status != ReviewAssignment.Status.INVITED:
        raise ValidationError(
            _("This review invitation was already answered: “%(status)s”. That first answer stands.")
            % {"status": assignment.get_status_display()},
            code="already_answered",
        )
    statement = (statement or "").strip()
    if not has_conflict:
        conflicts = reviewer_conflicts(proposal=assignment.proposal, reviewer=by)
        if conflicts:
            raise ValidationError(
                {
                    "answer": [
                        _(
                            "Bridges found a conflict of interest: %(reason)s Declare it, so the city can ask someone else."
                        )
                        % {"reason": c}
                        for c in conflicts
                    ]
                }
            )
    if has_conflict and not statement:
        raise ValidationError({"statement": _("Describe the conflict in a sentence, so the city can reassign.")})
    assignment.status = ReviewAssignment.Status.CONFLICT if has_conflict else ReviewAssignment.Status.ACCEPTED
    assignment.conflict_statement = statement if has_conflict else ""
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["status", "conflict_statement", "declared_at"])
    return assignment


def can_score(assignment: ReviewAssignment) -> tuple[bool, str]:
    """A reviewer scores after declaring no conflict, until the city decides."""
    if assignment.status not in (ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED):
        return False, _("Declare that you have no conflict of interest before you review.")
    if assignment.proposal.status in Proposal.DECIDED:
        return False, _("The city has decided on this proposal; reviews are closed.")
    return True, ""


@transaction.atomic
def review_submit(
    *, assignment: ReviewAssignment, by: User, scores: Mapping[int, int | None], comments: str
) -> ReviewAssignment:
    """Save a review of the latest submitted version: a score per criterion (None = not applicable)."""
    # Locked and read again: a review sent from a page loaded before the city decided is refused, and two saves at
    # once replace the scores one after the other instead of mixing them.
    assignment.refresh_from_db(from_queryset=ReviewAssignment.objects.select_for_update())
    assignment.proposal = Proposal.objects.select_for_update().get(pk=assignment.proposal_id)
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can submit this review."))
    allowed, reason = can_score(assignment)
    if not allowed:
        raise ValidationError(reason, code="already_answered")
    proposal = assignment.proposal
    criteria = list(proposal.call.criteria.all())
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise ValidationError(
            _("Score every criterion (or mark it not applicable): %(names)s.") % {"names": ", ".join(missing)}
        )
    for c in criteria:
        value = scores[c.pk]
        if value is not None and not (0 <= value <= MAX_SCORE):
            raise ValidationError(_("Scores go from 0 to %(max)s.") % {"max": MAX_SCORE})
    version = proposal.versions.filter(is_withdrawn=False).order_by("-number").first()
    if version is None:
        raise ValidationError(_("This proposal has no submitted version to review."))
    ReviewScore.objects.filter(assignment=assignment).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(assignment=assignment, criterion=c, score=scores[c.pk]) for c in criteria
    )
    assignment.version = version
    assignment.comments = (comments or "").strip()
    assignment.status = ReviewAssignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["version", "comments", "status", "submitted_at"])
    return assignment


@transaction.atomic
def proposal_request_info(*, proposal: Proposal, by: User, message: str) -> Proposal:
    """Ask the team for more information; they revise and resubmit a new version."""
    _require_official(by, proposal.call)
    _require_visible(by, proposal)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Say what the team should add or change.")})
    # The status as stored now, locked: a request sent from a page loaded before a decision is refused.
    proposal.refresh_from_db(from_queryset=Proposal.objects.select_for_update())
    if proposal.status not in INFO_REQUESTABLE:
        raise ValidationError(
            _("You can ask for more information while a proposal is under review; this one is “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    proposal.status = Proposal.Status.INFO_REQUESTED
    proposal.info_request = message
    proposal.save(update_fields=["status", "info_request", "updated_at"])
    transaction.on_commit(lambda: notify.email_info_requested(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def call_decide(
    *,
    call: ResearchCall,
    by: User,
    award: Sequence[Proposal] = (),
    decline: Sequence[Proposal] = (),
    shortlist: Sequence[Proposal] = (),
    invite: Sequence[Proposal] = (),
    message: str = "",
) -> list[Proposal]:
    """Award, decline, shortlist or invite to the full stage, one proposal or many; every applicant is told."""
    _require_official(by, call)
    # The call's row is locked as call_cancel locks it: a cancellation and an award never both land.
    call.refresh_from_db(fields=["cancelled_at", "awarded_at"], from_queryset=ResearchCall.objects.select_for_update())
    if call.cancelled_at is not None:
        raise ValidationError(_("This call was cancelled; its proposals can no longer be decided."))
    message = (message or "").strip()
    groups = {
        Proposal.Status.AWARDED: list(award),
        Proposal.Status.DECLINED: list(decline),
        Proposal.Status.SHORTLISTED: list(shortlist),
        Proposal.Status.INVITED: list(invite),
    }
    chosen = [p for group in groups.values() for p in group]
    if not chosen:
        raise ValidationError({"proposals": _("Choose at least one proposal.")})
    if len({p.pk for p in chosen}) != len(chosen):
        raise ValidationError(_("Each proposal can get only one decision at a time."))
    if groups[Proposal.Status.DECLINED] and not message:
        raise ValidationError({"message": _("Write a message to the teams you decline; they will read it.")})
    if groups[Proposal.Status.INVITED] and not call.two_stage:
        raise ValidationError(_("Only two-stage calls invite teams to submit a full proposal."))
    visible = set(proposals_visible_to(by).filter(call=call).values_list("pk", flat=True))
    current = {p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in chosen])}
    problems = []
    for p in chosen:
        fresh = current.get(p.pk)
        if fresh is None or fresh.call_id != call.pk or p.pk not in visible:
            raise PermissionDenied(_("This proposal is not available to you."))
        if fresh.status in Proposal.DECIDED:
            problems.append(
                _("“%(title)s” was already decided (%(status)s).")
                % {"title": fresh.title, "status": fresh.get_status_display()}
            )
        elif fresh.status not in DECIDABLE:
            problems.append(
                _("“%(title)s” cannot be decided while it is “%(status)s”.")
                % {"title": fresh.title, "status": fresh.get_status_display()}
            )
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    decided = []
    for status, group in groups.items():
        for p in group:
            proposal = current[p.pk]
            proposal.status = status
            fields = ["status", "updated_at"]
            if status in Proposal.DECIDED:
                proposal.decided_at = now
                proposal.outcome_message = message
                fields += ["decided_at", "outcome_message"]
            elif message:
                proposal.outcome_message = message
                fields.append("outcome_message")
            if status == Proposal.Status.INVITED:
                proposal.stage = Proposal.Stage.FULL
                fields.append("stage")
            proposal.save(update_fields=fields)
            if status == Proposal.Status.AWARDED:
                run_award_handlers(proposal=proposal, by=by)
            decided.append(proposal)
            transaction.on_commit(lambda pk=proposal.pk: notify.email_outcome(proposal_id=pk))
    if groups[Proposal.Status.AWARDED]:
        ResearchCall.objects.filter(pk=call.pk).update(awarded_at=now)
        call.awarded_at = now
    return decided
