"""Background tasks of projects (django-tasks); the periodic ones run from hub/schedule.py."""

from django_tasks import task

from projects.services.lifecycle import report_reminders


@task()
def send_report_reminders() -> dict:
    """Remind each research team of its reports due within a week, once per report and due date."""
    return {"reports": report_reminders()}
