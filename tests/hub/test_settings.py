"""Settings that decide which engines Bridges uses."""

import importlib
import os

from django.conf import settings

import pytest


def test_tests_use_wagtails_database_search():
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] == "wagtail.search.backends.database"


def _base_settings_with(monkeypatch, **env):
    for name in ("ELASTICSEARCH_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import hub.settings.base as base

    return importlib.reload(base)


@pytest.fixture
def restore_base_settings():
    yield
    import hub.settings.base as base

    importlib.reload(base)


def test_search_defaults_to_the_database_backend_without_elasticsearch_url(monkeypatch, restore_base_settings):
    base = _base_settings_with(monkeypatch)

    assert base.ELASTICSEARCH_URL == ""
    assert base.WAGTAILSEARCH_BACKENDS == {"default": {"BACKEND": "wagtail.search.backends.database"}}
    assert base.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_elasticsearch_url_switches_search_to_elasticsearch(monkeypatch, restore_base_settings):
    base = _base_settings_with(monkeypatch, ELASTICSEARCH_URL="http://search.internal:9200")

    backend = base.WAGTAILSEARCH_BACKENDS["default"]
    assert backend["BACKEND"].startswith("wagtail.search.backends.elasticsearch")
    assert backend["URLS"] == ["http://search.internal:9200"]


def test_rate_limits_and_mandatory_email_verification_are_on_in_every_environment():
    assert settings.ACCOUNT_RATE_LIMITS is not False
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    assert settings.ACCOUNT_LOGIN_METHODS == {"email"}


def test_environment_is_not_leaking_a_search_server_into_tests():
    if os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("ELASTICSEARCH_URL is set for this run")
    assert not settings.ELASTICSEARCH_URL
