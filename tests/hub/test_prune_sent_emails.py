"""Sent-email records (idempotency keys) do not grow forever: old ones are pruned by a scheduled job."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

import pytest

from hub import schedule
from hub.models import SentEmail

pytestmark = pytest.mark.django_db


def _sent(key: str, days_ago: float) -> None:
    SentEmail.objects.create(
        key=key, recipients="lead@example.org", subject=key, sent_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_records_older_than_the_retention_are_pruned_and_recent_ones_kept():
    _sent("ancient", 400)
    _sent("old", 91)
    _sent("recent", 89)
    _sent("today", 0)
    output = StringIO()

    call_command("prune_sent_emails", stdout=output)

    assert set(SentEmail.objects.values_list("key", flat=True)) == {"recent", "today"}
    assert "Pruned 2" in output.getvalue()


def test_the_retention_follows_the_setting(settings):
    settings.SENT_EMAIL_RETENTION_DAYS = 10
    _sent("eleven-days", 11)
    _sent("nine-days", 9)

    call_command("prune_sent_emails", stdout=StringIO())

    assert list(SentEmail.objects.values_list("key", flat=True)) == ["nine-days"]


def test_a_key_is_kept_as_long_as_its_email_may_still_be_retried(settings):
    # A retention shorter than the retry window would let a late retry send the email a second time.
    settings.SENT_EMAIL_RETENTION_DAYS = 0.01
    settings.TASK_RETRY_DELAYS = [3600] * 30  # 30 hours of retries
    _sent("within-retries", 1.2)
    _sent("past-retries", 2.5)

    call_command("prune_sent_emails", stdout=StringIO())

    assert list(SentEmail.objects.values_list("key", flat=True)) == ["within-retries"]


def test_the_schedule_runs_the_pruning_daily():
    job = schedule.JOBS["prune_sent_emails"]
    assert job.command == "prune_sent_emails" and job.cron == "45 2 * * *"
    output = StringIO()
    call_command("task_scheduler", "--list", stdout=output)
    assert "manage.py prune_sent_emails" in output.getvalue()
