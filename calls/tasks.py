"""Background tasks of calls (django-tasks); schedule ``send_call_reminders`` daily with the database worker."""

from django_tasks import task

from calls.reminders import send_reminders


@task()
def send_call_reminders() -> dict:
    """Send the due reminders to reviewers and teams, once each."""
    sent = send_reminders()
    return {"reviews": sent.reviews, "drafts": sent.drafts}
