"""The periodic jobs of the site, in one place: each runs a management command on a task worker at its cron time.

``manage.py task_scheduler`` (one process or several, on any hosts) enqueues each job when it is due. Before it
enqueues a run it claims the run's time slot in Redis (``SET NX``), so two schedulers never enqueue the same run and a
restarted scheduler does not enqueue it again. A run missed by less than ``CATCH_UP`` (the schedulers were down)
is enqueued late; one missed by more is skipped, as cron would. Cron expressions are in ``settings.TIME_ZONE``.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from io import StringIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command

from croniter import croniter
from django_tasks import task

logger = logging.getLogger("hub.schedule")

CATCH_UP = dt.timedelta(hours=1)
# How long a claimed slot is remembered: longer than CATCH_UP, so a claimed run is never enqueued twice.
CLAIM_SECONDS = 2 * 24 * 3600
CLAIM_PREFIX = "bridges:schedule"


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    cron: str
    command: str
    args: tuple[str, ...] = ()
    why: str = ""


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob("publish_scheduled", "*/10 * * * *", "publish_scheduled", why="Wagtail: calls go live on their date"),
    ScheduledJob(
        "send_call_reminders",
        "0 * * * *",
        "send_call_reminders",
        why="one reminder per due review or draft near its deadline",
    ),
    ScheduledJob(
        "send_report_reminders",
        "30 7 * * *",
        "send_report_reminders",
        why="one reminder per partnership report due within a week",
    ),
    ScheduledJob(
        "alert_digests_daily", "0 6 * * *", "send_alert_digests", ("--frequency", "daily"), why="daily alert digests"
    ),
    ScheduledJob(
        "notification_digests", "0 7 * * *", "send_notification_digests", why="daily notification digests (issue 18)"
    ),
    ScheduledJob("search_reconcile", "15 0 * * *", "search_reconcile", why="index in line; results out of embargo"),
    ScheduledJob(
        "build_bulk_download", "5 * * * *", "build_bulk_download", why="/data/bulk.zip, read by whole-list CSV exports"
    ),
    ScheduledJob("backup", "0 2 * * *", "backup", why="database and files into settings.BACKUP_DIR"),
    ScheduledJob(
        "private_media_sweep", "30 2 * * *", "private_media_sweep", why="files a killed worker left without a row"
    ),
    ScheduledJob(
        "prune_sent_emails", "45 2 * * *", "prune_sent_emails", why="forget keys of emails sent long ago (90 days)"
    ),
    ScheduledJob(
        "alert_digests_weekly", "0 6 * * 1", "send_alert_digests", ("--frequency", "weekly"), why="weekly alert digests"
    ),
    ScheduledJob(
        "anonymise_proposals",
        "0 3 * * *",
        "anonymise_proposals",
        why="retention: notice a month before, then anonymise declined and withdrawn proposals",
    ),
)
JOBS = {job.name: job for job in SCHEDULE}


def latest_slot(job: ScheduledJob, now: dt.datetime) -> dt.datetime:
    """The latest time at or before ``now`` at which the job is due."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE)) + dt.timedelta(microseconds=1)
    return croniter(job.cron, local).get_prev(dt.datetime)


def due(now: dt.datetime) -> list[tuple[ScheduledJob, dt.datetime]]:
    """Each job with its latest slot, when that slot is at most CATCH_UP old."""
    slots = [(job, latest_slot(job, now)) for job in SCHEDULE]
    return [(job, slot) for job, slot in slots if now - slot <= CATCH_UP]


def claim_key(job: ScheduledJob, slot: dt.datetime) -> str:
    return f"{CLAIM_PREFIX}:{job.name}:{slot.astimezone(dt.UTC):%Y%m%dT%H%MZ}"


def enqueue_due(*, now: dt.datetime, redis) -> list[str]:
    """Enqueue every due run that no scheduler claimed yet; return the names of the jobs enqueued."""
    enqueued = []
    for job, slot in due(now):
        key = claim_key(job, slot)
        if not redis.set(key, now.isoformat(), nx=True, ex=CLAIM_SECONDS):
            continue
        try:
            run_scheduled_job.enqueue(job.name)
        except Exception:
            redis.delete(key)  # not enqueued: the next pass claims the run again
            raise
        logger.info("Enqueued %s (due %s)", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued


@task()
def run_scheduled_job(name: str) -> str:
    """Run one job of SCHEDULE on a worker; what its command printed is the task's result."""
    job = JOBS[name]
    output = StringIO()
    call_command(job.command, *job.args, stdout=output, stderr=output)
    return output.getvalue()[-4000:]
