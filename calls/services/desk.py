"""The city's desk: bulk actions on many proposals (prepared when confirmed, run as a background task), saved views,
and the single-proposal actions of the action centre that the review services do not have yet.

A bulk action re-checks, when it runs, every proposal's visibility to the official and its state: a proposal
withdrawn (or decided) meanwhile is skipped and reported, never acted on. Decisions (shortlist, decline, invite,
award) are all or nothing: one refusal rolls the whole action back. Assigning a reviewer and requesting information
act proposal by proposal, and report each refusal (a conflict of interest, say).
"""

import logging
from collections import defaultdict
from collections.abc import Sequence

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import DeskBulkRun, DeskView, Proposal, ResearchCall, ReviewAssignment
from calls.selectors import calls_managed_by, proposals_visible_to
from calls.services import reviews
from calls.services.dialogue import record
from profiles.models import User

logger = logging.getLogger("calls.desk")

Action = DeskBulkRun.Action
DECISIONS = {
    Action.SHORTLIST: "shortlist",
    Action.DECLINE: "decline",
    Action.INVITE: "invite",
    Action.AWARD: "award",
}
ALL_OR_NOTHING = frozenset(DECISIONS)
PROGRESS_EVERY = 25
DECIDE_BATCH = 50
MAX_BULK = 20_000


def progress_key(run_id: int) -> str:
    return f"calls:desk-bulk:{run_id}"


def bulk_problem(*, action: str, params: dict, call: ResearchCall | None) -> dict[str, str]:
    """What is missing or wrong in a bulk action's parameters, per field ({} when it can run)."""
    problems = {}
    if action == Action.ASSIGN and not (params.get("reviewer_email") or "").strip():
        problems["reviewer_email"] = _("Enter the email address of the person you invite.")
    if action in (Action.DECLINE, Action.REQUEST_INFO) and not (params.get("message") or "").strip():
        problems["message"] = (
            _("Write a message to the teams you decline; they will read it.")
            if action == Action.DECLINE
            else _("Say what the team should add or change.")
        )
    if action == Action.INVITE and call is not None and not call.two_stage:
        problems["action"] = _("Only two-stage calls invite teams to submit a full proposal.")
    return problems


def bulk_prepare(
    *, by: User, call: ResearchCall | None, action: str, proposal_ids: Sequence[int], params: dict
) -> DeskBulkRun:
    """Record a confirmed bulk action (the log of who did what to how many), to be run by ``bulk_execute``."""
    if action not in Action.values:
        raise ValidationError(_("Choose an action."))
    ids = sorted({int(pk) for pk in proposal_ids})
    if not ids:
        raise ValidationError(_("Choose at least one proposal."))
    if len(ids) > MAX_BULK:
        raise ValidationError(_("A bulk action acts on at most %(max)s proposals.") % {"max": MAX_BULK})
    problems = bulk_problem(action=action, params=params, call=call)
    if problems:
        raise ValidationError(problems)
    run = DeskBulkRun.objects.create(by=by, call=call, action=action, params=params, proposal_ids=ids, total=len(ids))
    logger.info("Desk bulk action %s by user %s on %s proposal(s) (run %s)", action, by.pk, len(ids), run.pk)
    return run


def _skip(proposal: Proposal | None, pk: int, reason: str) -> dict:
    return {"id": pk, "title": proposal.title if proposal else "", "reason": reason}


def _unavailable_reason(proposal: Proposal | None) -> str:
    if proposal is not None and proposal.status == Proposal.Status.WITHDRAWN:
        return _("The team withdrew it meanwhile.")
    if proposal is not None and proposal.status == Proposal.Status.DRAFT:
        return _("It is back to a draft.")
    return _("It is not available to you.")


def _progress(run: DeskBulkRun, done: int, *, save: bool) -> None:
    run.done = done
    cache.set(progress_key(run.pk), done, 3600)
    if save:
        DeskBulkRun.objects.filter(pk=run.pk).update(done=done)


def bulk_execute(run_id: int) -> DeskBulkRun:
    """Run a prepared bulk action once; a second run (a retried task) finds it started and does nothing."""
    if not DeskBulkRun.objects.filter(pk=run_id, state=DeskBulkRun.State.QUEUED).update(
        state=DeskBulkRun.State.RUNNING
    ):
        return DeskBulkRun.objects.get(pk=run_id)
    run = DeskBulkRun.objects.select_related("by").get(pk=run_id)
    user = run.by
    managed = calls_managed_by(user).values("pk")
    visible = {
        p.pk: p
        for p in proposals_visible_to(user).filter(
            pk__in=run.proposal_ids, call__in=managed, status__in=Proposal.SUBMITTED_STATES
        )
    }
    stored = {p.pk: p for p in Proposal.objects.filter(pk__in=run.proposal_ids).only("pk", "title", "status")}
    managed_ids = _managed_ids(user, stored)
    skipped = []
    chosen = []
    for pk in run.proposal_ids:
        if pk in visible:
            chosen.append(visible[pk])
        else:
            proposal = stored.get(pk)
            # A proposal of another city is never named.
            named = proposal if pk in managed_ids else None
            skipped.append(_skip(named, pk, _unavailable_reason(named)))
    try:
        if run.action in ALL_OR_NOTHING:
            skipped += _decide(run, chosen, skipped_before=len(skipped))
        else:
            skipped += _one_by_one(run, chosen, skipped_before=len(skipped))
    except (ValidationError, PermissionDenied) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        run.state = DeskBulkRun.State.FAILED
        run.error = "\n".join(messages)
        run.done = 0
        run.skipped = skipped
    else:
        run.state = DeskBulkRun.State.DONE
        run.done = run.total
        run.skipped = skipped
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "error", "done", "skipped", "finished_at"])
    cache.delete(progress_key(run.pk))
    logger.info("Desk bulk run %s: %s, %s proposal(s), %s skipped", run.pk, run.state, run.total, len(run.skipped))
    return run


def _managed_ids(user: User, stored: dict[int, Proposal]) -> set[int]:
    return set(
        Proposal.objects.filter(pk__in=list(stored), call__in=calls_managed_by(user).values("pk")).values_list(
            "pk", flat=True
        )
    )


def _one_by_one(run: DeskBulkRun, chosen: list[Proposal], *, skipped_before: int) -> list[dict]:
    skipped = []
    params = run.params
    for n, proposal in enumerate(chosen, start=1):
        try:
            if run.action == Action.ASSIGN:
                reviews.review_assign(proposal=proposal, reviewer_email=params["reviewer_email"], by=run.by)
            elif run.action == Action.REQUEST_INFO:
                reviews.proposal_request_info(proposal=proposal, by=run.by, message=params["message"])
            elif run.action == Action.STATUS:
                mark_under_review(proposal=proposal, by=run.by)
        except ValidationError as error:
            skipped.append(_skip(proposal, proposal.pk, " ".join(error.messages)))
        except PermissionDenied as error:
            skipped.append(_skip(proposal, proposal.pk, str(error)))
        if n % PROGRESS_EVERY == 0:
            _progress(run, skipped_before + n, save=True)
    return skipped


def _decide(run: DeskBulkRun, chosen: list[Proposal], *, skipped_before: int) -> list[dict]:
    """Decisions, all or nothing: those no longer decidable are skipped first; any other refusal rolls back all."""
    skipped = []
    decidable = []
    for proposal in chosen:
        if proposal.status in reviews.DECIDABLE:
            decidable.append(proposal)
        else:
            skipped.append(
                _skip(
                    proposal,
                    proposal.pk,
                    _("It is “%(status)s” now and cannot get this decision.")
                    % {"status": proposal.get_status_display()},
                )
            )
    by_call: dict[int, list[Proposal]] = defaultdict(list)
    for proposal in decidable:
        by_call[proposal.call_id].append(proposal)
    keyword = DECISIONS[run.action]
    done = skipped_before + len(skipped)
    with transaction.atomic():
        for group in by_call.values():
            call = group[0].call
            for start in range(0, len(group), DECIDE_BATCH):
                batch = group[start : start + DECIDE_BATCH]
                reviews.call_decide(call=call, by=run.by, message=run.params.get("message", ""), **{keyword: batch})
                done += len(batch)
                # Inside the transaction: the count lives in the cache, which other processes can read.
                _progress(run, done, save=False)
    return skipped


@transaction.atomic
def mark_under_review(*, proposal: Proposal, by: User) -> Proposal:
    """Move a submitted (or shortlisted) proposal back to "under review"."""
    reviews._require_official(by, proposal.call)
    reviews._require_visible(by, proposal)
    proposal.refresh_from_db(from_queryset=Proposal.objects.select_for_update())
    if proposal.status not in (Proposal.Status.SUBMITTED, Proposal.Status.SHORTLISTED):
        raise ValidationError(
            _("Only submitted or shortlisted proposals can be marked as under review; this one is “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    proposal.status = Proposal.Status.UNDER_REVIEW
    proposal.save(update_fields=["status", "updated_at"])
    record(proposal=proposal, kind="status_changed", audience="team_city", actor=by, status=proposal.status)
    return proposal


@transaction.atomic
def review_remove(*, assignment: ReviewAssignment, by: User) -> None:
    """Withdraw a review invitation the reviewer has not answered with a review yet (a submitted review stays)."""
    proposal = assignment.proposal
    reviews._require_official(by, proposal.call)
    reviews._require_visible(by, proposal)
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status == ReviewAssignment.Status.SUBMITTED:
        raise ValidationError(_("This reviewer has submitted their review; it stays on record."))
    assignment.delete()
    logger.info("Review assignment %s removed by user %s", assignment.pk, by.pk)


def view_save(*, owner: User, name: str, call: ResearchCall | None, query: str, columns: list[str]) -> DeskView:
    """Save (or replace) the official's view of that name."""
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    view, _created = DeskView.objects.update_or_create(
        owner=owner, name=name, defaults={"call": call, "query": query[:2000], "columns": columns}
    )
    return view
