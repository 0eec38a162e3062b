"""Local development: DEBUG, console email, tasks run at once, demo conveniences."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, ENV, MIDDLEWARE, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-not-for-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = ENV.get("DEV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "profiles.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SHOW_DEMO_PASSWORDS = True
DEMO_CONTENT_ALLOWED = True

# Tasks run in the request here (no worker): rebuilding the whole /data/bulk.zip after every save would make
# each edit take seconds (verifying an organisation took 4.5 s). `make run` builds it once; `manage.py
# build_bulk_download` rebuilds it; until then whole-list CSV exports are read from the database.
BULK_DOWNLOAD_ON_CHANGE = False

# ``X-SQL-Queries`` on every answer (outermost, so every middleware's queries count); never in production.
MIDDLEWARE = ["hub.middleware.QueryCountHeaderMiddleware", *MIDDLEWARE]
