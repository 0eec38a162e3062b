"""``manage.py prune_sent_emails``: forget the idempotency keys of emails sent long ago (scheduled daily).

A ``SentEmail`` row only matters while its task may still run again: a retry (``TASK_RETRY_DELAYS``, about 4 h 40 in
all) or a worker's abandoned job picked up again. Rows older than ``SENT_EMAIL_RETENTION_DAYS`` (default 90) are
deleted in batches; the retention is never shorter than the retry window plus a day, whatever the setting says.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from hub.models import SentEmail

DEFAULT_RETENTION_DAYS = 90
BATCH = 5000


def retention() -> dt.timedelta:
    """How long a sent email's key is kept: the setting, but at least the whole retry window plus a day."""
    days = getattr(settings, "SENT_EMAIL_RETENTION_DAYS", None) or DEFAULT_RETENTION_DAYS
    retry_window = dt.timedelta(seconds=sum(getattr(settings, "TASK_RETRY_DELAYS", []) or []))
    return max(dt.timedelta(days=float(days)), retry_window + dt.timedelta(days=1))


def prune_sent_emails(*, now: dt.datetime | None = None) -> int:
    """Delete the rows sent before ``now - retention()``, a batch at a time; return how many went."""
    cutoff = (now or timezone.now()) - retention()
    deleted = 0
    while True:
        ids = list(
            SentEmail.objects.filter(sent_at__lt=cutoff).order_by("sent_at").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return deleted
        deleted += SentEmail.objects.filter(pk__in=ids).delete()[0]


class Command(BaseCommand):
    help = "Delete the records of emails sent more than SENT_EMAIL_RETENTION_DAYS (default 90) days ago."

    def handle(self, *args, **options):
        deleted = prune_sent_emails()
        self.stdout.write(f"Pruned {deleted} sent-email records older than {retention().days} days.")
