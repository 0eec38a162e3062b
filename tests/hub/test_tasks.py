"""Background work: emails sent once per key, the task queue on RQ, and the schedule of periodic jobs."""

import datetime as dt
import importlib
import logging
import sqlite3
from io import StringIO

from django.core import mail
from django.core.management import call_command, get_commands
from django.db import connection, transaction

import pytest
from django_tasks import default_task_backend
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

import hub.settings.base as base
from hub import schedule
from hub.mail import queue_email
from hub.models import SentEmail
from hub.task_queue import check_task_queue
from hub.tasks import send_email
from tests.drills.queue import free_port, run_jobs_here

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- emails: once per key --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_is_sent_once_however_often_its_task_runs():
    for _ in range(3):
        send_email.call(key="receipt-1", subject="Receipt", body="Body", to=["lead@example.org"])

    assert len(mail.outbox) == 1
    assert SentEmail.objects.get(key="receipt-1").recipients == "lead@example.org"


@pytest.mark.django_db
def test_identical_emails_queued_twice_are_two_emails():
    queue_email(subject="Reminder", body="Body", to=["r@example.org"])
    queue_email(subject="Reminder", body="Body", to=["r@example.org"])

    assert len(mail.outbox) == 2
    assert SentEmail.objects.count() == 2
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]


@pytest.mark.django_db
def test_an_email_the_server_refused_is_not_recorded_so_that_its_next_run_sends_it(mail_server_down):
    with pytest.raises(OSError):
        send_email.call(key="receipt-2", subject="Receipt", body="Body", to=["lead@example.org"])
    assert not SentEmail.objects.exists()

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    send_email.call(key="receipt-2", subject="Receipt", body="Body", to=["lead@example.org"])
    assert len(mail.outbox) == 1 and SentEmail.objects.filter(key="receipt-2").exists()


# --- the queue on RQ (Redis) ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_enqueued_in_a_transaction_reaches_the_queue_only_when_it_commits(rq_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(subject="Welcome", body="Body", to=["a@example.org"])
        raise RuntimeError("the change is rolled back")
    with transaction.atomic():
        queue_email(subject="Receipt", body="Body", to=["b@example.org"])
        assert not rq_queue.keys("rq:job:*"), "a task reached Redis before its transaction committed"

    run_jobs_here()

    assert [message.subject for message in mail.outbox] == ["Receipt"]


@pytest.fixture
def mail_server_down(settings):
    """SMTP pointed at a port where nothing listens; ``settings.EMAIL_BACKEND`` back to locmem brings it back."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def next_attempt_in(client) -> float:
    """Seconds until the one retry waiting in the queue's schedule."""
    scheduled = ScheduledJobRegistry("default", connection=client)
    (job_id,) = scheduled.get_job_ids()
    return (scheduled.get_scheduled_time(job_id) - dt.datetime.now(UTC)).total_seconds()


def make_retry_due(client) -> None:
    scheduled = ScheduledJobRegistry("default", connection=client)
    client.zadd(scheduled.key, dict.fromkeys(scheduled.get_job_ids(), 0))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_email_is_retried_with_backoff_while_the_mail_server_is_down_then_sent_once(rq_queue, mail_server_down):
    mail_server_down.TASK_RETRY_DELAYS = [60, 300]
    queue_email(subject="Receipt", body="Body", to=["lead@example.org"])

    run_jobs_here()  # the server is down: the next attempt is a minute away
    assert 50 < next_attempt_in(rq_queue) <= 60
    run_jobs_here()
    assert mail.outbox == [], "a retry ran before its time"

    make_retry_due(rq_queue)
    run_jobs_here()  # still down: five minutes
    assert 290 < next_attempt_in(rq_queue) <= 300

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_retry_due(rq_queue)
    run_jobs_here()

    assert [message.subject for message in mail.outbox] == ["Receipt"]
    assert SentEmail.objects.count() == 1
    assert not ScheduledJobRegistry("default", connection=rq_queue).get_job_ids()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_last_attempt_a_task_is_given_up_loudly(rq_queue, mail_server_down, caplog):
    mail_server_down.TASK_RETRY_DELAYS = [60]
    queue_email(subject="Receipt", body="Body", to=["lead@example.org"])

    with caplog.at_level(logging.WARNING, logger="hub.tasks"):
        run_jobs_here()
        make_retry_due(rq_queue)
        run_jobs_here()

    assert FailedJobRegistry("default", connection=rq_queue).count == 1
    assert not ScheduledJobRegistry("default", connection=rq_queue).get_job_ids()
    assert "it will run again" in caplog.text and "giving up" in caplog.text
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_production_runs_tasks_on_rq_when_redis_is_configured(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://queue.internal:6379/0")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.TASKS["default"]["BACKEND"] == "hub.task_queue.RQBackend"
        assert reloaded.RQ_QUEUES["default"]["URL"] == "redis://queue.internal:6379/0"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(base)


def test_the_deploy_check_warns_when_tasks_do_not_run_on_rq(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert [message.id for message in check_task_queue(None)] == ["hub.W001"]
    settings.TASKS = {"default": {"BACKEND": "hub.task_queue.RQBackend", "QUEUES": ["default"]}}
    assert check_task_queue(None) == []


# --- the schedule of periodic jobs -----------------------------------------------------------------------------------


def test_the_schedule_runs_each_job_of_the_former_cron_table_with_a_command_that_exists():
    commands = get_commands()
    assert {(job.cron, job.command, job.args) for job in schedule.SCHEDULE} == {
        ("*/10 * * * *", "publish_scheduled", ()),
        ("0 * * * *", "send_call_reminders", ()),
        ("0 6 * * *", "send_alert_digests", ("--frequency", "daily")),
        ("15 0 * * *", "search_reconcile", ()),
        ("5 * * * *", "build_bulk_download", ()),
        ("0 2 * * *", "backup", ()),
        ("30 2 * * *", "private_media_sweep", ()),
        ("45 2 * * *", "prune_sent_emails", ()),
        ("0 6 * * 1", "send_alert_digests", ("--frequency", "weekly")),
        ("30 7 * * *", "send_report_reminders", ()),  # issue 19: partnership reports due within a week
        ("0 7 * * *", "send_notification_digests", ()),  # issue 18 §3: daily notification digests
        ("0 3 * * *", "anonymise_proposals", ()),  # issue 18 §5: data retention
    }
    assert all(job.command in commands for job in schedule.SCHEDULE)
    assert len(schedule.JOBS) == len(schedule.SCHEDULE), "two jobs share a name"


def test_a_job_is_due_from_its_time_and_caught_up_within_an_hour_only():
    digest = schedule.JOBS["alert_digests_daily"]

    assert schedule.latest_slot(digest, at("2026-03-02T06:00:00")) == at("2026-03-02T06:00:00")
    assert schedule.latest_slot(digest, at("2026-03-02T05:59:59")) == at("2026-03-01T06:00:00")
    assert digest in [job for job, _slot in schedule.due(at("2026-03-02T06:59:00"))]
    assert digest not in [job for job, _slot in schedule.due(at("2026-03-02T07:01:00"))]
    weekly = schedule.JOBS["alert_digests_weekly"]  # Mondays: 2 March 2026 is one
    assert weekly in [job for job, _slot in schedule.due(at("2026-03-02T06:10:00"))]
    assert weekly not in [job for job, _slot in schedule.due(at("2026-03-03T06:10:00"))]


def test_cron_times_are_read_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Vienna"  # UTC+1 in March
    digest = schedule.JOBS["alert_digests_daily"]

    assert schedule.latest_slot(digest, at("2026-03-02T05:30:00")) == at("2026-03-02T05:00:00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_enqueue_each_run_once(rq_queue, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    now = at("2026-03-02T06:00:30")  # a Monday at six: both digests, and the ten-minute and hourly jobs

    first = sorted(schedule.enqueue_due(now=now, redis=rq_queue))
    second = schedule.enqueue_due(now=now, redis=rq_queue)  # another scheduler, same moment
    later = schedule.enqueue_due(now=now + dt.timedelta(minutes=4), redis=rq_queue)  # a restarted one

    # build_bulk_download's run of 05:05 was missed (no scheduler ran then): less than an hour ago, so caught up.
    assert first == [
        "alert_digests_daily",
        "alert_digests_weekly",
        "build_bulk_download",
        "publish_scheduled",
        "send_call_reminders",
    ]
    assert second == [] and later == []
    assert sorted(result.args[0] for result in default_task_backend.results) == first
    ten_past = schedule.enqueue_due(now=now + dt.timedelta(minutes=10), redis=rq_queue)
    assert sorted(ten_past) == ["build_bulk_download", "publish_scheduled"]  # 06:05 and 06:10


@pytest.fixture
def site_database_url(settings, tmp_path):
    """``settings.DATABASE_URL`` pointing at the test database (a file copy of it on SQLite), for ``backup``."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        credentials = f"{s['USER']}:{s['PASSWORD'] or ''}@" if s["USER"] else ""
        settings.DATABASE_URL = f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        path = tmp_path / "site.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        settings.DATABASE_URL = f"sqlite:///{path}"


# The backup reads the database from another connection (pg_dump, SQLite's backup API): its data must be committed.
BACKUP = "backup"


@pytest.mark.django_db
@pytest.mark.parametrize("name", [job.name for job in schedule.SCHEDULE if job.name != BACKUP])
def test_each_scheduled_job_runs(name):
    output = schedule.run_scheduled_job.call(name)

    assert isinstance(output, str)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduled_backup_runs(settings, tmp_path, site_database_url):
    settings.BACKUP_DIR = tmp_path / "backups"

    schedule.run_scheduled_job.call(BACKUP)

    assert list(settings.BACKUP_DIR.glob("bridges-*/manifest.json")), "the backup wrote nothing"
    assert BACKUP in schedule.JOBS


def test_the_scheduler_lists_the_schedule():
    out = StringIO()
    call_command("task_scheduler", "--list", stdout=out)

    assert "send_alert_digests --frequency weekly" in out.getvalue()
    assert len(out.getvalue().splitlines()) == len(schedule.SCHEDULE)
