"""Review and award: reviewer assignment with conflict checks, declarations, scores, info requests, decisions."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail import hooks
from wagtail.log_actions import log

from calls.conflicts import reviewer_conflict_reasons
from calls.matching.vectors import refresh_call_after_commit
from calls.models import Proposal, Recommendation, ResearchCall, ReviewAssignment, ReviewScore, TeamMember
from calls.notifications import reviews as notify
from calls.scoring import MAX_SCORE
from calls.selectors import is_official, proposals_visible_to
from calls.services.dialogue import record
from calls.services.proposals import local_deadline_text
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
    # Past affiliations, co-authorship and partnerships (issue 18 §2).
    return reviewer_conflict_reasons(proposal=proposal, reviewer=reviewer)


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
        record(proposal=proposal, kind="status_changed", audience="team_city", actor=by, status=proposal.status)
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
    *,
    assignment: ReviewAssignment,
    by: User,
    scores: Mapping[int, int | None],
    comments: str,
    answers: Mapping[str, str] | None = None,
    recommendation: str = "",
    confidence: int | None = None,
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
    if recommendation and recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": _("Choose fund, fund with changes, or do not fund.")})
    if confidence is not None and not (1 <= confidence <= 5):
        raise ValidationError({"confidence": _("Confidence goes from 1 to 5.")})
    version = proposal.versions.filter(is_withdrawn=False).order_by("-number").first()
    if version is None:
        raise ValidationError(_("This proposal has no submitted version to review."))
    ReviewScore.objects.filter(assignment=assignment).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(assignment=assignment, criterion=c, score=scores[c.pk]) for c in criteria
    )
    if assignment.status != ReviewAssignment.Status.SUBMITTED:
        record(proposal=proposal, kind="review_received", audience="internal", actor=by)
    assignment.version = version
    assignment.comments = (comments or "").strip()
    update = ["version", "comments", "status", "submitted_at"]
    if answers is not None:
        # Issue 18 §1: answers to the call's free-text review questions, by key.
        assignment.answers = {key: str(value).strip() for key, value in answers.items() if str(value).strip()}
        update.append("answers")
    assignment.status = ReviewAssignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.recommendation = recommendation or ""
    assignment.confidence = confidence
    assignment.save(update_fields=[*update, "recommendation", "confidence"])
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
    record(proposal=proposal, kind="status_changed", audience="team_city", actor=by, status=proposal.status)
    transaction.on_commit(lambda: notify.email_info_requested(proposal_id=proposal.pk))
    return proposal


# What a team can still submit before the deadline: closing the call early cuts these off. A proposal whose team
# answers an information request is not: the call's deadline does not apply to it.
CUT_OFF_STATES = (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN, Proposal.Status.INVITED)


def final_deadline(call: ResearchCall) -> dt.datetime:
    """The last deadline of the call: full proposals' in a two-stage call, otherwise the only one."""
    return call.deadline_for(full_stage=call.two_stage)


def award_problem(call: ResearchCall, *, now: dt.datetime | None = None) -> str:
    """Why the call's proposals cannot be awarded yet ("" once the call is closed): awarding closes the call for
    everyone, so before the deadline the city first closes it early, knowing whom that cuts off."""
    if call.awarded_at is not None:
        return ""
    deadline = final_deadline(call)
    if (now or timezone.now()) < deadline:
        return _(
            "This call accepts proposals until %(deadline)s. Awards are made after the deadline; to award now, "
            "close the call early first (its teams with unsubmitted drafts are told)."
        ) % {"deadline": local_deadline_text(deadline, call.time_zone)}
    return ""


def close_early_problem(call: ResearchCall, *, now: dt.datetime | None = None) -> str:
    """Why the call cannot be closed early, or "" when it can."""
    now = now or timezone.now()
    if call.cancelled_at is not None:
        return _("This call was cancelled; there is nothing to close.")
    if call.awarded_at is not None or now >= final_deadline(call):
        return _("This call is already closed.")
    if now < call.opens_at:
        return _("This call has not opened yet. Change its dates in the editor instead.")
    return ""


def proposals_cut_off_by_closing(call: ResearchCall, *, now: dt.datetime | None = None) -> list[Proposal]:
    """The drafts and proposals in progress whose team could still submit them before the deadline."""
    now = now or timezone.now()
    cut_off = []
    for proposal in Proposal.objects.filter(call=call, status__in=CUT_OFF_STATES).select_related("lead"):
        proposal.call = call
        # The deadline a submission of this proposal would meet (as proposals.submission_problems reads it).
        full_stage = proposal.full_stage or (proposal.status == Proposal.Status.INVITED and call.two_stage)
        if now < call.deadline_for(full_stage=full_stage):
            cut_off.append(proposal)
    return cut_off


@transaction.atomic
def call_close_early(*, call: ResearchCall, by: User) -> list[Proposal]:
    """Close an open call now, before its deadline, so that it can be awarded; returns the proposals cut off.

    The teams of those drafts are emailed once each. The deadlines move to now (the page row and the latest
    revision, so a later publish does not reopen the call). A second request finds the call closed and does nothing.
    """
    _require_official(by, call)
    # Locked as call_decide and call_cancel lock it: an award, a cancellation and this never interleave.
    call = ResearchCall.objects.select_for_update().get(pk=call.pk)
    now = timezone.now()
    if call.cancelled_at is None and (call.awarded_at is not None or now >= final_deadline(call)):
        return []  # closed already (a double click, another official): nothing changes, nobody is emailed again
    problem = close_early_problem(call, now=now)
    if problem:
        raise ValidationError(problem)
    cut_off = proposals_cut_off_by_closing(call, now=now)
    changes: dict[str, dt.datetime] = {}
    if call.two_stage:
        changes["full_proposal_closes_at"] = now
        if call.closes_at >= now:
            # The concept-note deadline stays before the full-proposal one, as the call's dates require.
            changes["closes_at"] = now - dt.timedelta(microseconds=1)
    else:
        changes["closes_at"] = now
    ResearchCall.objects.filter(pk=call.pk).update(**changes)
    revision = call.latest_revision
    if revision is not None:
        revision.content = {**revision.content, **{name: value.isoformat() for name, value in changes.items()}}
        revision.save(update_fields=["content"])
    for name, value in changes.items():
        setattr(call, name, value)
    call.__dict__.pop("status", None)
    proposal_ids = [p.pk for p in cut_off]
    # In the call's history in the admin, beside publishing and cancelling.
    log(instance=call, action="calls.close_early", user=by, data={"cut_off": len(proposal_ids)})
    refresh_call_after_commit(call.pk)
    transaction.on_commit(lambda: notify.email_call_closed_early(call_id=call.pk, proposal_ids=proposal_ids))
    return cut_off


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
    call.refresh_from_db(
        fields=["cancelled_at", "awarded_at", "opens_at", "closes_at", "full_proposal_closes_at", "two_stage"],
        from_queryset=ResearchCall.objects.select_for_update(),
    )
    call.__dict__.pop("status", None)
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
    if award:
        # Checked on the locked row: an award sent from a page loaded before the deadline is still refused.
        problem = award_problem(call)
        if problem:
            raise ValidationError(problem, code="award_before_deadline")
    reviewed = set(
        ReviewAssignment.objects.filter(
            proposal__in=[p.pk for p in groups[Proposal.Status.AWARDED]], status=ReviewAssignment.Status.SUBMITTED
        ).values_list("proposal_id", flat=True)
    )
    for p in groups[Proposal.Status.AWARDED]:
        if p.pk not in reviewed and current[p.pk].status in DECIDABLE:
            problems.append(
                _(
                    "“%(title)s” has no completed review; assign a reviewer on the review desk and award it once "
                    "their review is in."
                )
                % {"title": current[p.pk].title}
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
            record(proposal=proposal, kind="status_changed", audience="team_city", actor=by, status=status)
            if status == Proposal.Status.AWARDED:
                # Apps above calls act on the award inside this transaction, so that a failing handler leaves
                # nothing half-done: projects creates the partnership (projects/wagtail_hooks.py).
                for handler in hooks.get_hooks("award_handlers"):
                    handler(proposal=proposal, by=by)
            decided.append(proposal)
            transaction.on_commit(lambda pk=proposal.pk: notify.email_outcome(proposal_id=pk))
    if groups[Proposal.Status.AWARDED]:
        ResearchCall.objects.filter(pk=call.pk).update(awarded_at=now)
        call.awarded_at = now
        refresh_call_after_commit(call.pk)  # an awarded call is recommended to nobody any more
    return decided
