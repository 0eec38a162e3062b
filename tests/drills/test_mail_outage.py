"""Drill: the mail server is down when a proposal is submitted.

The lead sees the normal confirmation; the receipts wait in the task queue (RQ) and are retried with backoff
until the server is back, then delivered once each. (Giving up after the last attempt: tests/hub/test_tasks.py.)
"""

import datetime as dt
import logging

from django.core import mail

import pytest
from rq.registry import ScheduledJobRegistry

from hub.mail import queue_email
from tests.drills.conftest import assert_invariant, assert_no_traceback, free_port, submit_key
from tests.drills.queue import run_jobs_here

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def mail_server_down(settings, rq_queue):
    """The RQ task queue of production, with its retry delays, and SMTP on a port where nothing listens."""
    settings.TASK_RETRY_DELAYS = [60, 300, 1800, 3600, 3 * 3600]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def waiting(client) -> dict[str, float]:
    """The retries waiting in the queue's schedule: job id → seconds until it runs."""
    scheduled = ScheduledJobRegistry("default", connection=client)
    now = dt.datetime.now(dt.UTC)
    return {job: (scheduled.get_scheduled_time(job) - now).total_seconds() for job in scheduled.get_job_ids()}


def server_back(settings, client) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    scheduled = ScheduledJobRegistry("default", connection=client)
    client.zadd(scheduled.key, dict.fromkeys(scheduled.get_job_ids(), 0))  # … and the retries are due


def test_submission_succeeds_while_mail_is_down_and_the_receipts_arrive_once_it_is_back(
    client, mail_server_down, rq_queue, filled, lead, caplog
):
    client.force_login(lead)
    response = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": submit_key(client, filled)})
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert "Submitted as version 1" in page.content.decode()
    assert_no_traceback(page)

    with caplog.at_level(logging.WARNING):
        run_jobs_here()  # the server is down: every attempt fails and waits for its retry
    retries = waiting(rq_queue)
    assert len(retries) >= 1, "the receipts were not queued"
    assert all(50 < seconds <= 60 for seconds in retries.values()), "a retry was not deferred (no backoff)"
    assert "will run again" in caplog.text and mail.outbox == []

    run_jobs_here()  # nothing is due yet: no hammering of a server that is down
    assert len(waiting(rq_queue)) == len(retries) and mail.outbox == []

    server_back(mail_server_down, rq_queue)
    run_jobs_here()

    assert len(mail.outbox) == len(retries), "each receipt is delivered exactly once"
    assert len({message.to[0] for message in mail.outbox}) == len(retries)
    assert waiting(rq_queue) == {}
    assert_invariant()


def test_an_alert_digest_is_retried_with_its_unsubscribe_headers_while_mail_is_down(mail_server_down, rq_queue):
    headers = {"List-Unsubscribe": "<https://bridges.example/alerts/unsubscribe/abc/>"}
    queue_email(
        subject="New calls for you",
        body="Two new calls.",
        html="<p>Two new calls.</p>",
        to=["r@example.org"],
        headers=headers,
    )

    run_jobs_here()
    assert len(waiting(rq_queue)) == 1 and mail.outbox == []

    server_back(mail_server_down, rq_queue)
    run_jobs_here()

    (sent,) = mail.outbox
    assert sent.subject == "New calls for you" and sent.extra_headers["List-Unsubscribe"] == headers["List-Unsubscribe"]
    assert sent.alternatives and "Two new calls." in sent.alternatives[0][0]
