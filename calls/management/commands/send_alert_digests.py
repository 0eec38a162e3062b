"""``manage.py send_alert_digests --frequency daily|weekly``: email each user one digest of new matches.

Every saved search of the given frequency is checked for public calls and partnerships published
since it was created or last emailed; each user gets one email with a section per search, and each
item is recorded per search before its email is queued, so running again (or twice at once) sends
nothing twice. Instant alerts go out by themselves when something is published; ``--frequency
instant`` catches up on them if the task worker was down. Cron lines (server time)::

    0 6 * * *   cd /srv/bridges && .venv/bin/python manage.py send_alert_digests --frequency daily
    0 6 * * 1   cd /srv/bridges && .venv/bin/python manage.py send_alert_digests --frequency weekly
"""

from django.core.management.base import BaseCommand

from calls.alerts import send_alerts
from calls.models import SavedSearch
from calls.tasks import send_alert_digests


class Command(BaseCommand):
    help = (
        "Email every user one digest of the new calls and partnerships matching their saved searches of the "
        "given frequency (daily from cron every morning, weekly once a week). Idempotent: every item is sent "
        "once per saved search. Pass --enqueue to run it through the django-tasks worker instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", required=True, choices=SavedSearch.Frequency.values)
        parser.add_argument("--enqueue", action="store_true", help="Enqueue the task for the background worker.")

    def handle(self, *args, frequency: str, enqueue: bool = False, **options):
        if enqueue:
            result = send_alert_digests.enqueue(frequency)
            self.stdout.write(f"Enqueued alert digest task {result.id}.")
            return
        sent = send_alerts(frequency=frequency)
        self.stdout.write(self.style.SUCCESS(f"Sent {sent.digests} {frequency} digest(s) with {sent.items} item(s)."))
