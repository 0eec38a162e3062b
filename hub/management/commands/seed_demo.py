"""Load realistic, clearly marked demo content (idempotent: safe to run again)."""

import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

import factory.random


class Command(BaseCommand):
    help = "Create demo cities, organisations, researchers and accounts. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="Random seed (same seed, same people).")

    def handle(self, *args, seed: int, **options):
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
                module.seed(rng=rng, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
