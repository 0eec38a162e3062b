"""Cached aggregates (hub/aggregates.py) and the {% aggregate_cache %} fragments of the home and city pages:
computed once until what they read changes, never served after the data they show has changed."""

import re

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation

import pytest

from calls.factories import make_call
from hub import aggregates
from hub.models import Theme
from profiles.factories import UserFactory
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _aggregates_on(settings):
    from wagtail.models import Site

    from hub.models import SiteSettings

    # The first page view creates the site settings row, which (being a change) invalidates; do it now.
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    cache.clear()
    settings.AGGREGATE_CACHE_SECONDS = 300


def commit():
    """What the end of a request's transaction does: run its on-commit callbacks (the content generation's
    second bump among them). The test's own transaction never commits, and while it has a pending change
    the aggregate cache stays out of its way (see the transaction test below)."""
    while connection.run_on_commit:  # after a real commit, what the callbacks register runs at once too
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, func, _robust in callbacks:
            func()


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def test_a_value_is_computed_once_until_what_it_read_changes():
    calls = []

    def compute():
        calls.append(Theme.objects.count())
        return len(calls)

    assert aggregates.cached("numbers", ("a",), compute) == 1
    assert aggregates.cached("numbers", ("a",), compute) == 1
    assert aggregates.cached("numbers", ("b",), compute) == 2  # other parts, other value
    UserFactory()  # a change to something it did not read
    commit()
    assert aggregates.cached("numbers", ("a",), compute) == 1
    Theme.objects.create(slug="new-theme", name="A new theme")  # a change to what it read
    commit()
    assert aggregates.cached("numbers", ("a",), compute) == 3
    assert len(calls) == 3


def test_a_computed_none_is_cached_too():
    calls = []

    def nothing():
        calls.append(1)

    assert aggregates.cached("nothing", (), nothing) is None
    assert aggregates.cached("nothing", (), nothing) is None
    assert len(calls) == 1


def test_each_language_has_its_own_value():
    def label():
        return translation.get_language()

    with translation.override("es"):
        assert aggregates.cached("label", (), label) == "es"
    with translation.override("fr"):
        assert aggregates.cached("label", (), label) == "fr"
    with translation.override("es"):
        assert aggregates.cached("label", (), label) == "es"


def test_off_means_computed_every_time(settings):
    settings.AGGREGATE_CACHE_SECONDS = 0
    compute, calls = _counter()

    aggregates.cached("numbers", (), compute)
    aggregates.cached("numbers", (), compute)

    assert len(calls) == 2


def test_a_transaction_that_changed_content_neither_reads_nor_stores():
    compute, calls = _counter()
    assert aggregates.cached("numbers", (), compute) == 1

    with transaction.atomic():
        Theme.objects.create(slug="uncommitted", name="Not committed yet")
        # This transaction sees its own uncommitted row: its counts must not reach anybody else.
        assert aggregates.cached("numbers", (), compute) == 2
        assert aggregates.cached("numbers", (), compute) == 3
    assert len(calls) == 3


def test_viewer_key_separates_people():
    first, second = UserFactory(), UserFactory()

    assert aggregates.viewer_key(None) == "anonymous"
    assert aggregates.viewer_key(first) != aggregates.viewer_key(second)
    assert aggregates.viewer_key(first) != "anonymous"


def _activity_line(html: str, city: str) -> str:
    section = html[html.index('id="activity-title"') :]
    match = re.search(rf"{city}</a> <span class=\"activity__counts\">(.*?)</span></li>", section)
    return match.group(1) if match else ""


def test_the_home_page_shows_a_new_call_at_once_and_costs_fewer_queries_when_warm(
    client, make_city, django_assert_max_num_queries
):
    graz, _ = make_city("Graz")
    graz_page = CityPage.objects.get(organisation=graz)
    make_call(city_page=graz_page, title="Housing for older tenants")
    commit()
    cold = client.get("/")
    assert "1 call" in _activity_line(cold.content.decode(), "Graz")

    with django_assert_max_num_queries(12):  # the numbers, latest items and overview come from the cache
        warm = client.get("/")
    assert warm.content == cold.content

    make_call(city_page=graz_page, title="Heat and health")
    commit()
    html = client.get("/").content.decode()
    assert "2 calls" in _activity_line(html, "Graz")
    assert "Heat and health" in html  # the latest calls too


def test_an_unpublished_call_leaves_the_home_page_and_the_city_page(client, make_city):
    graz, _ = make_city("Graz")
    graz_page = CityPage.objects.get(organisation=graz)
    call = make_call(city_page=graz_page, title="Housing for older tenants")
    commit()
    assert "Housing for older tenants" in client.get("/").content.decode()
    assert "Housing for older tenants" in client.get(graz_page.url).content.decode()

    call.unpublish()
    commit()

    assert "Housing for older tenants" not in client.get("/").content.decode()
    assert "Housing for older tenants" not in client.get(graz_page.url).content.decode()


def test_city_pages_keep_their_own_sections(client, make_city):
    graz, _ = make_city("Graz")
    barcelona, _ = make_city("Barcelona")
    graz_page = CityPage.objects.get(organisation=graz)
    barcelona_page = CityPage.objects.get(organisation=barcelona)
    make_call(city_page=graz_page, title="Housing for older tenants")
    make_call(city_page=barcelona_page, title="Accessible beaches")
    commit()

    graz_html = client.get(graz_page.url).content.decode()
    barcelona_html = client.get(barcelona_page.url).content.decode()

    assert "Housing for older tenants" in graz_html and "Accessible beaches" not in graz_html
    assert "Accessible beaches" in barcelona_html and "Housing for older tenants" not in barcelona_html


def test_a_fragment_rendered_for_a_signed_in_official_shows_nothing_of_theirs_to_others(client, make_city):
    graz, official = make_city("Graz", email="sigrid.official@example.org")
    graz_page = CityPage.objects.get(organisation=graz)
    make_call(city_page=graz_page, title="Housing for older tenants")
    commit()
    client.force_login(official)
    assert client.get(graz_page.url).status_code == 200
    assert client.get("/").status_code == 200
    client.logout()

    for path in (graz_page.url, "/"):
        html = client.get(path).content.decode()
        assert "sigrid.official@example.org" not in html
        assert "csrfmiddlewaretoken" not in html
        assert "Sign out" not in html


def test_each_language_gets_its_own_fragments(client, make_city):
    graz, _ = make_city("Graz")
    make_call(city_page=CityPage.objects.get(organisation=graz), title="Housing for older tenants")
    commit()

    english = client.get("/").content.decode()
    spanish = client.get("/es/").content.decode()

    assert "Bridges today" in english
    assert "Bridges today" not in spanish


def test_a_refused_value_is_not_kept():
    compute, calls = _counter()

    aggregates.cached("degraded", (), compute, keep=lambda value: False)
    aggregates.cached("degraded", (), compute, keep=lambda value: False)

    assert len(calls) == 2


def _found(client, text: str) -> str:
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


def test_search_answers_follow_content_changes_with_the_cache_on(client, settings, city, django_assert_max_num_queries):
    from projects.factories import PartnershipFactory

    settings.ELASTICSEARCH_URL = ""
    first = PartnershipFactory(
        title="Quokka housing partnership", slug="quokka-1", summary="Quokka tenants.", city=city[0]
    )
    commit()
    assert "Quokka housing partnership" in _found(client, "quokka")
    with django_assert_max_num_queries(6):  # answered from the cache: no search queries
        assert "Quokka housing partnership" in _found(client, "quokka")

    PartnershipFactory(title="Quokka health partnership", slug="quokka-2", summary="Quokka clinics.", city=city[0])
    commit()
    html = _found(client, "quokka")
    assert "Quokka housing partnership" in html and "Quokka health partnership" in html

    first.is_public = False
    first.save()
    commit()
    html = _found(client, "quokka")
    assert "Quokka housing partnership" not in html and "Quokka health partnership" in html


def test_search_result_pages_are_their_own_fragments(client, settings, city):
    from projects.factories import PartnershipFactory

    settings.ELASTICSEARCH_URL = ""
    for n in range(25):  # two pages of results
        PartnershipFactory(title=f"Wombat partnership {n}", slug=f"wombat-{n}", summary="Wombats.", city=city[0])
    PartnershipFactory(title="Numbat partnership", slug="numbat", summary="Numbats.", city=city[0])
    commit()

    first = _found(client, "wombat")
    second = client.get("/search/", {"q": "wombat", "page": 2}).content.decode()
    other = _found(client, "numbat")

    assert "25 results" in first and first != second
    assert "Numbat partnership" in other and "Wombat partnership" not in other
