"""``manage.py task_scheduler``: enqueue the periodic jobs of hub/schedule.py at their times (README)."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

import django_rq
from redis.exceptions import RedisError

from hub.schedule import SCHEDULE, enqueue_due
from hub.task_queue import push_unsent, queue_names


class Command(BaseCommand):
    help = (
        "Enqueue each periodic job of hub/schedule.py when it is due, for the task workers. Safe to run on several "
        "hosts at once: each run is claimed in Redis, so it is enqueued once. --list prints the schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")
        parser.add_argument("--once", action="store_true", help="enqueue what is due now, then exit")
        parser.add_argument("--interval", type=float, default=20, help="seconds between looks at the schedule")

    def handle(self, *args, list: bool, once: bool, interval: float, **options):
        if list:
            for job in SCHEDULE:
                command = " ".join(["manage.py", job.command, *job.args])
                self.stdout.write(f"{job.cron:<14} {command:<50} # {job.why}")
            return
        if settings.TASKS["default"]["BACKEND"] != "hub.task_queue.RQBackend":
            raise CommandError("The task backend is not RQ: set REDIS_URL (README, Running in production).")
        redis = django_rq.get_connection(queue_names()[0])
        stopped = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopped.append(True))
        while not stopped:
            try:
                pushed = push_unsent()
                if pushed:
                    self.stdout.write(f"Pushed {pushed} task(s) kept while Redis was unreachable.")
                for name in enqueue_due(now=timezone.now(), redis=redis):
                    self.stdout.write(f"Enqueued {name}.")
            except RedisError as error:
                # Redis is away (restarting, say): nothing was claimed, so the next pass enqueues what is due.
                self.stderr.write(f"Redis unavailable ({error}); trying again in {interval:.0f} s.")
            except DatabaseError as error:
                # unsent tasks stay where they are; the next pass pushes them
                self.stderr.write(f"Database unavailable ({error}); trying again in {interval:.0f} s.")
                close_old_connections()
            if once:
                return
            deadline = time.monotonic() + interval
            while not stopped and time.monotonic() < deadline:
                time.sleep(0.2)
