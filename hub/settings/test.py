"""Tests: fast hashing, in-memory cache, tasks run at once, prefixed search indexes."""

import os

from .base import *  # noqa: F403
from .base import ENV

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The anonymous page cache is off so that other tests see fresh pages; tests/hub/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
# Cached aggregates are off for the same reason; tests/hub/test_aggregates.py turns them on.
AGGREGATE_CACHE_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "profiles.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One media folder per pytest-xdist worker: files such as the bulk zip live at fixed paths.
_WORKER = ENV.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = os.path.join(ENV.get("TMPDIR", "/tmp"), f"bridges-test-media-{_WORKER}")
PRIVATE_MEDIA_ROOT = os.path.join(ENV.get("TMPDIR", "/tmp"), f"bridges-test-private-media-{_WORKER}")
STATIC_ROOT = os.path.join(ENV.get("TMPDIR", "/tmp"), "bridges-test-static")
os.makedirs(STATIC_ROOT, exist_ok=True)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
ELASTICSEARCH_INDEX_PREFIX = "test_bridges"
SHOW_DEMO_PASSWORDS = False
DEMO_CONTENT_ALLOWED = True
# Tests run tasks at once: rebuilding the bulk zip after every committed save would slow every test;
# the test of that rebuild turns it back on.
BULK_DOWNLOAD_ON_CHANGE = False
