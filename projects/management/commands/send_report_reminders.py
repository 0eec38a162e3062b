"""``manage.py send_report_reminders``: the scheduled reminders of partnership reports."""

from django.core.management.base import BaseCommand

from projects.services.lifecycle import REMIND_BEFORE, report_reminders
from projects.tasks import send_report_reminders


class Command(BaseCommand):
    help = (
        f"Email each research team one reminder of every report due within {REMIND_BEFORE.days} days. Safe to run "
        "as often as you like: a reminder is recorded on its report and sent once (again only if the city moves the "
        "due date). Pass --enqueue to run it through the django-tasks worker instead of in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the background worker.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_report_reminders.enqueue()
            self.stdout.write(f"Enqueued reminder task {result.id}.")
            return
        sent = report_reminders()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} report reminder(s)."))
