"""/calls/ and /dashboard/ at scale: facet counts, totals and pages from the aggregate cache stay exact
after every change (a call published, unpublished or tagged; a deadline passing), and the number of
queries does not grow with the number of calls."""

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.filters import calls_filtered
from calls.models import ResearchCall, TeamMember
from hub.models import SDGTarget, Theme
from profiles.factories import UserFactory
from profiles.models import CityPage

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def graz_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def aggregates_on(settings):
    """The aggregate cache as in production (the tests' default is off), empty."""
    from wagtail.models import Site

    from hub.models import SiteSettings

    # The first page view creates the site settings row, which (being a change) invalidates; do it now.
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.AGGREGATE_CACHE_SECONDS = 300
    cache.clear()
    commit()
    yield
    cache.clear()


def commit():
    """What the end of a request's transaction does: run its on-commit callbacks (the content generation's
    second bump among them). While the test's transaction has a pending change, the cache stays out of the way."""
    while connection.run_on_commit:  # after a real commit, what the callbacks register runs at once too
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, func, _robust in callbacks:
            func()


def tag(call, **vocabularies):
    for name, terms in vocabularies.items():
        getattr(call, name).set(terms)
    call.save()
    commit()
    return call


def facet(response, name: str) -> dict[str, int]:
    return {o.value: o.count for o in next(f for f in response.context["facets"] if f.name == name).options}


def titles(response) -> list[str]:
    return [call.title for call in response.context["calls"].object_list]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_cached_facets_total_and_page_follow_publishing_and_tagging(client, graz_page, aggregates_on):
    housing, health = Theme.objects.order_by("pk")[:2]
    tag(make_call(city_page=graz_page, title="Housing"), themes=[housing])
    url = "/calls/?status=open"

    cold = queries(client, url)
    warm = queries(client, url)
    assert warm < cold  # facets, total and page ids come from the cache

    response = client.get(url)
    assert facet(response, "theme") == {housing.slug: 1}
    assert "1 call found" in response.content.decode()

    second = tag(make_call(city_page=graz_page, title="Health", closes_in=5 * DAY), themes=[health])
    response = client.get(url)
    assert facet(response, "theme") == {housing.slug: 1, health.slug: 1}
    assert titles(response) == ["Health", "Housing"]
    assert "2 calls found" in response.content.decode()

    tag(second, themes=[health, housing])
    assert facet(client.get(url), "theme") == {housing.slug: 2, health.slug: 1}
    assert facet(client.get(f"{url}&theme={health.slug}"), "theme") == {housing.slug: 2, health.slug: 1}

    second.unpublish()
    commit()
    response = client.get(url)
    assert facet(response, "theme") == {housing.slug: 1}
    assert titles(response) == ["Housing"]
    assert "1 call found" in response.content.decode()

    second.save_revision().publish()
    commit()
    assert titles(client.get(url)) == ["Health", "Housing"]


def test_cached_status_counts_change_when_a_deadline_passes(client, graz_page, aggregates_on, monkeypatch):
    make_call(city_page=graz_page, title="Closing soon", closes_in=dt.timedelta(hours=1))
    make_call(city_page=graz_page, title="Later", closes_in=30 * DAY)
    commit()

    response = client.get("/calls/")
    assert facet(response, "status") == {"open": 2}
    assert facet(client.get("/calls/"), "status") == {"open": 2}  # from the cache

    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # no content change, only the clock
    response = client.get("/calls/")
    assert facet(response, "status") == {"open": 1, "closed": 1}
    assert titles(response) == ["Later", "Closing soon"]
    assert titles(client.get("/calls/?status=open")) == ["Later"]
    assert "1 call found" in client.get("/calls/?status=open").content.decode()


def test_sort_and_page_have_their_own_cached_ids(client, graz_page, aggregates_on):
    for n in range(22):
        make_call(city_page=graz_page, title=f"Call {n:02d}", closes_in=(22 - n) * DAY)
    commit()

    assert titles(client.get("/calls/?page=2")) == ["Call 01", "Call 00"]
    assert titles(client.get("/calls/?page=2&sort=newest")) == ["Call 01", "Call 00"]
    assert titles(client.get("/calls/?sort=newest"))[:2] == ["Call 21", "Call 20"]
    assert titles(client.get("/calls/"))[:2] == ["Call 21", "Call 20"]
    # An invalid value elsewhere makes the listing ignore the sort, as it always has.
    assert titles(client.get("/calls/?sort=newest&budget_min=x"))[:2] == ["Call 21", "Call 20"]
    assert titles(client.get("/calls/?page=99")) == ["Call 01", "Call 00"]


def test_sdg_facet_counts_a_call_with_two_targets_of_a_goal_once(graz_page):
    first, second = SDGTarget.objects.filter(goal__number=11).order_by("pk")[:2]
    tag(make_call(city_page=graz_page, title="Cities"), sdg_targets=[first, second])
    tag(make_call(city_page=graz_page, title="One target"), sdg_targets=[first])

    _filterset, facets = calls_filtered({"sdg": "11"})

    sdg = next(f for f in facets if f.name == "sdg")
    assert [(o.value, o.count) for o in sdg.options] == [("11", 2)]
    status = next(f for f in facets if f.name == "status")
    assert [(o.value, o.count) for o in status.options] == [("open", 2)]


def _many_calls(city_page, housing, start: int, stop: int) -> None:
    for n in range(start, stop):
        call = make_call(city_page=city_page, title=f"Call {n}", closes_in=(n + 1) * DAY)
        call.themes.set([housing])
        call.save()


@pytest.mark.parametrize("cache_on", [False, True])
def test_listing_with_facets_queries_do_not_grow_from_3_to_30_calls(client, graz_page, settings, cache_on):
    housing = Theme.objects.order_by("pk")[0]
    settings.AGGREGATE_CACHE_SECONDS = 300 if cache_on else 0
    url = f"/calls/?theme={housing.slug}&status=open"
    _many_calls(graz_page, housing, 0, 3)
    client.get(url)  # the first request of a site creates its settings (a change)
    commit()
    cache.clear()
    few = queries(client, url), queries(client, url)
    _many_calls(graz_page, housing, 3, 30)
    commit()
    cache.clear()
    many = queries(client, url), queries(client, url)

    assert many == few  # cold and warm
    if cache_on:
        assert few[1] < few[0]  # facets, total and page ids from the cache
    assert "30 calls found" in client.get(url).content.decode()


def test_dashboard_queries_do_not_grow_from_3_to_30_calls(client, city, graz_page, researcher):
    _organisation, official = city
    housing = Theme.objects.order_by("pk")[0]

    def dashboards() -> tuple[int, int]:
        client.force_login(official)
        of_official = queries(client, "/dashboard/")
        client.force_login(researcher)
        return of_official, queries(client, "/dashboard/")

    def add(start: int, stop: int) -> None:
        """Calls with a submitted proposal each, and one the researcher has joined."""
        _many_calls(graz_page, housing, start, stop)
        for call in ResearchCall.objects.filter(title__in=[f"Call {n}" for n in range(start, stop)]):
            submit_for_tests(ProposalFactory(call=call, lead=UserFactory()))
            mine = ProposalFactory(call=call, lead=UserFactory())
            TeamMember.objects.create(
                proposal=mine, user=researcher, email=researcher.email, name="Me", status=TeamMember.Status.ACCEPTED
            )

    add(0, 3)
    dashboards()  # the first requests create the site settings and sessions
    commit()
    few = dashboards()
    add(3, 30)
    commit()
    many = dashboards()

    assert many == few
