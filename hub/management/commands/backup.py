"""Back up the database and the uploaded files into one directory with a manifest of row counts and checksums.

``make backup`` (BACKUP_DIR, default ./backups). SQLite uses the online backup API and PostgreSQL
``pg_dump --format=custom`` from the same snapshot as the row counts, so the site can stay up.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hub.backups import BackupError, Database, backup


class Command(BaseCommand):
    help = "Back up the database (dump) and MEDIA_ROOT and PRIVATE_MEDIA_ROOT (tar), with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir", default="", help="where the backup directory is made (default: settings.BACKUP_DIR)"
        )
        parser.add_argument("--database-url", default="", help="back up this database instead of the site's")

    def handle(self, *args, output_dir, database_url, **options):
        try:
            path = backup(
                database=Database.from_url(database_url or settings.DATABASE_URL),
                media_root=Path(settings.MEDIA_ROOT),
                private_media_root=Path(settings.PRIVATE_MEDIA_ROOT),
                output_dir=Path(output_dir or settings.BACKUP_DIR),
            )
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}")
        except Exception as error:  # pg_dump's own message is what the operator needs
            stderr = getattr(error, "stderr", "") or ""
            raise CommandError(f"Backup failed: {error} {stderr}".strip())
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
        self.stdout.write(str(path))
