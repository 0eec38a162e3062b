"""Fixtures for profile tests: a fresh cache per test, so that allauth's rate limits start at zero."""

import re

from django.core import mail
from django.core.cache import cache

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link_in_last_email():
    """The first URL in the newest email whose path contains ``fragment``."""

    def find(fragment: str) -> str:
        assert mail.outbox, "no email was sent"
        for url in re.findall(r"https?://[^\s\"'<>]+", mail.outbox[-1].body):
            if fragment in url:
                return re.sub(r"^https?://[^/]+", "", url)
        raise AssertionError(f"no link containing {fragment!r} in: {mail.outbox[-1].body}")

    return find
