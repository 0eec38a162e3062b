"""``manage.py rebuild_match_vectors``: recompute every profile's and call's matching bitsets in bulk."""

from django.core.management.base import BaseCommand

from calls.matching.vectors import rebuild_all


class Command(BaseCommand):
    help = "Recompute the matching vectors of every researcher profile and call (after bulk imports or seeding)."

    def handle(self, *args, **options):
        profiles, calls = rebuild_all()
        self.stdout.write(f"Rebuilt {profiles} profile vectors and {calls} call vectors.")
