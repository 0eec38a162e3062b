"""/calls/: facets with counts, sorting, pagination, empty state and a query count that does not grow."""

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from calls.factories import make_call
from calls.filters import calls_filtered
from hub.models import Method, SDGTarget, Theme
from profiles.models import CityPage

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def graz_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def housing():
    return Theme.objects.order_by("pk")[0]


@pytest.fixture
def health():
    return Theme.objects.order_by("pk")[1]


def tag(call, **vocabularies):
    """Give a published call vocabulary terms (parental many-to-many fields commit on save)."""
    for name, terms in vocabularies.items():
        getattr(call, name).set(terms)
    call.save()
    return call


def titles(response) -> list[str]:
    return [call.title for call in response.context["calls"].object_list]


def test_listing_shows_only_published_calls(client, graz_page):
    make_call(city_page=graz_page, title="Published call")
    make_call(city_page=graz_page, title="Draft call", publish=False)

    response = client.get("/calls/")

    assert titles(response) == ["Published call"]
    assert "Draft call" not in response.content.decode()


def test_theme_facet_filters_and_counts_calls(client, graz_page, housing, health):
    one = make_call(city_page=graz_page, title="Housing one")
    tag(one, themes=[housing])
    two = make_call(city_page=graz_page, title="Housing and health")
    tag(two, themes=[housing, health])
    make_call(city_page=graz_page, title="No theme")

    response = client.get("/calls/", {"theme": housing.slug})

    assert sorted(titles(response)) == ["Housing and health", "Housing one"]
    theme_facet = next(f for f in response.context["facets"] if f.name == "theme")
    counts = {o.value: o.count for o in theme_facet.options}
    # A facet counts the calls matching every *other* filter, so choosing another theme is still offered.
    assert counts == {housing.slug: 2, health.slug: 1}
    page = response.content.decode()
    assert f"{housing.name} (2)" in page
    assert "2 calls found" in page


def test_facet_counts_follow_the_other_filters(graz_page, make_city, housing):
    vienna_page = CityPage.objects.get(organisation=make_city("Vienna")[0])
    tag(make_call(city_page=graz_page, title="Graz housing"), themes=[housing])
    tag(make_call(city_page=vienna_page, title="Vienna housing"), themes=[housing])
    make_call(city_page=vienna_page, title="Vienna closed", opens_in=-30 * DAY, closes_in=-DAY)

    _filterset, facets = calls_filtered({"status": "open"})

    theme = next(f for f in facets if f.name == "theme")
    status = next(f for f in facets if f.name == "status")
    assert [(o.value, o.count) for o in theme.options] == [(housing.slug, 2)]
    assert {o.value: o.count for o in status.options} == {"open": 2, "closed": 1}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", ["Open now"]),
        ("upcoming", ["Opens later"]),
        ("consultation", ["In consultation"]),
        ("closed", ["Closed already"]),
        ("cancelled", ["Cancelled one"]),
        ("awarded", ["Awarded one"]),
    ],
)
def test_status_filter_uses_the_dates(client, graz_page, status, expected):
    now = timezone.now()
    make_call(city_page=graz_page, title="Open now")
    make_call(city_page=graz_page, title="Opens later", opens_in=10 * DAY, closes_in=40 * DAY)
    make_call(
        city_page=graz_page,
        title="In consultation",
        opens_in=10 * DAY,
        closes_in=40 * DAY,
        consultation_opens_at=now - DAY,
        consultation_questions="What should we ask?",
    )
    make_call(city_page=graz_page, title="Closed already", opens_in=-30 * DAY, closes_in=-DAY)
    make_call(city_page=graz_page, title="Cancelled one", cancelled_at=now, cancellation_reason="Budget cut")
    make_call(city_page=graz_page, title="Awarded one", opens_in=-60 * DAY, closes_in=-30 * DAY, awarded_at=now)

    assert titles(client.get("/calls/", {"status": status})) == expected


def test_method_sdg_country_and_early_career_filters(client, graz_page, make_city):
    method = Method.objects.order_by("pk")[0]
    target = SDGTarget.objects.select_related("goal").order_by("pk")[0]
    wanted = make_call(city_page=graz_page, title="Wanted", early_career="only")
    tag(wanted, methods=[method])
    tag(wanted, sdg_targets=[target])
    seoul = make_city("Seoul")[0]
    seoul.country_id = type(seoul.country).objects.get(code="KR").pk
    seoul.save()
    make_call(city_page=CityPage.objects.get(organisation=seoul), title="Elsewhere")

    assert titles(client.get("/calls/", {"method": method.slug})) == ["Wanted"]
    assert titles(client.get("/calls/", {"sdg": target.goal.number})) == ["Wanted"]
    assert titles(client.get("/calls/", {"country": "KR"})) == ["Elsewhere"]
    assert titles(client.get("/calls/", {"early_career": "only"})) == ["Wanted"]


def test_budget_range_keeps_calls_that_overlap(client, graz_page):
    make_call(city_page=graz_page, title="Small", budget_min=Decimal("1000"), budget_max=Decimal("5000"))
    make_call(city_page=graz_page, title="Large", budget_min=Decimal("50000"), budget_max=Decimal("90000"))

    assert titles(client.get("/calls/", {"budget_min": "4000"})) == ["Small", "Large"]
    assert titles(client.get("/calls/", {"budget_min": "6000"})) == ["Large"]
    assert titles(client.get("/calls/", {"budget_max": "20000"})) == ["Small"]


def test_deadline_before_and_after(client, graz_page):
    soon = make_call(city_page=graz_page, title="Soon", closes_in=5 * DAY)
    make_call(city_page=graz_page, title="Later", closes_in=50 * DAY)
    day = soon.closes_at.date()

    assert titles(client.get("/calls/", {"deadline_before": day.isoformat()})) == ["Soon"]
    assert titles(client.get("/calls/", {"deadline_after": (day + DAY).isoformat()})) == ["Later"]


def test_search_text_matches_title_and_summary(client, graz_page):
    make_call(city_page=graz_page, title="Water access", summary="Sanitation in informal settlements.")
    make_call(city_page=graz_page, title="Schools")

    assert titles(client.get("/calls/", {"q": "water"})) == ["Water access"]
    assert titles(client.get("/calls/", {"q": "informal"})) == ["Water access"]


def test_sort_by_deadline_puts_past_deadlines_last_and_newest_by_publication(client, graz_page):
    make_call(city_page=graz_page, title="Later", closes_in=50 * DAY)
    make_call(city_page=graz_page, title="Past", opens_in=-30 * DAY, closes_in=-DAY)
    make_call(city_page=graz_page, title="Sooner", closes_in=5 * DAY)

    assert titles(client.get("/calls/")) == ["Sooner", "Later", "Past"]
    assert titles(client.get("/calls/", {"sort": "newest"})) == ["Sooner", "Past", "Later"]


def test_listing_paginates_by_twenty(client, graz_page):
    for n in range(22):
        make_call(city_page=graz_page, title=f"Call {n:02d}", closes_in=(n + 1) * DAY)

    first = client.get("/calls/")
    second = client.get("/calls/", {"page": 2})

    assert len(titles(first)) == 20
    assert titles(second) == ["Call 20", "Call 21"]
    assert "22 calls found" in first.content.decode()


def test_empty_state_suggests_removing_the_most_restrictive_filter(client, graz_page, housing):
    tag(make_call(city_page=graz_page, title="Housing"), themes=[housing])

    response = client.get("/calls/", {"theme": housing.slug, "q": "nothing like this"})

    page = response.content.decode()
    assert "No calls match these filters" in page
    assert "Remove the “Search” filter" in page
    assert f'href="?theme={housing.slug}"' in page


def test_active_filters_are_shown_as_removable_chips(client, graz_page, housing):
    tag(make_call(city_page=graz_page, title="Housing"), themes=[housing])

    page = client.get("/calls/", {"theme": housing.slug, "status": "open"}).content.decode()

    assert f"Human-rights theme: {housing.name}" in page
    assert "Status: Open" in page
    assert 'href="?theme=' in page and 'href="?status=open"' in page


def test_card_shows_city_deadline_in_city_time_and_budget(client, graz_page):
    call = make_call(city_page=graz_page, title="Card call", budget_min=Decimal("10000"), budget_max=Decimal("50000"))

    page = client.get("/calls/").content.decode()

    local = call.local_closes_at
    assert f'datetime="{local.isoformat()}"' in page
    assert f"{local:%H:%M}" in page
    assert "€10,000 to €50,000" in page
    assert "City of Graz" in page


def test_listing_links_to_feeds_with_the_current_filters(client, graz_page):
    page = client.get("/calls/", {"status": "open", "sort": "newest"}).content.decode()

    assert 'href="/feeds/calls.atom?status=open"' in page
    assert 'href="/calls.ics?status=open"' in page
    assert 'rel="alternate" type="application/atom+xml"' in page


def test_unknown_filter_values_are_ignored_not_an_error(client, graz_page):
    make_call(city_page=graz_page, title="Still listed")

    response = client.get("/calls/", {"status": "bogus", "deadline_after": "not-a-date", "budget_min": "x"})

    assert response.status_code == 200
    assert titles(response) == ["Still listed"]


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_listing_query_count_does_not_grow_with_calls(client, graz_page, housing, django_assert_max_num_queries):
    for n in range(2):
        tag(make_call(city_page=graz_page, title=f"Call {n}"), themes=[housing])
    few = _queries(client, "/calls/?theme=" + housing.slug)
    for n in range(2, 12):
        tag(make_call(city_page=graz_page, title=f"Call {n}"), themes=[housing])
    many = _queries(client, "/calls/?theme=" + housing.slug)

    assert many == few
    with django_assert_max_num_queries(19):  # one more since content translation: Wagtail routes from the locale
        client.get("/calls/")
