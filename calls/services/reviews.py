"""Review and award: reviewer assignment with conflict checks, declarations, scores, info requests, decisions."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allauth.account.models import EmailAddress

from calls.hooks import run_award_handlers
from calls.models import Proposal, ResearchCall, ReviewAssignment, ReviewScore, TeamMember
from calls.notifications import reviews as notify
from calls.scoring import MAX_SCORE
from calls.selectors import is_official, proposals_visible_to
from profiles.models import Membership, Organisation, ResearcherProfile, User

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
    """Why this person may not review this proposal: team membership or a shared organisation."""
    team = list(proposal.team.exclude(status=TeamMember.Status.DECLINED).select_related("user"))
    if proposal.lead_id == reviewer.pk or any(
        m.user_id == reviewer.pk or m.email.lower() == reviewer.email.lower() for m in team
    ):
        return [_("%(name)s is on the proposal's team.") % {"name": reviewer.display_name}]
    team_users = [m.user for m in team if m.user_id] + [proposal.lead]
    team_organisations = _organisations_of(team_users) | {m.organisation_id for m in team if m.organisation_id}
    shared = _organisations_of([reviewer]) & team_organisations
    if shared:
        names = ", ".join(sorted(Organisation.objects.filter(pk__in=shared).values_list("name", flat=True)))
        return [
            _("%(name)s shares an organisation with the team (%(organisations)s).")
            % {"name": reviewer.display_name, "organisations": names}
        ]
    return []


@transaction.atomic
def review_assign(
    *, proposal: Proposal, reviewer_email: str, by: User, due_at: dt.datetime | None = None
) -> ReviewAssignment:
    """Ask a person with a verified account to review a submitted proposal, unless they have a conflict."""
    _require_official(by, proposal.call)
    _require_visible(by, proposal)
    if proposal.status not in ASSIGNABLE:
        raise ValidationError(
            _("Reviewers can be assigned to submitted proposals that are not decided; this one is “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    email = (reviewer_email or "").strip()
    reviewer = User.objects.filter(email__iexact=email, is_active=True).first()
    if reviewer is None or not EmailAddress.objects.filter(user=reviewer, email__iexact=email, verified=True).exists():
        raise ValidationError(
            {
                "reviewer_email": _(
                    "Nobody with a verified email address %(email)s has an account. "
                    "Ask them to sign up and confirm their address first."
                )
                % {"email": email}
            }
        )
    if ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise ValidationError(
            {"reviewer_email": _("%(name)s is already a reviewer of this proposal.") % {"name": reviewer.display_name}}
        )
    conflicts = reviewer_conflicts(proposal=proposal, reviewer=reviewer)
    if conflicts:
        raise ValidationError(
            {"reviewer_email": [_("Conflict of interest: %(reason)s") % {"reason": c} for c in conflicts]}
        )
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({"due_at": _("The due date must be in the future.")})
    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=by, due_at=due_at)
    if proposal.status == Proposal.Status.SUBMITTED:
        proposal.status = Proposal.Status.UNDER_REVIEW
        proposal.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: notify.email_review_assigned(assignment_id=assignment.pk))
    return assignment


@transaction.atomic
def review_declare(
    *, assignment: ReviewAssignment, by: User, has_conflict: bool, statement: str = ""
) -> ReviewAssignment:
    """The reviewer declares, before seeing the proposal, whether they have a conflict of interest."""
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the invited reviewer can answer."))
    if assignment.status != ReviewAssignment.Status.INVITED:
        raise ValidationError(_("You have already answered this invitation."))
    statement = (statement or "").strip()
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
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the assigned reviewer can submit this review."))
    allowed, reason = can_score(assignment)
    if not allowed:
        raise ValidationError(reason)
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
