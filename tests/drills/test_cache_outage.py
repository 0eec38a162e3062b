"""Drill: Redis goes away under the web app (the production cache, hub/cache.py, and the task queue), then comes back.

While it is away, anonymous pages are answered (from PostgreSQL), signed-in people save and submit, and the emails
those actions enqueue are kept in the database. When it comes back with its data (a restart from its append-only
file, or a network cut that ends), no cached page is served past a change made meanwhile, and the scheduler's next
pass pushes the kept tasks: each email is delivered once.
"""

import time

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest
import redis

from hub import cache as resilient
from hub import page_cache
from hub.models import UnsentTask
from projects.factories import PartnershipFactory
from projects.models import Result
from tests.calls.test_proposal_services import draft, filled, lead  # noqa: F401  (fixtures, injected by name)
from tests.drills.queue import RQ_BACKEND, RedisServer, run_jobs_here

# ruff: noqa: F811
pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def redis_server(tmp_path, settings, monkeypatch):
    """A redis-server of the drill's own as the site's cache and queue, with the page cache and aggregates on."""
    from wagtail.models import Site

    from hub.models import SiteSettings

    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.2)
    monkeypatch.setattr("hub.schedule.due", lambda now: [])  # the scheduler only pushes kept tasks: no job is due
    monkeypatch.setattr(resilient.ResilientRedisCache, "_down_until", 0.0)
    monkeypatch.setattr("hub.task_queue._push_down_until", 0.0)
    monkeypatch.setattr("hub.task_queue.PUSH_RETRY_SECONDS", 0.2)
    monkeypatch.setattr("hub.page_cache._unstamped", set())
    settings.CACHES = {
        "default": {
            "BACKEND": "hub.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.TASKS = RQ_BACKEND
    settings.RQ_QUEUES = {"default": {"URL": server.url, "DEFAULT_TIMEOUT": 120}}
    settings.TASK_RETRY_DELAYS = []
    settings.PAGE_CACHE_SECONDS = 300
    settings.AGGREGATE_CACHE_SECONDS = 300
    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # created on first view: a change; do it now
    yield server
    server.stop()


def anonymous_get(path: str):
    response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def test_pages_and_saves_go_on_while_redis_is_away_and_nothing_stale_or_lost_after(redis_server, city, filled, lead):
    partnership = PartnershipFactory(title="Housing monitor", slug="housing-monitor", city=city[0])
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants",
        abstract="What older tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    assert anonymous_get("/results/")["X-Cache"] == "MISS"
    assert anonymous_get("/results/")["X-Cache"] == "HIT"

    redis_server.stop()

    away = anonymous_get("/results/")
    assert away["X-Cache"] == "BYPASS" and "Older tenants in Graz" in away.content.decode()
    result.title = "Older tenants in Graz, revised"
    result.save()  # stamps the results' table: Redis cannot take the stamp now
    team = Client()
    team.force_login(lead)
    submitted = team.post(f"/proposals/{filled.pk}/submit/", follow=True)
    assert submitted.status_code == 200 and "Submitted as version 1" in submitted.content.decode()
    kept = list(UnsentTask.objects.values_list("module_path", flat=True))
    emails = kept.count("hub.tasks.send_email")
    assert emails, f"the submission's emails were lost: {kept}"  # kept with them: the search index's updates
    assert "revised" in anonymous_get("/results/").content.decode()
    # Sign-in attempts cannot be counted: refused (closed to guessing), with the site's page saying so, not a 500.
    sign_in = Client().post("/accounts/login/", {"login": lead.email, "password": "wrong"})
    assert sign_in.status_code == 429 and "attempts cannot be counted for a moment" in sign_in.content.decode()

    redis_server.start()  # from its append-only file: the page cached before the outage is still there
    time.sleep(0.3)  # the cache asks Redis again after resilient.RETRY_SECONDS
    # The next page is served by a process that never saw the failed stamp (another worker, another node): the
    # stamp reaches it as a kept task, which the scheduler's next pass pushes and a worker runs.
    page_cache._unstamped.clear()
    call_command("task_scheduler", "--once")
    assert not UnsentTask.objects.exists()
    run_jobs_here()

    back = anonymous_get("/results/")
    assert "Older tenants in Graz, revised" in back.content.decode(), "a page was served past a change it missed"
    assert back["X-Cache"] == "MISS"
    assert anonymous_get("/results/")["X-Cache"] == "HIT"
    assert len(mail.outbox) == emails, [message.subject for message in mail.outbox]
    client = redis.Redis.from_url(redis_server.url)
    assert client.llen("rq:queue:default") == 0
    client.close()


def test_the_process_that_missed_a_stamp_writes_it_as_soon_as_redis_answers(redis_server, city):
    partnership = PartnershipFactory(title="Housing monitor", slug="housing-monitor", city=city[0])
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants in Graz",
        slug="older-tenants",
        abstract="What older tenants told us.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    anonymous_get("/results/")
    assert anonymous_get("/results/")["X-Cache"] == "HIT"
    redis_server.stop()
    result.title = "Older tenants in Graz, revised"
    result.save()
    redis_server.start()
    time.sleep(0.3)
    # no scheduler pass, no worker: this process stamps what it missed before it serves from the cache
    assert "Older tenants in Graz, revised" in anonymous_get("/results/").content.decode()


def test_a_task_enqueued_while_redis_is_away_waits_for_it_in_the_database(redis_server):
    from hub.mail import queue_email

    redis_server.stop()
    queue_email(subject="Kept", body="Body", to=["r@example.org"], key="drill-kept")
    queue_email(subject="Kept", body="Body", to=["r@example.org"], key="drill-kept")  # the same email again
    assert UnsentTask.objects.count() == 2
    call_command("task_scheduler", "--once")  # Redis still away: nothing pushed, nothing lost
    assert UnsentTask.objects.count() == 2

    redis_server.start()
    call_command("task_scheduler", "--once")
    assert not UnsentTask.objects.exists()
    run_jobs_here()
    assert [message.subject for message in mail.outbox] == ["Kept"], "sent once under its key"
