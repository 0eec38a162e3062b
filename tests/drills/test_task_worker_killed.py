"""Drill: a task worker is killed (SIGKILL, with the process running its task) in the middle of a task.

Another worker finds the task abandoned within seconds and runs it again, and its effect happens once: an email held
before delivery is delivered by the second run; an email already delivered and recorded, whose worker died before
it reported success, is not sent again.
"""

import pytest

from hub.mail import queue_email
from tests.drills.queue import (
    MailLog,
    TaskWorker,
    finished_jobs,
    queue_redis_url,
    sent_emails,
    session_members,
    wait_for,
    wait_until_working,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("moment", ["before", "after_commit"])
def test_a_task_whose_worker_was_killed_runs_again_and_its_email_goes_out_once(
    tmp_path, rq_queue, server_database, moment
):
    mail = MailLog(tmp_path / "mail.log")
    database_url = server_database()
    workers = [
        TaskWorker(
            tmp_path, database_url=database_url, redis_url=queue_redis_url(), mail=mail, pause=f"Receipt:{moment}:60"
        )
        for _ in range(2)
    ]
    try:
        wait_until_working(rq_queue, workers)
        queue_email(subject="Receipt", body="Your proposal was submitted.", to=["lead@example.org"])
        wait_for(mail.paused.exists, timeout=20, what="a worker to start the task", workers=workers)
        holder = int(mail.paused.read_text())
        (victim,) = [worker for worker in workers if holder in session_members(worker.pid)]
        (survivor,) = [worker for worker in workers if worker is not victim]

        victim.kill()
        wait_for(lambda: finished_jobs(rq_queue) == 1, timeout=30, what="the task to run again", workers=workers)

        assert mail.subjects() == ["Receipt"], "the email was not delivered exactly once"
        assert len(sent_emails(database_url)) == 1
        assert survivor.alive()
    finally:
        for worker in workers:
            worker.stop()
