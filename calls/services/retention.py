"""Data retention (issue 18 §5): declined and withdrawn proposals are anonymised ``PROPOSAL_RETENTION_MONTHS`` after
the decision (withdrawn ones: after the team's last change), their team told one month before, once.

Anonymising removes the personal data — title and texts, the team, the lead, the frozen versions' content, the
attachments (files deleted from private storage once the transaction commits), flags, reviewers' comments and the
meta-review's summary — and keeps what statistics need: the call, status, stage, budget, dates, the reviews' scores,
recommendations and confidence, and the panel's recommendation. Apps above calls remove their own data of the
proposal through the ``anonymise_proposal`` hook (called inside the transaction with the proposal).
"""

import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail import hooks

from calls.models import (
    Attachment,
    CommentAttachment,
    MetaReview,
    Proposal,
    ProposalActivity,
    ProposalComment,
    ProposalFlag,
    ReviewAssignment,
)
from calls.notifications import panel as notify

logger = logging.getLogger("calls.retention")

RETAINED = (Proposal.Status.DECLINED, Proposal.Status.WITHDRAWN)
NOTICE_MONTHS = 1


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment: dt.datetime, months: int) -> dt.datetime:
    return months_before(moment, -months)


def retention_months() -> int:
    return max(1, int(getattr(settings, "PROPOSAL_RETENTION_MONTHS", 24)))


def _ended_before(cutoff: dt.datetime) -> Q:
    """Declined before ``cutoff``, or withdrawn and untouched since before it."""
    return Q(status=Proposal.Status.DECLINED, decided_at__lte=cutoff) | Q(
        status=Proposal.Status.WITHDRAWN, updated_at__lte=cutoff
    )


def proposals_due_notice(now: dt.datetime | None = None) -> QuerySet[Proposal]:
    """Proposals within a month of their anonymisation whose team has not been told yet."""
    now = now or timezone.now()
    cutoff = months_before(now, retention_months() - NOTICE_MONTHS)
    return Proposal.objects.filter(
        _ended_before(cutoff), anonymised_at__isnull=True, retention_notice_at__isnull=True
    ).order_by("pk")


def proposals_due_anonymising(now: dt.datetime | None = None) -> QuerySet[Proposal]:
    """Proposals past the period whose team was told at least a month ago (a late notice delays anonymising)."""
    now = now or timezone.now()
    return Proposal.objects.filter(
        _ended_before(months_before(now, retention_months())),
        anonymised_at__isnull=True,
        retention_notice_at__lte=months_before(now, NOTICE_MONTHS),
    ).order_by("pk")


def anonymise_on(proposal: Proposal, now: dt.datetime) -> dt.date:
    """The day the team is told its proposal is anonymised (at the earliest)."""
    ended = proposal.decided_at if proposal.status == Proposal.Status.DECLINED else proposal.updated_at
    return max(months_after(ended, retention_months()), months_after(now, NOTICE_MONTHS)).date()


def send_notice(proposal: Proposal, now: dt.datetime) -> bool:
    """Tell the team once: the conditional UPDATE marks the notice, so two runs at once email once."""
    with transaction.atomic():
        marked = Proposal.objects.filter(pk=proposal.pk, retention_notice_at__isnull=True).update(
            retention_notice_at=now
        )
        if marked:
            day = anonymise_on(proposal, now)
            transaction.on_commit(lambda: notify.email_retention_notice(proposal_id=proposal.pk, anonymise_on=day))
    return bool(marked)


@transaction.atomic
def anonymise(proposal_id: int, now: dt.datetime | None = None) -> bool:
    """Remove the personal data of one proposal; False when it no longer qualifies (resubmitted, done already)."""
    now = now or timezone.now()
    proposal = proposals_due_anonymising(now).select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        return False
    files = [a.file.name for a in Attachment.objects.filter(proposal=proposal) if a.file.name]
    storage = Attachment._meta.get_field("file").storage
    Attachment.objects.filter(proposal=proposal).delete()
    proposal.team.all().delete()
    proposal.milestones.all().delete()
    proposal.methods.clear()
    proposal.versions.update(content={"anonymised": True}, submitted_by=None)
    ReviewAssignment.objects.filter(proposal=proposal).update(
        comments="", conflict_statement="", email="", token=None, answers={}
    )
    for handler in hooks.get_hooks("anonymise_proposal"):
        handler(proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(
        title=_("Anonymised proposal"),
        summary="",
        methodology="",
        participation_plan="",
        data_management_plan="",
        ethics="",
        info_request="",
        outcome_message="",
        answers={},
        review_response="",
        screening_reason="",
        screened_by=None,
        lead=None,
        anonymised_at=now,
    )

    def delete_files():
        for name in files:
            try:
                storage.delete(name)
            except OSError:  # the private-media sweep removes what is left
                logger.warning("Could not delete the anonymised proposal's file %s", name)

    transaction.on_commit(delete_files)
    return True


def forget_discussion(*, proposal: Proposal) -> None:
    """The dialogue's answer to ``anonymise_proposal``: comments and their files go, the activity log keeps what
    happened and when, without who did it."""
    storage = CommentAttachment._meta.get_field("file").storage
    files = [a.file.name for a in CommentAttachment.objects.filter(comment__proposal=proposal) if a.file.name]
    ProposalComment.objects.filter(proposal=proposal).delete()
    ProposalActivity.objects.filter(proposal=proposal).update(actor=None, data={})

    def delete_files():
        for name in files:
            try:
                storage.delete(name)
            except OSError:  # the private-media sweep removes what is left
                logger.warning("Could not delete the anonymised proposal's comment file %s", name)

    transaction.on_commit(delete_files)


def forget_panel_notes(*, proposal: Proposal) -> None:
    """The panel's answer to ``anonymise_proposal``: flags go, the meta-review keeps its recommendation only."""
    ProposalFlag.objects.filter(proposal=proposal).delete()
    MetaReview.objects.filter(proposal=proposal).update(summary="")


@dataclass
class RetentionRun:
    notices: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)


def run_retention(*, dry_run: bool = False, now: dt.datetime | None = None) -> RetentionRun:
    """Send the due notices and anonymise the due proposals (``dry_run``: only say which)."""
    now = now or timezone.now()
    run = RetentionRun()
    for proposal in proposals_due_notice(now):
        if dry_run or send_notice(proposal, now):
            run.notices.append(proposal.pk)
    for pk in list(proposals_due_anonymising(now).values_list("pk", flat=True)):
        if dry_run or anonymise(pk, now):
            run.anonymised.append(pk)
    return run
