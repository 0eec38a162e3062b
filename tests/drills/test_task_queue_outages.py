"""Drills: the task queue under load and through outages, with real ``task_worker`` processes.

- 200 emails, a quarter of them enqueued twice (a retried request, say), three workers: each delivered once.
- Redis restarted while tasks flow: the workers wait it out and carry on by themselves; every email once.
- PostgreSQL connections cut while tasks flow (``pg_terminate_backend``, as a restart does): the tasks cut short
  run again, the workers carry on by themselves, every email is delivered and recorded once.
"""

import time
from collections import Counter

from django.db import connection

import pytest
import redis

from hub.mail import queue_email
from hub.tasks import send_email
from tests.drills.queue import (
    ON_POSTGRESQL,
    MailLog,
    RedisServer,
    TaskWorker,
    failed_jobs,
    finished_jobs,
    queue_redis_url,
    sent_emails,
    wait_for,
    wait_until_working,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def start_workers(tmp_path, count: int, *, database_url: str, redis_url: str, mail: MailLog) -> list[TaskWorker]:
    return [TaskWorker(tmp_path, database_url=database_url, redis_url=redis_url, mail=mail) for _ in range(count)]


def test_200_emails_some_enqueued_twice_with_three_workers_are_each_delivered_once(tmp_path, rq_queue, server_database):
    mail = MailLog(tmp_path / "mail.log")
    database_url = server_database()
    workers = start_workers(tmp_path, 3, database_url=database_url, redis_url=queue_redis_url(), mail=mail)
    try:
        wait_until_working(rq_queue, workers)
        expected = [f"Notice {number:03d}" for number in range(200)]
        for number, subject in enumerate(expected):
            message = {"key": f"drill-{number:03d}", "subject": subject, "body": "Body", "to": ["r@example.org"]}
            send_email.enqueue(**message)
            if number % 4 == 0:
                send_email.enqueue(**message)  # the same email again, under its key

        wait_for(
            lambda: finished_jobs(rq_queue) == 250,
            timeout=55,
            what="250 jobs to finish",
            workers=workers,
            client=rq_queue,
        )

        delivered = Counter(mail.subjects())
        assert sorted(delivered) == expected and set(delivered.values()) == {1}, "an email was lost or duplicated"
        assert len(sent_emails(database_url)) == 200
        assert {message["worker"] for message in mail.messages()} == {worker.pid for worker in workers}
        assert failed_jobs(rq_queue) == 0
    finally:
        for worker in workers:
            worker.stop()


def test_workers_carry_on_by_themselves_after_redis_restarts_while_tasks_flow(
    tmp_path, rq_queue, server_database, settings
):
    server = RedisServer(tmp_path)
    server.start()
    settings.RQ_QUEUES = {"default": {"URL": server.url, "DEFAULT_TIMEOUT": 120}}
    client = redis.Redis.from_url(server.url)
    mail = MailLog(tmp_path / "mail.log")
    workers = start_workers(tmp_path, 2, database_url=server_database(), redis_url=server.url, mail=mail)
    try:
        wait_until_working(client, workers)
        pids = [worker.pid for worker in workers]
        before = [f"Before {number:02d}" for number in range(60)]
        for subject in before:
            queue_email(subject=subject, body="Body", to=["r@example.org"])
        wait_for(lambda: len(mail.subjects()) >= 5, timeout=20, what="the first emails", workers=workers)

        server.stop()
        time.sleep(2)
        server.start()
        after = [f"After {number:02d}" for number in range(20)]
        for subject in after:
            queue_email(subject=subject, body="Body", to=["r@example.org"])

        wait_for(
            lambda: finished_jobs(client) == 80, timeout=45, what="every task to finish", workers=workers, client=client
        )
        delivered = Counter(mail.subjects())
        assert sorted(delivered) == sorted(before + after) and set(delivered.values()) == {1}
        assert [worker.pid for worker in workers] == pids and all(worker.alive() for worker in workers)
    finally:
        for worker in workers:
            worker.stop()
        client.close()
        server.stop()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_terminate_backend needs PostgreSQL (set DATABASE_URL to run it)")
def test_workers_carry_on_by_themselves_when_their_database_connections_are_cut(tmp_path, rq_queue, server_database):
    mail = MailLog(tmp_path / "mail.log")
    database_url = server_database()
    workers = start_workers(tmp_path, 2, database_url=database_url, redis_url=queue_redis_url(), mail=mail)
    try:
        wait_until_working(rq_queue, workers)
        expected = [f"Notice {number:02d}" for number in range(60)]
        for subject in expected:
            queue_email(subject=subject, body="Body", to=["r@example.org"])

        cut = 0
        with connection.cursor() as cursor:
            deadline = time.monotonic() + 20
            while cut < 3 and time.monotonic() < deadline:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = 'bridges-drill-worker' AND pid <> pg_backend_pid()"
                )
                for (pid,) in cursor.fetchall():
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    cut += cursor.fetchone()[0]
                time.sleep(0.05)
        assert cut, "the drill cut no connection of a running task"

        wait_for(
            lambda: finished_jobs(rq_queue) == 60,
            timeout=45,
            what="every task to finish",
            workers=workers,
            client=rq_queue,
        )
        delivered = Counter(mail.subjects())
        assert sorted(delivered) == expected, "an email was lost"
        assert sorted(sent_emails(database_url)) == sorted(set(sent_emails(database_url)))
        assert len(sent_emails(database_url)) == 60
        # A second delivery is possible only for a task cut between the mail server's acceptance and its commit.
        assert sum(delivered.values()) - 60 <= cut
        assert failed_jobs(rq_queue) == 0
        assert all(worker.alive() for worker in workers)
    finally:
        for worker in workers:
            worker.stop()
