"""``manage.py task_worker``: run the background tasks (RQ); as many as you like, on any hosts (README)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rq.logutils import setup_loghandlers

from hub.task_queue import queue_names, run_worker


class Command(BaseCommand):
    help = (
        "Run background tasks from the RQ queues on Redis (REDIS_URL): emails, search indexing, scheduled jobs. Run "
        "several, on any hosts. A task whose worker died is run again by another worker once its heartbeat is "
        "HEARTBEAT + GRACE seconds old; the worker waits out a Redis or database outage and carries on by itself. "
        "SIGTERM lets the current task finish."
    )

    def add_arguments(self, parser):
        parser.add_argument("queues", nargs="*", help="queues to serve (default: those of the task backend)")
        parser.add_argument("--burst", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--name", default=None, help="worker name (default: host, process id)")
        parser.add_argument("--heartbeat", type=int, default=10, help="seconds between heartbeats of a running task")
        parser.add_argument(
            "--grace", type=int, default=30, help="seconds past a missed heartbeat before a task counts as abandoned"
        )
        parser.add_argument(
            "--maintenance-interval",
            type=int,
            default=60,
            help="seconds between looks for abandoned tasks (one worker looks at a time)",
        )

    def handle(self, *args, queues, burst, name, heartbeat, grace, maintenance_interval, **options):
        if settings.TASKS["default"]["BACKEND"] != "hub.task_queue.RQBackend":
            raise CommandError("The task backend is not RQ: set REDIS_URL (README, Running in production).")
        level = {0: "WARNING", 1: "INFO"}.get(options["verbosity"], "DEBUG")
        setup_loghandlers(level)
        run_worker(
            queues=queues or queue_names(),
            heartbeat=heartbeat,
            grace=grace,
            maintenance_interval=maintenance_interval,
            burst=burst,
            name=name,
            logging_level=level,
        )
