"""Background tasks of calls (django-tasks); schedule ``send_call_reminders`` daily with the database worker."""

from django_tasks import task

from calls.alerts import send_alerts
from calls.reminders import send_reminders
from hub.tasks import send_email


@task()
def send_call_reminders() -> dict:
    """Send the due reminders to reviewers and teams, once each."""
    sent = send_reminders()
    return {"reviews": sent.reviews, "drafts": sent.drafts}


@task()
def send_instant_alerts() -> dict:
    """Email what was just published to the saved searches that asked to hear instantly (once each)."""
    sent = send_alerts(frequency="instant")
    return {"digests": sent.digests, "items": sent.items}


@task()
def send_alert_digests(frequency: str) -> dict:
    """The daily or weekly alert digests; schedule with the database worker or run the management command."""
    sent = send_alerts(frequency=frequency)
    return {"digests": sent.digests, "items": sent.items}


@task()
def send_alert_email(*, subject: str, body: str, html: str, to: list[str], headers: dict[str, str]) -> int:
    """One alert digest, with the List-Unsubscribe headers that mail clients show as a button; sent like every
    other email (``hub.tasks.send_email``), so it is retried with backoff while the mail server is down."""
    return send_email.call(subject=subject, body=body, html=html, to=to, headers=headers)
