"""Drill: the mail server is down when a proposal is submitted.

The lead sees the normal confirmation; the receipts stay queued (database task backend) and are
retried with backoff until the server is back, then delivered once; after the last attempt the
task fails loudly instead of retrying for ever.
"""

import datetime as dt
import logging

from django.core import mail
from django.utils import timezone

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from hub.tasks import MAX_ATTEMPTS, RETRY_DELAYS, send_email
from tests.drills.conftest import assert_invariant, assert_no_traceback, free_port, submit_key

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEND_EMAIL = "hub.tasks.send_email"


@pytest.fixture
def mail_server_down(settings):
    """The database task queue of production, and SMTP pointed at a port where nothing listens."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def run_worker() -> None:
    """One pass of the production task worker over every task that is due."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="drill",
    ).run()


def queued_mail():
    return DBTaskResult.objects.filter(task_path=SEND_EMAIL, status=TaskResultStatus.READY)


def test_submission_succeeds_while_mail_is_down_and_the_receipts_arrive_once_it_is_back(
    client, mail_server_down, filled, lead, caplog
):
    client.force_login(lead)
    response = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": submit_key(client, filled)})
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert "Submitted as version 1" in page.content.decode()
    assert_no_traceback(page)
    recipients = queued_mail().count()
    assert recipients >= 1, "the receipts were not queued"

    with caplog.at_level(logging.WARNING, logger="hub.mail"):
        run_worker()  # the server is down: every attempt fails and is queued again, later

    retries = list(queued_mail())
    assert len(retries) == recipients and mail.outbox == []
    assert all(r.args_kwargs["kwargs"]["attempt"] == 2 for r in retries)
    soonest = timezone.now() + RETRY_DELAYS[0] - dt.timedelta(seconds=30)
    assert all(r.run_after >= soonest for r in retries), "a retry was not deferred (no backoff)"
    assert "retrying" in caplog.text

    run_worker()  # nothing is due yet: no hammering of a server that is down
    assert queued_mail().count() == recipients

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    queued_mail().update(run_after=timezone.now())  # … and the retry is due
    run_worker()

    assert len(mail.outbox) == recipients, "each receipt is delivered exactly once"
    assert not queued_mail().exists()
    assert_invariant()


def test_after_the_last_attempt_the_mail_fails_loudly_and_is_not_retried(mail_server_down, caplog):
    send_email.enqueue(subject="Receipt", body="Body", to=["lead@example.org"], attempt=MAX_ATTEMPTS)

    with caplog.at_level(logging.ERROR, logger="hub.mail"):
        run_worker()

    task = DBTaskResult.objects.get(task_path=SEND_EMAIL)
    assert task.status == TaskResultStatus.FAILED
    assert not queued_mail().exists()
    assert "giving up" in caplog.text


def test_an_alert_digest_is_retried_with_its_unsubscribe_headers_while_mail_is_down(mail_server_down, caplog):
    from calls.tasks import send_alert_email

    headers = {"List-Unsubscribe": "<https://bridges.example/alerts/unsubscribe/abc/>"}
    send_alert_email.enqueue(
        subject="New calls for you",
        body="Two new calls.",
        html="<p>Two new calls.</p>",
        to=["r@example.org"],
        headers=headers,
    )

    with caplog.at_level(logging.WARNING, logger="hub.mail"):
        run_worker()  # the digest task runs; its email fails and is queued again, later

    retry = queued_mail().get()
    assert retry.args_kwargs["kwargs"]["headers"] == headers and retry.args_kwargs["kwargs"]["attempt"] == 2
    assert mail.outbox == []

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queued_mail().update(run_after=timezone.now())
    run_worker()

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "New calls for you" and sent.extra_headers["List-Unsubscribe"] == headers["List-Unsubscribe"]
    assert sent.alternatives and "Two new calls." in sent.alternatives[0][0]
