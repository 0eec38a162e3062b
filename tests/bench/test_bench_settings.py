"""The bench's hooks stay out of production: the SQL-count header only in development and bench settings, the
bench's endpoints never cached, worker recycling decided by gunicorn.conf.py."""

import runpy
from pathlib import Path

import pytest

from hub.settings import base, dev

QUERY_COUNT = "hub.middleware.QueryCountHeaderMiddleware"
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_the_sql_count_header_is_not_in_the_base_settings_production_extends():
    assert QUERY_COUNT not in base.MIDDLEWARE
    assert dev.MIDDLEWARE[0] == QUERY_COUNT


@pytest.mark.urls("bench.urls")
def test_the_trivial_view_is_never_stored(client):
    response = client.get("/__bench__/trivial/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.urls("bench.urls")
@pytest.mark.django_db
def test_a_new_generation_is_post_only(client):
    assert client.get("/__bench__/new-generation/").status_code == 405
    response = client.post("/__bench__/new-generation/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_gunicorn_recycles_workers_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS_JITTER", raising=False)
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")
    assert runpy.run_path(str(GUNICORN_CONF))["max_requests"] == 0
