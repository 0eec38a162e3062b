"""Drill: Elasticsearch is configured but unreachable or hung.

Search falls back to the database within the timeout (2 s), then rests the server for
``ELASTICSEARCH_RETRY_AFTER`` so the next searches do not wait at all; saves still succeed, and
``search_reconcile`` brings the index back in line once the server answers again.
"""

import os
import time

from django.core.management import call_command

import pytest

from hub.search import elastic
from hub.search.interface import Query, search
from hub.search.models import SearchEntry
from projects.factories import PartnershipFactory
from tests.drills.conftest import assert_invariant, assert_no_traceback, free_port

pytestmark = [pytest.mark.drill, pytest.mark.django_db]

SERVER = os.environ.get("ELASTICSEARCH_URL", "")
# The budget of a fallback: the client timeout (ELASTICSEARCH_TIMEOUT, 2 s) plus the database search.
FALLBACK_BUDGET = 3.0


@pytest.fixture
def elasticsearch_at(settings):
    def point(url: str, retry_after: float = 10):
        settings.ELASTICSEARCH_URL = url
        settings.ELASTICSEARCH_TIMEOUT = 2
        settings.ELASTICSEARCH_RETRY_AFTER = retry_after
        elastic.reset_client()

    yield point
    elastic.reset_client()


@pytest.fixture
def partnership(city):
    organisation, _official = city
    return PartnershipFactory(title="Quokkaphile tenants partnership", city=organisation)


def test_hung_elasticsearch_falls_back_to_the_database_within_the_timeout(
    client, settings, hanging_server, elasticsearch_at, partnership
):
    elasticsearch_at(hanging_server.url)

    started = time.monotonic()
    results = search(Query(text="quokkaphile"))
    elapsed = time.monotonic() - started

    assert results.fallback and results.backend == "database"
    assert [str(hit.title).replace("<mark>", "").replace("</mark>", "") for hit in results.hits] == [
        "Quokkaphile tenants partnership"
    ]
    assert elapsed < FALLBACK_BUDGET, f"search took {elapsed:.1f} s against a hung server"

    # The next searches in this process do not wait for the hung server again (it rests after a failure).
    started = time.monotonic()
    page = client.get("/search/", {"q": "quokkaphile"})
    assert time.monotonic() - started < settings.ELASTICSEARCH_TIMEOUT, "a resting server was asked again"
    assert page.status_code == 200 and "tenants partnership" in page.content.decode()
    assert_no_traceback(page)


def test_after_its_rest_a_failed_server_is_asked_again(hanging_server, elasticsearch_at, partnership):
    elasticsearch_at(hanging_server.url, retry_after=0)

    assert search(Query(text="quokkaphile")).fallback
    started = time.monotonic()
    assert search(Query(text="quokkaphile")).fallback
    assert time.monotonic() - started >= 1.9, "the server was not asked again after its rest"


def test_unreachable_elasticsearch_falls_back_at_once(elasticsearch_at, partnership):
    elasticsearch_at(f"http://127.0.0.1:{free_port()}")  # nothing listens there

    started = time.monotonic()
    results = search(Query(text="quokkaphile"))

    assert results.fallback and results.total == 1
    assert time.monotonic() - started < 1


def test_saves_succeed_while_elasticsearch_hangs_and_reconcile_restores_the_index(
    hanging_server, elasticsearch_at, city
):
    organisation, _official = city
    elasticsearch_at(hanging_server.url)

    saved = PartnershipFactory(title="Zanzibarian evictions partnership", city=organisation)

    assert SearchEntry.objects.filter(kind="partnership", object_id=str(saved.pk)).exists()
    # The database index is what the fallback reads; a lost entry there is repaired by reconcile too.
    SearchEntry.objects.filter(kind="partnership").delete()
    call_command("search_reconcile", stdout=open(os.devnull, "w"))  # must not hang or raise while ES is down
    assert search(Query(text="zanzibarian")).total == 1
    assert_invariant()


@pytest.mark.skipif(not SERVER, reason="needs a real Elasticsearch (set ELASTICSEARCH_URL)")
def test_reconcile_puts_what_was_saved_during_the_outage_into_elasticsearch(hanging_server, elasticsearch_at, city):
    organisation, _official = city
    elasticsearch_at(SERVER)
    call_command("search_reindex", stdout=open(os.devnull, "w"))
    elasticsearch_at(hanging_server.url)
    saved = PartnershipFactory(title="Zanzibarian evictions partnership", city=organisation)

    elasticsearch_at(SERVER)
    before = search(Query(text="zanzibarian"))
    call_command("search_reconcile", stdout=open(os.devnull, "w"))
    elastic.client().indices.refresh(index=elastic.index_alias("partnership"))
    after = search(Query(text="zanzibarian"))

    assert before.backend == "elasticsearch" and before.total == 0, "the outage should have missed this save"
    assert after.backend == "elasticsearch" and not after.fallback
    assert after.total == 1 and saved.title in str(after.hits[0].title).replace("<mark>", "").replace("</mark>", "")
