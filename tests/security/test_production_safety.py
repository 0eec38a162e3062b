"""Production safety: the demo's public accounts never reach a real site, and no visitor starts a whole-site build."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.management import CommandError, call_command

import pytest
from django_tasks import default_task_backend

from hub import bulk
from profiles.models import User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_seed_demo_refuses_production_settings(tmp_path):
    """Run as an operator would, with the production settings module: nothing is loaded, the reason is given."""
    database = tmp_path / "production.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.production",
        "SECRET_KEY": "a-production-secret-for-this-test-only",
        "ALLOWED_HOSTS": "bridges.example",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "--force-demo-in-production" in result.stderr and "password" in result.stderr
    assert not database.exists() or database.stat().st_size == 0  # refused before touching the database


def test_seed_demo_refuses_any_settings_that_do_not_allow_the_demo(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    with pytest.raises(CommandError, match="force-demo-in-production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_seed_demo_runs_in_production_only_when_forced(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    stderr = StringIO()
    call_command("seed_demo", "--force-demo-in-production", stdout=StringIO(), stderr=stderr)
    assert User.objects.filter(is_superuser=True).exists()
    assert "public" in stderr.getvalue()


@pytest.fixture
def no_zip(settings):
    cache.delete(bulk.PENDING_KEY)
    assert not bulk.zip_path().exists()
    yield
    cache.delete(bulk.PENDING_KEY)


def test_a_missing_zip_is_a_503_with_retry_after_and_one_background_build(client, settings, no_zip):
    settings.TASKS = DUMMY_TASKS  # a worker that has not run yet
    default_task_backend.clear()
    first = client.get("/data/bulk.zip")
    second = client.get("/data/bulk.zip")

    for response in (first, second):
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
        assert "being prepared" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    assert not bulk.zip_path().exists()  # the requests built nothing themselves
    enqueued = [r for r in default_task_backend.results if r.task.name == bulk.build_bulk_download.name]
    assert len(enqueued) == 1  # two visitors, one build


def test_a_missing_zip_is_never_built_inside_the_request_even_with_tasks_run_at_once(client, no_zip):
    """The immediate task backend (development, tests) would run an enqueued build in this very request."""
    response = client.get("/data/bulk.zip")
    assert response.status_code == 503 and response["Retry-After"]
    assert not bulk.zip_path().exists()


def test_the_last_good_zip_is_served(client, settings, city):
    bulk.build_now()
    settings.TASKS = DUMMY_TASKS
    default_task_backend.clear()
    response = client.get("/data/bulk.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert default_task_backend.results == []
