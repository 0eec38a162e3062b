"""Demo content of partnerships and the results commons (clearly marked as demo; idempotent).

Each area has its own module with ``seed(*, rng, stdout)``; the order follows their dependencies.
"""

import importlib
import random

AREAS = [
    "partnerships",
    "methods",
    "results",
    "datasets",
    "indicators",
    "uptake",
    "ledger",
    "lifecycle",
    "case_studies",
    "needs",
    "citations",
]


def seed(*, rng: random.Random, stdout) -> None:
    for area in AREAS:
        try:
            module = importlib.import_module(f"projects.demo.{area}")
        except ModuleNotFoundError as error:
            if error.name != f"projects.demo.{area}":
                raise
            continue
        module.seed(rng=rng, stdout=stdout)
