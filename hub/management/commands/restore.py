"""Restore a backup into a fresh database and media directories, then verify row counts and checksums.

``make restore BACKUP=backups/bridges-…``. Exits non-zero when the target is not empty (unless
``--force``) or when anything restored differs from the backup's manifest.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hub.backups import BackupError, Database, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into a fresh database and verify it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup directory (backups/bridges-…)")
        parser.add_argument("--database-url", default="", help="restore into this database (default: the site's)")
        parser.add_argument("--media-root", default="", help="default: MEDIA_ROOT")
        parser.add_argument("--private-media-root", default="", help="default: PRIVATE_MEDIA_ROOT")
        parser.add_argument("--force", action="store_true", help="restore over a database or files that exist")

    def handle(self, *args, backup, database_url, media_root, private_media_root, force, **options):
        try:
            manifest = restore(
                source=Path(backup),
                database=Database.from_url(database_url or settings.DATABASE_URL),
                media_root=Path(media_root or settings.MEDIA_ROOT),
                private_media_root=Path(private_media_root or settings.PRIVATE_MEDIA_ROOT),
                force=force,
            )
        except (BackupError, OSError, KeyError, ValueError) as error:
            raise CommandError(f"Restore failed: {error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {len(manifest['tables'])} tables, "
                f"{sum(manifest['tables'].values())} rows, {len(manifest['files'])} files."
            )
        )
