"""``manage.py send_notification_digests``: the daily email of waiting notifications (hub/schedule.py runs it)."""

from django.core.management.base import BaseCommand

from profiles.notify import send_digests
from profiles.tasks import send_notification_digests


class Command(BaseCommand):
    help = (
        "Email every person who chose the daily digest the notifications that waited since the last one. "
        "Idempotent: each notification is emailed once. Pass --enqueue to run it through the task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the background worker.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_notification_digests.enqueue()
            self.stdout.write(f"Enqueued notification digest task {result.id}.")
            return
        sent = send_digests()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent['digests']} digest(s) with {sent['items']} item(s)."))
