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


def _image_bytes(image_format: str = "PNG", size=(300, 200), mode: str = "RGB") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.fixture
def image_bytes():
    """Bytes of a real image: ``image_bytes("JPEG", (640, 480))``."""
    return _image_bytes


@pytest.fixture
def profile_post():
    """Form data for /dashboard/profile/ as a browser sends it, with everything optional left empty.

    The form's version is the one a browser would have been shown just now: that of the most recently saved
    profile (the one the test is editing), unless ``edit_version`` says otherwise.
    """
    from profiles.models import ResearcherProfile

    def build(*, languages: list[tuple] = (), publications: list[dict] = (), **fields) -> dict:
        latest = ResearcherProfile.objects.order_by("-updated_at", "-pk").values_list("edit_version", flat=True)
        data = {
            "edit_version": str(latest.first() or 1),
            "headline": "",
            "career_stage": "early_career",
            "affiliation": "",
            "orcid": "",
            "bio": "",
            "is_available": "on",
            "available_from": "",
            "is_public": "on",
            "photo_visibility": "public",
            "affiliation_visibility": "public",
            "orcid_visibility": "public",
            "career_stage_visibility": "public",
            "countries_visibility": "public",
            "languages_visibility": "public",
            "bio_visibility": "public",
            "publications_visibility": "public",
            "availability_visibility": "members",
            "languages-TOTAL_FORMS": str(len(languages)),
            "languages-INITIAL_FORMS": "0",
            "publications-TOTAL_FORMS": str(len(publications)),
            "publications-INITIAL_FORMS": "0",
        }
        for n, (language, level) in enumerate(languages):
            data[f"languages-{n}-language"] = str(language)
            data[f"languages-{n}-level"] = level
        for n, publication in enumerate(publications):
            for key, value in publication.items():
                data[f"publications-{n}-{key}"] = value
        for key, value in fields.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return build
