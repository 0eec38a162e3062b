"""The production cache while Redis cannot be reached (hub/cache.py): every call misses at once, nothing raises."""

import time

import pytest

from hub import cache as resilient
from tests.drills.queue import free_port


@pytest.fixture
def unreachable(monkeypatch):
    """The resilient cache at a port where nothing listens (connection refused, as when Redis is down)."""
    monkeypatch.setattr(resilient.ResilientRedisCache, "_down_until", 0.0)
    backend = resilient.ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )
    yield backend
    monkeypatch.setattr(resilient.ResilientRedisCache, "_down_until", 0.0)


def test_reads_miss_and_writes_are_dropped_instead_of_raising(unreachable, caplog):
    assert unreachable.get("page", "fallback") == "fallback"
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.has_key("a") is False
    assert unreachable.set("a", 1) is None
    assert unreachable.add("a", 1) is False
    assert unreachable.touch("a") is False
    assert unreachable.delete("a") is False
    assert sorted(unreachable.set_many({"a": 1, "b": 2})) == ["a", "b"]  # every key reported as not stored
    unreachable.delete_many(["a", "b"])
    with pytest.raises(ValueError):
        unreachable.incr("counter")
    with pytest.raises(ValueError):
        unreachable.decr("counter")
    assert unreachable.get_or_set("computed", lambda: 42) == 42
    outage_logs = [record for record in caplog.records if record.name == "hub.cache"]
    assert len(outage_logs) == 1 and "Cache unavailable" in outage_logs[0].getMessage()


def test_after_a_failure_redis_is_not_asked_again_until_the_retry_time(unreachable, monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 60.0)
    asked = []
    original = resilient.RedisCache.get

    def counting_get(self, *args, **kwargs):
        asked.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(resilient.RedisCache, "get", counting_get)
    assert unreachable.get("first") is None
    assert unreachable.available() is False
    for _ in range(50):
        assert unreachable.get("again") is None
    assert asked == ["first"], "each request would wait for the connection to fail"

    monkeypatch.setattr(resilient.ResilientRedisCache, "_down_until", time.monotonic() - 1)
    assert unreachable.available() is True
    unreachable.get("retried")
    assert asked == ["first", "retried"]


def test_a_task_pushed_to_a_redis_that_does_not_answer_is_kept_within_seconds(
    db, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """A Redis that accepts the connection and never answers (a hung server, dropped packets): the push gives up after
    PUSH_TIMEOUT_SECONDS and the task waits in the database, instead of holding the request forever."""
    import socket
    import threading

    from hub import task_queue
    from hub.mail import queue_email
    from hub.models import UnsentTask

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts (the kernel completes the handshake) and never reads nor writes
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    settings.TASKS = {"default": {"BACKEND": "hub.task_queue.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{silent.getsockname()[1]}/0"}}
    task_queue._clients.clear()
    monkeypatch.setattr(task_queue, "_push_down_until", 0.0)
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):  # pushed when the change commits
            for number in range(5):
                queue_email(subject=f"Kept {number}", body="Body", to=["r@example.org"], key=f"hung-redis-{number}")
        waited = time.monotonic() - started
    finally:
        task_queue._clients.clear()
        silent.close()
    assert UnsentTask.objects.filter(module_path="hub.tasks.send_email").count() == 5
    # the first push waits for the timeout; the next ones are kept at once, not after a timeout each
    assert waited < task_queue.PUSH_TIMEOUT_SECONDS * 2, f"five pushes held the request for {waited:.1f} s"
