"""``manage.py anonymise_proposals``: data retention of declined and withdrawn proposals (calls/services/retention.py)."""

from django.core.management.base import BaseCommand

from calls.services.retention import retention_months, run_retention


class Command(BaseCommand):
    help = (
        "Tell the teams of declined and withdrawn proposals one month before their anonymisation (once), and "
        "anonymise those past settings.PROPOSAL_RETENTION_MONTHS: texts, team, lead and attachments removed, scores "
        "kept. Safe to run as often as you like (daily from the task scheduler). --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would happen; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        run = run_retention(dry_run=dry_run)
        prefix = "Would send" if dry_run else "Sent"
        self.stdout.write(f"Retention period: {retention_months()} months.")
        self.stdout.write(f"{prefix} {len(run.notices)} notice(s): {self._ids(run.notices)}")
        prefix = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            self.style.SUCCESS(f"{prefix} {len(run.anonymised)} proposal(s): {self._ids(run.anonymised)}")
        )

    @staticmethod
    def _ids(ids: list[int]) -> str:
        return ", ".join(str(pk) for pk in ids) or "none"
