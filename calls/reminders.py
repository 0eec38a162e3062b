"""One reminder each: reviewers whose review is due within three days, teams whose draft's deadline is near.

Run daily (or hourly) with ``manage.py send_call_reminders`` or the ``calls.tasks.send_call_reminders`` task.
Each reminder is recorded before its email is queued (``ReviewAssignment.reminded_at``, a
``ProposalReminder`` row per proposal and deadline), so running again sends nothing twice.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from calls.models import Proposal, ProposalReminder, ReviewAssignment
from calls.notifications import reviews as notify

REMIND_BEFORE = dt.timedelta(days=3)
DRAFT_STATES = [s for s in Proposal.EDITABLE if s != Proposal.Status.WITHDRAWN]


@dataclass(frozen=True)
class Sent:
    reviews: int
    drafts: int


def review_reminders(now: dt.datetime) -> int:
    """Remind reviewers who have not submitted and whose review is due between now and three days from now."""
    due = (
        ReviewAssignment.objects.filter(
            status__in=[ReviewAssignment.Status.INVITED, ReviewAssignment.Status.ACCEPTED],
            reviewer__isnull=False,  # an invitation nobody has taken up yet was only ever sent to an address
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lte=now + REMIND_BEFORE,
        )
        .exclude(proposal__status__in=Proposal.DECIDED)
        .select_related("reviewer", "proposal__call__organisation")
    )
    sent = 0
    for assignment in due:
        with transaction.atomic():
            # The conditional update claims the reminder; a concurrent run updates nothing and sends nothing.
            claimed = ReviewAssignment.objects.filter(pk=assignment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                transaction.on_commit(lambda a=assignment: notify.email_review_reminder(assignment=a))
                sent += 1
    return sent


def draft_reminders(now: dt.datetime) -> int:
    """Remind the teams of unsubmitted proposals whose deadline is between now and three days from now."""
    soon = (now, now + REMIND_BEFORE)
    candidates = (
        Proposal.objects.filter(status__in=DRAFT_STATES, call__cancelled_at__isnull=True)
        .filter(Q(call__closes_at__range=soon) | Q(call__full_proposal_closes_at__range=soon))
        .select_related("call", "call__organisation", "lead")
    )
    sent = 0
    for proposal in candidates:
        deadline = proposal.deadline
        if not (now < deadline <= now + REMIND_BEFORE):
            continue
        try:
            with transaction.atomic():
                ProposalReminder.objects.create(proposal=proposal, deadline=deadline)
                transaction.on_commit(
                    lambda p=proposal, d=deadline: notify.email_draft_reminder(proposal=p, deadline=d)
                )
        except IntegrityError:
            continue  # already reminded of this deadline
        sent += 1
    return sent


def send_reminders(now: dt.datetime | None = None) -> Sent:
    """Send every reminder that is due and not sent yet."""
    now = now or timezone.now()
    return Sent(reviews=review_reminders(now), drafts=draft_reminders(now))
