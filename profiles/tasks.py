"""Background tasks of profiles (django-tasks); the periodic one runs from hub/schedule.py."""

from django_tasks import task

from profiles.notify import send_digests


@task()
def send_notification_digests() -> dict:
    """The daily digest of notifications, for the people who chose it (also ``manage.py send_notification_digests``)."""
    return send_digests()
