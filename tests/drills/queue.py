"""The task queue under test: a Redis database of its own per pytest-xdist worker, and real ``task_worker`` processes.

Redis is the one at REDIS_URL (default 127.0.0.1:6379); each xdist worker uses database 10 + its index, flushed
around every test, so parallel runs never see each other's jobs. Without a reachable Redis these tests skip, with
the reason, except in CI (CI=true), where they fail.
"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

import pytest
import redis
from rq import Worker as RQWorker
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from hub.models import SentEmail

ROOT = Path(__file__).resolve().parents[2]
RQ_BACKEND = {"default": {"BACKEND": "hub.task_queue.RQBackend", "QUEUES": ["default"]}}
SEND_EMAIL = "hub.tasks.send_email"
ON_POSTGRESQL = connection.vendor == "postgresql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def queue_redis_url() -> str:
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    return urlunsplit(base._replace(path=f"/{10 + index % 6}"))


def require_redis(url: str) -> redis.Redis:
    """A client of ``url``; skip (fail in CI) when nothing answers there."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {url} ({error}); start redis-server or set REDIS_URL to run this test"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return client


@pytest.fixture
def rq_queue(settings, monkeypatch):
    """The site's RQ backend on this worker's Redis database (empty), retrying a failed task at once."""
    monkeypatch.setattr("hub.task_queue._push_down_until", 0.0)  # no outage carried over from an earlier test
    url = queue_redis_url()
    client = require_redis(url)
    client.flushdb()
    settings.TASKS = RQ_BACKEND
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 120}}
    settings.TASK_RETRY_DELAYS = [0, 0, 0]
    yield client
    client.flushdb()
    client.close()


def run_jobs_here() -> None:
    """Run, in this process, every job that is queued or whose scheduled time has come (RQ's burst mode)."""
    import django_rq
    from rq import SimpleWorker

    from hub.task_queue import Job

    queue = django_rq.get_queue("default", job_class=Job)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True, with_scheduler=True)
    finally:
        for sig, handler in handlers.items():  # RQ installs its own; pytest's must stay
            signal.signal(sig, handler)


class MailLog:
    """What the drill's mail backend delivered (tests.drills.mail_backend), one JSON line per message."""

    def __init__(self, path: Path):
        self.path = path
        path.touch()

    def messages(self) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]

    def subjects(self) -> list[str]:
        return [message["subject"] for message in self.messages()]

    @property
    def paused(self) -> Path:
        return self.path.with_suffix(".paused")


class TaskWorker:
    """``manage.py task_worker`` in a session of its own, against the drill's database, Redis and mail log."""

    def __init__(self, tmp_path: Path, *, database_url: str, redis_url: str, mail: MailLog, pause: str = ""):
        self.log_path = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.log = open(self.log_path, "w")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.drills.worker_settings",
            "DATABASE_URL": database_url,
            "BRIDGES_DRILL_REDIS_URL": redis_url,
            "BRIDGES_DRILL_MAIL_LOG": str(mail.path),
            "BRIDGES_DRILL_MAIL_PAUSE": pause,
            "BRIDGES_DRILL_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "BRIDGES_DRILL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "TMPDIR": str(tmp_path),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "task_worker",
                # a fixed name, as in production (--name %H-%i): a Redis restarted from its append-only file brings
                # back the registration of the worker's run before, which the worker must replace to start again
                f"--name=drill-{os.getpid()}-{time.monotonic_ns()}",
                "--heartbeat=1",
                "--grace=2",
                "--maintenance-interval=1",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        lines = self.log_path.read_text().splitlines()
        return "\n".join(line for line in lines if "cleaning" not in line)[-3000:]

    def kill(self) -> None:
        """SIGKILL the worker, the child running its task and its scheduler at once: a host that died."""
        for pid in session_members(self.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.alive() or session_members(self.pid):
            self.kill()
        self.log.close()


def session_members(sid: int) -> list[int]:
    """The processes of the session ``sid`` (the worker, its task child in a group of its own, its scheduler)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def wait_for(condition, *, timeout: float, what: str, workers=(), client: redis.Redis | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    state = f"queue: {queue_state(client)}\n" if client is not None else ""
    logs = "\n".join(worker.output() for worker in workers)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{state}{logs}")


def wait_until_working(client: redis.Redis, workers: list[TaskWorker], timeout: float = 45) -> None:
    """Until each worker has registered with Redis (Django is loaded, the loop runs)."""
    pids = {worker.pid for worker in workers}

    def registered() -> bool:
        for worker in workers:
            assert worker.alive(), "a task worker exited:\n" + worker.output()
        return pids <= {w.pid for w in RQWorker.all(connection=client)}

    wait_for(registered, timeout=timeout, what="the task workers to start", workers=workers)


def sent_emails(database_url: str) -> list[str]:
    """The keys recorded as sent, read from the workers' database."""
    if ON_POSTGRESQL:
        return list(SentEmail.objects.values_list("key", flat=True))
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return [row[0] for row in db.execute("SELECT key FROM hub_sentemail")]


def finished_jobs(client: redis.Redis) -> int:
    return FinishedJobRegistry("default", connection=client).count


def failed_jobs(client: redis.Redis) -> int:
    return FailedJobRegistry("default", connection=client).count


def queue_state(client: redis.Redis) -> dict[str, int]:
    """How many jobs are where: for the message of a drill that timed out."""
    registries = {
        "finished": FinishedJobRegistry,
        "failed": FailedJobRegistry,
        "started": StartedJobRegistry,
        "scheduled": ScheduledJobRegistry,
    }
    state = {name: registry("default", connection=client).count for name, registry in registries.items()}
    queued = {"queued": client.llen("rq:queue:default"), "intermediate": client.llen("rq:queue:default:intermediate")}
    return {**state, **queued, "jobs": len(client.keys("rq:job:*"))}


class RedisServer:
    """A redis-server of the drill's own on a free port, persisting to an append-only file like a production queue,
    that the drill stops and starts again (never the shared one)."""

    def __init__(self, tmp_path: Path):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            reason = "redis-server is not installed (apt-get install redis-server) to run this drill"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        self.port = free_port()
        self.dir = tmp_path / f"redis-{self.port}"
        self.dir.mkdir()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
            + ["--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: _answers(client), timeout=20, what="redis-server to start")
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # a clean shutdown: the append-only file is complete
            self.process.wait(timeout=20)


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False
