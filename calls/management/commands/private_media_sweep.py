"""Remove private files that no row points at: what a worker killed between writing a file and committing left.

Also removes uploads spooled to FILE_UPLOAD_TEMP_DIR by a request that never finished (a worker killed mid-upload).

Cron it daily (after backups), e.g. ``30 0 * * * … manage.py private_media_sweep``; ``--dry-run`` lists them.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from calls.storage import orphaned_files, sweep_orphans
from hub.upload_handlers import sweep_temp_files


class Command(BaseCommand):
    help = "Delete files in PRIVATE_MEDIA_ROOT that no row refers to and that are older than --older-than minutes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=float, default=60, help="minutes (default 60: spares uploads in flight)"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, older_than, dry_run, **options):
        age = dt.timedelta(minutes=older_than)
        if not dry_run:
            # First, so that the orphan sweep below does not list them a second time.
            for name in sweep_temp_files(older_than_seconds=age.total_seconds()):
                self.stdout.write(f"upload temp file {name}")
        names = orphaned_files(older_than=age) if dry_run else sweep_orphans(older_than=age)
        for name in names:
            self.stdout.write(name)
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(self.style.SUCCESS(f"{len(names)} orphaned file(s) {verb}."))
