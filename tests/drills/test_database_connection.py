"""Drill: the database connection dies in the middle of a proposal submission.

Transactions roll back, the lead sees a retryable 503 ("nothing was saved", Retry-After), the
app serves the next request without a restart, and the retried submission (same one-time key)
is stored once, with one set of emails.
"""

from django.core import mail
from django.db import connection
from django.db.models.signals import post_save

import pytest

from calls.models import Proposal, ProposalVersion
from tests.drills.conftest import ON_POSTGRESQL, assert_invariant, assert_no_traceback, submit_key

pytestmark = pytest.mark.drill


@pytest.mark.django_db
def test_a_replayed_submission_is_stored_once_and_answered_as_the_first(
    client, filled, lead, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    key = submit_key(client, filled)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": key}, follow=True)
    emails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": key}, follow=True)

    assert first.redirect_chain == replay.redirect_chain == [(f"/proposals/{filled.pk}/", 302)]
    assert "Submitted as version 1" in replay.content.decode()
    assert ProposalVersion.objects.filter(proposal=filled).count() == 1
    assert len(mail.outbox) == emails > 0, "a replay sent the receipts again"
    assert_invariant()


@pytest.mark.django_db
def test_each_rendering_of_the_submit_form_has_its_own_key(client, filled, lead):
    client.force_login(lead)

    assert submit_key(client, filled) != submit_key(client, filled)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_terminate_backend needs PostgreSQL (set DATABASE_URL to run it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_connection_killed_mid_submission_rolls_back_and_the_retry_is_stored_once(client, filled, lead):
    import psycopg

    client.force_login(lead)
    key = submit_key(client, filled)
    settings_dict = connection.settings_dict
    killed = []

    def kill_own_connection(sender, instance, created, **kwargs):
        # The version row is written; the proposal's status is not yet: the worst moment to lose the database.
        if killed:
            return
        pid = connection.connection.info.backend_pid
        with psycopg.connect(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"],
            password=settings_dict["PASSWORD"] or None,
            dbname=settings_dict["NAME"],
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        killed.append(pid)

    post_save.connect(kill_own_connection, sender=ProposalVersion, dispatch_uid="drill-kill")
    try:
        response = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": key})
    finally:
        post_save.disconnect(sender=ProposalVersion, dispatch_uid="drill-kill")

    assert killed, "the drill did not kill the connection"
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "nothing was saved" in response.content.decode()
    assert_no_traceback(response)
    assert ProposalVersion.objects.filter(proposal=filled).count() == 0, "the killed transaction was not rolled back"
    assert Proposal.objects.get(pk=filled.pk).status == Proposal.Status.DRAFT
    assert len(mail.outbox) == 0

    # The same app answers the next request on a new connection; the lead retries the same form.
    assert client.get(f"/proposals/{filled.pk}/").status_code == 200
    retry = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": key}, follow=True)
    again = client.post(f"/proposals/{filled.pk}/submit/", {"idempotency_key": key}, follow=True)

    assert "Submitted as version 1" in retry.content.decode() and "Submitted as version 1" in again.content.decode()
    assert ProposalVersion.objects.filter(proposal=filled).count() == 1
    assert ProposalVersion.objects.get(proposal=filled).idempotency_key is not None
    assert Proposal.objects.get(pk=filled.pk).status == Proposal.Status.SUBMITTED
    assert_invariant()


@pytest.mark.django_db
def test_a_connection_lost_inside_a_middleware_is_a_retryable_503_not_a_500(lead, monkeypatch):
    """Sessions and authentication read the database before any view runs: losing it there answers the
    same "try again" page, without a traceback."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(lead)

    def lost(self):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(SessionStore, "load", lost)
    response = client.get("/dashboard/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "try again" in response.content.decode().lower()
    assert_no_traceback(response)


@pytest.mark.django_db
def test_any_other_error_in_a_middleware_is_still_the_plain_500_page(lead, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(lead)

    def bug(self):
        raise RuntimeError("a bug, not the database")

    monkeypatch.setattr(SessionStore, "load", bug)
    response = client.get("/dashboard/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Traceback" not in response.content.decode()
