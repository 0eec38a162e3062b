"""``manage.py send_call_reminders``: the scheduled reminders of review and submission deadlines."""

from django.core.management.base import BaseCommand

from calls.reminders import REMIND_BEFORE, send_reminders
from calls.tasks import send_call_reminders


class Command(BaseCommand):
    help = (
        f"Email one reminder to each reviewer whose review is due within {REMIND_BEFORE.days} days and to each "
        f"team whose unsubmitted proposal's deadline is within {REMIND_BEFORE.days} days. Safe to run as often as "
        "you like (e.g. hourly from cron or a systemd timer): every reminder is recorded and sent only once. "
        "Pass --enqueue to run it through the django-tasks worker instead of in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the background worker.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_call_reminders.enqueue()
            self.stdout.write(f"Enqueued reminder task {result.id}.")
            return
        sent = send_reminders()
        self.stdout.write(
            self.style.SUCCESS(f"Sent {sent.reviews} review reminder(s) and {sent.drafts} draft reminder(s).")
        )
