"""Load realistic, clearly marked demo content (idempotent: safe to run again).

``--if-changed`` (what ``make run`` uses) skips the work when the database already holds the demo seeded by the
same demo code, factories, seed and migrations (``hub.DemoContent`` keeps that fingerprint), so that a second
``make run`` starts in seconds; ``--index`` then brings the search index in line and builds the bulk download.
"""

import hashlib
import importlib
import random
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import factory.random

from hub import bulk
from hub.models import DemoContent

PROJECT_APPS = ("hub", "profiles", "calls", "projects")


def fingerprint(seed: int) -> str:
    """What the demo content depends on: the demo modules and factories, the seed and the applied migrations."""
    digest = hashlib.sha256(f"seed={seed}\n".encode())
    root = Path(settings.BASE_DIR)
    sources = []
    for app in PROJECT_APPS:
        sources += [root / app / "demo.py", root / app / "factories.py", *sorted((root / app / "demo").glob("*.py"))]
    for path in sources:
        if path.exists():
            digest.update(f"{path.relative_to(root)}\n".encode())
            digest.update(path.read_bytes())
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        digest.update(f"{app}.{name}\n".encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Create demo cities, organisations, researchers and accounts. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (same seed, same people).")
        parser.add_argument(
            "--force-demo-in-production",
            action="store_true",
            help="Load the demo even where DEMO_CONTENT_ALLOWED is off (production settings): a staging site only.",
        )
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="Do nothing when this database holds the demo from the same demo code, seed and migrations.",
        )
        parser.add_argument(
            "--index",
            action="store_true",
            help="Then bring the search index in line and build the bulk download (when something was seeded).",
        )

    def handle(
        self,
        *args,
        seed: int,
        force_demo_in_production: bool = False,
        if_changed: bool = False,
        index: bool = False,
        **options,
    ):
        # The demo administrator's password and authenticator secret are published in the README and the code:
        # on a real site they would let anyone in. Only development and test settings allow the demo.
        if not settings.DEMO_CONTENT_ALLOWED:
            if not force_demo_in_production:
                raise CommandError(
                    "Refusing to load the demo content: these settings do not allow it (DEMO_CONTENT_ALLOWED is off, "
                    "as in production). The demo accounts' password and authenticator secret are public, so anyone "
                    "could sign in as the demo administrator. On a staging site that must show the demo, run it "
                    "again with --force-demo-in-production."
                )
            self.stderr.write(
                self.style.WARNING(
                    "Loading the demo content under production settings: its accounts' password and authenticator "
                    "secret are public. Never do this on a site with real data."
                )
            )
        wanted = fingerprint(seed)
        current = DemoContent.objects.filter(pk=1).first()
        if if_changed and current and current.fingerprint == wanted:
            self.stdout.write(
                f"Demo content is up to date (seeded {current.seeded_at:%Y-%m-%d %H:%M} UTC; the demo code, seed and "
                "migrations have not changed since): nothing to load. `manage.py seed_demo` reloads it anyway."
            )
            if index and not bulk.zip_path().exists():
                self._index()
            return
        rng = random.Random(seed)
        factory.random.reseed_random(seed)
        # Each app that has demo content offers a ``demo.seed(rng=..., stdout=...)``; apps are
        # seeded in INSTALLED_APPS order, which follows the layers hub ← profiles ← calls ← projects.
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                started = time.monotonic()
                self.stdout.write(f"Demo content: {config.verbose_name} …")
                self.stdout.flush()
                module.seed(rng=rng, stdout=self.stdout)
                self.stdout.write(f"Demo content: {config.verbose_name} done in {time.monotonic() - started:.0f} s")
        DemoContent.objects.update_or_create(pk=1, defaults={"fingerprint": wanted, "seeded_at": timezone.now()})
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        if index:
            self._index()

    def _index(self) -> None:
        for command, what in (("search_reconcile", "search index"), ("build_bulk_download", "bulk download")):
            started = time.monotonic()
            self.stdout.write(f"Demo content: {what} …")
            self.stdout.flush()
            call_command(command, stdout=self.stdout)
            self.stdout.write(f"Demo content: {what} done in {time.monotonic() - started:.0f} s")
