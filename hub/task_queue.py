"""Background work on RQ (Redis): the task backend the site enqueues with, and the worker that runs the tasks.

django-tasks-rq translates django-tasks to RQ; on top of it, here:

- a task reaches Redis only once the transaction that enqueued it commits (as with the database queue before), so
  that a worker never runs a task for a change that was rolled back, nor reads a row before it is committed;
- every task carries RQ's retry policy (``settings.TASK_RETRY_DELAYS``): a task that fails, or whose worker died
  under it, runs again after each delay in turn, then is given up (logged as an error, kept in RQ's failed registry);
- a task enqueued while Redis is unreachable is kept in the database (``UnsentTask``) instead of lost, and pushed by
  the next pass of ``task_scheduler`` (``push_unsent``) once Redis answers;
- a worker notices a dead worker's task within ``heartbeat + grace`` seconds instead of RQ's minutes, runs each task
  in a child process of its own (a database connection lost under one task is never reused by the next), and comes
  back by itself after Redis went away.
"""

import logging
import os
import signal
import time
from collections.abc import Iterable

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils.module_loading import import_string

import django_rq
from django_rq.utils import reset_db_connections
from django_tasks import task_backends
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import backend as rq_backend
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker as RQWorker
from rq import worker_registration
from rq.job import Callback, JobStatus, Retry
from rq.utils import now as rq_now

from hub.models import UnsentTask

logger = logging.getLogger("hub.tasks")

Job = rq_backend.Job


def on_failure(job, connection, exception_class, exception_value, traceback) -> None:
    """Record the failure for django-tasks, and log whether the task will run again or was given up."""
    rq_backend.failed_callback(job, connection, exception_class, exception_value, traceback)
    if job.retries_left:
        logger.warning(
            "Task %s (%s) failed: %s; it will run again (%s more attempt(s))",
            job.func_name,
            job.id,
            exception_class.__name__,
            job.retries_left,
        )
    else:
        logger.error("Task %s (%s) failed: %s; giving up", job.func_name, job.id, exception_class.__name__)


class RQBackend(rq_backend.RQBackend):
    """django-tasks-rq, enqueueing when the transaction commits and with the site's retry policy on every task."""

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        if transaction.get_connection().in_atomic_block:
            # robust: the change is committed whatever happens now; a push that fails is kept (``_push_or_keep``).
            transaction.on_commit(lambda: self._push_or_keep(result), robust=True)
        else:
            self._push_or_keep(result)
        return result

    def _push_or_keep(self, result: TaskResult) -> None:
        """Push to RQ or, while Redis is unreachable, keep the task in the database for ``push_unsent``.

        After a push failed, the next ones for ``PUSH_RETRY_SECONDS`` are kept at once (a Redis that does not answer
        would otherwise hold each request ``PUSH_TIMEOUT_SECONDS`` per task)."""
        global _push_down_until
        if time.monotonic() < _push_down_until:
            self._keep(result, "Redis did not answer a push moments ago")
            return
        try:
            self._push(result)
        except RedisError as error:
            _push_down_until = time.monotonic() + PUSH_RETRY_SECONDS
            self._keep(result, str(error))

    def _keep(self, result: TaskResult, error: str) -> None:
        task = result.task
        UnsentTask.objects.get_or_create(
            id=result.id,
            defaults={
                "module_path": task.module_path,
                "queue_name": task.queue_name,
                "priority": task.priority,
                "run_after": task.run_after,
                "args": result.args,
                "kwargs": result.kwargs,
                "error": error[:1000],
            },
        )
        logger.error("Task %s (%s) kept in the database: Redis is unreachable (%s)", task.name, result.id, error)

    def _push(self, result: TaskResult) -> None:
        task = result.task
        queue = django_rq.get_queue(task.queue_name, job_class=Job, connection=_redis(task.queue_name))
        delays = list(settings.TASK_RETRY_DELAYS)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            retry=Retry(max=len(delays), interval=delays) if delays else None,
            on_failure=Callback(on_failure),
            on_success=Callback(rq_backend.success_callback),
            meta={"backend_name": self.alias},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)


def push_unsent(limit: int = 500) -> int:
    """Push tasks kept while Redis was unreachable, oldest first; return how many reached the queue.

    Run by every pass of ``task_scheduler``; several schedulers share the rows (``SKIP LOCKED``). Stops at the first
    push that fails (Redis is still away): the rows pushed so far are removed, the rest wait for the next pass."""
    backend = task_backends["default"]
    pushed = 0
    with transaction.atomic():
        rows = UnsentTask.objects.select_for_update(skip_locked=True).order_by("created_at", "id")[:limit]
        for row in rows:
            task = import_string(row.module_path).using(
                queue_name=row.queue_name, priority=row.priority, run_after=row.run_after
            )
            result = TaskResult(
                task=task,
                id=row.id,
                status=TaskResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=row.args,
                kwargs=row.kwargs,
                backend=backend.alias,
                errors=[],
                worker_ids=[],
            )
            try:
                backend._push(result)
            except RedisError as error:
                logger.warning("Unsent tasks wait for Redis (%s)", error)
                break
            row.delete()
            pushed += 1
    if pushed:
        logger.info("Pushed %s task(s) kept while Redis was unreachable", pushed)
    return pushed


_clients: dict[str, Redis] = {}


# A push waits this long at most for a Redis that does not answer (packets dropped rather than refused), then the task
# is kept in the database; the workers' own connections have no such limit (they block on the queue for minutes).
PUSH_TIMEOUT_SECONDS = 2
PUSH_RETRY_SECONDS = 5
_push_down_until = 0.0


def _redis(queue_name: str) -> Redis:
    """One client (and connection pool) per queue configuration and process: django-rq makes a new one each call,
    which would open a connection for every task a page enqueues."""
    config = repr(sorted(settings.RQ_QUEUES[queue_name].items()))
    if config not in _clients:
        client = django_rq.get_connection(queue_name)
        client.connection_pool.connection_kwargs.update(
            socket_connect_timeout=PUSH_TIMEOUT_SECONDS, socket_timeout=PUSH_TIMEOUT_SECONDS
        )
        _clients[config] = client
    return _clients[config]


class Worker(RQWorker):
    """RQ's forking worker, whose running task counts as abandoned ``grace`` seconds after its last heartbeat."""

    heartbeat_grace = 30

    def register_birth(self) -> None:
        # A worker's name is its slot (``--name %H-%i``). A registration under it that is still marked alive belongs
        # to its previous run when it names this host and a process that is gone, or this very process (which starts
        # working again after Redis went away: a Redis restarted from its append-only file brings the registration
        # back). RQ refuses to start then, and would keep refusing until the registration expires; it is replaced.
        stale = self.connection.hmget(self.key, "hostname", "pid") if self.connection.exists(self.key) else None
        if stale and not self.connection.hexists(self.key, "death") and _previous_run(*stale, self.hostname):
            logger.warning("Worker %s: replacing the registration of its previous run", self.name)
            with self.connection.pipeline() as pipeline:
                pipeline.delete(self.key)
                worker_registration.unregister(self, pipeline)
                pipeline.execute()
        super().register_birth()

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # RQ adds 60 s; a worker that died under a task then holds it for minutes before another one may run it.
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + self.heartbeat_grace

    def clean_registries(self) -> None:
        super().clean_registries()
        # A task taken off the queue just as its worker lost Redis or died waits in RQ's intermediate list, which
        # RQ clears after a minute; the grace is as long as a task whose worker is known to be alive may wait.
        for queue in self.queues:
            lock = f"{queue.registry_cleaning_key}:bridges-intermediate"
            if not self.connection.set(lock, self.name, nx=True, ex=max(self.maintenance_interval - 1, 1)):
                continue  # another worker is at it: each task is put back once
            intermediate = queue.intermediate_queue
            for job_id in intermediate.get_job_ids():
                if job_id in queue.started_job_registry:
                    continue
                first_seen = intermediate.get_first_seen(job_id)
                if first_seen is None:
                    intermediate.set_first_seen(job_id)
                elif (rq_now() - first_seen).total_seconds() > self.heartbeat_grace:
                    job = queue.fetch_job(job_id)
                    if job is not None:
                        logger.warning("Task %s (%s) was taken off the queue but never started", job.func_name, job_id)
                        self.handle_job_failure(job, queue, exc_string="Taken off the queue, never started.")
                    intermediate.remove(job_id)


def queue_names() -> list[str]:
    """The queues of the default task backend (the ones its workers serve)."""
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def run_worker(
    *,
    queues: Iterable[str],
    heartbeat: int,
    grace: int,
    maintenance_interval: int,
    burst: bool = False,
    name: str | None = None,
    logging_level: str = "INFO",
) -> None:
    """Work on the queues until SIGTERM/SIGINT (or, in burst mode, until they are empty), starting again whenever
    Redis went away under the worker: waiting with backoff, never exiting for an outage."""
    queues = list(queues)
    backoff = 1.0
    while True:
        started = time.monotonic()
        worker = None
        try:
            worker = Worker(
                [django_rq.get_queue(queue, job_class=Job) for queue in queues],
                connection=django_rq.get_connection(queues[0]),
                job_class=Job,
                name=name,
                job_monitoring_interval=heartbeat,
                maintenance_interval=maintenance_interval,
                # An idle worker waits for a task at most worker_ttl - 15 s, then does its maintenance (looks for
                # abandoned tasks among others): so it looks about every maintenance_interval even when idle.
                worker_ttl=maintenance_interval + 15,
            )
            worker.heartbeat_grace = grace
            # Children (the task's process, the scheduler) must open database connections of their own.
            reset_db_connections()
            worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
        except RedisError as error:
            logger.error("Task worker cannot reach Redis (%s)", error)
        if burst or (worker is not None and worker._shutdown_requested_date is not None):
            return
        # RQ's loop returns on an error it does not handle (Redis gone during a heartbeat, say): start again.
        if time.monotonic() - started > 60:
            backoff = 1.0
        logger.warning("Task worker stopped unexpectedly; starting again in %.0f s", backoff)
        stop = _sleep_unless_stopped(backoff)
        if stop:
            return
        backoff = min(backoff * 2, 30.0)


def _previous_run(hostname: bytes | None, pid: bytes | None, this_host: str) -> bool:
    """Whether a worker registration naming ``hostname`` and ``pid`` is of a run on this host that is over."""
    if hostname is None or pid is None or hostname.decode() != this_host:
        return False
    try:
        number = int(pid)
    except ValueError:
        return False
    if number == os.getpid():
        return True
    try:
        os.kill(number, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    return False


def _sleep_unless_stopped(seconds: float) -> bool:
    stopped = []
    previous = {sig: signal.signal(sig, lambda *_: stopped.append(True)) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        deadline = time.monotonic() + seconds
        while not stopped and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return bool(stopped)


@checks.register(checks.Tags.compatibility, deploy=True)
def check_task_queue(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Production runs its background work on RQ: the database queue does not survive its workers."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend == "hub.task_queue.RQBackend":
        return []
    return [
        checks.Warning(
            "Background tasks do not run on RQ (REDIS_URL is not set).",
            hint="Set REDIS_URL: a task whose worker dies is then run again, and failed tasks are retried "
            "(README, Running in production).",
            id="hub.W001",
        )
    ]
