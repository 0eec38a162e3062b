"""Background tasks of calls (django-tasks); the periodic ones run from hub/schedule.py."""

from django_tasks import task

from calls.alerts import send_alerts
from calls.reminders import send_reminders
from calls.services import desk


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
    """The daily or weekly alert digests (also the management command that hub/schedule.py runs)."""
    sent = send_alerts(frequency=frequency)
    return {"digests": sent.digests, "items": sent.items}


@task()
def run_desk_bulk_action(run_id: int) -> dict:
    """A bulk action an official confirmed on the desk (calls.services.desk): progress and outcome on its run."""
    run = desk.bulk_execute(run_id)
    return {"state": run.state, "total": run.total, "skipped": len(run.skipped)}
