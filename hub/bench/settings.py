"""Production settings plus the benchmark's baseline route; used only by ``make bench``."""

from hub.settings.production import *  # noqa: F403

ROOT_URLCONF = "hub.bench.urls"
