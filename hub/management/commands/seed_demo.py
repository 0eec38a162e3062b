"""Load realistic, clearly marked demo content (idempotent: safe to run again)."""

import importlib
import random
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import factory.random


class Command(BaseCommand):
    help = "Create demo cities, organisations, researchers and accounts. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (same seed, same people).")
        parser.add_argument(
            "--force-demo-in-production",
            action="store_true",
            help="Load the demo even where DEMO_CONTENT_ALLOWED is off (production settings): a staging site only.",
        )

    def handle(self, *args, seed: int, force_demo_in_production: bool = False, **options):
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
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
