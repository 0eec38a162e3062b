"""Build /data/bulk.zip now (e.g. at the end of ``make demo``, or from cron as a safety net)."""

from django.core.management.base import BaseCommand

from hub.bulk import build_now


class Command(BaseCommand):
    help = "Build the bulk open data download (one CSV per public list and a README) into MEDIA_ROOT/bulk/."

    def handle(self, *args, **options):
        path = build_now()
        self.stdout.write(self.style.SUCCESS(f"Bulk download written to {path} ({path.stat().st_size} bytes)."))
