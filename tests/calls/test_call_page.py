"""A call's public page: facts in the city's time, apply action, status banners, profile match, credits."""

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from calls.factories import make_call
from hub.models import Country, Language, Method, Theme
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


def test_call_page_shows_its_facts_in_the_city_time_zone(client, open_call):
    page = client.get(open_call.url).content.decode()

    local = open_call.local_closes_at
    assert open_call.title in page
    assert open_call.summary in page
    assert f'datetime="{local.isoformat()}"' in page
    assert local.strftime("%H:%M") in page
    assert "Relevance to the city&#x27;s human-rights priorities" in page
    assert "30 %" in page
    assert "€10,000 to €50,000" in page
    assert "Time left:" in page and "29 days" in page
    assert "js/calls.js" in page


def test_theme_links_to_its_vocabulary_page(client, open_call):
    theme = Theme.objects.order_by("pk")[0]
    open_call.themes.set([theme])
    open_call.save()

    page = client.get(open_call.url).content.decode()

    assert f'href="/vocabularies/themes/{theme.slug}/"' in page


def test_draft_call_is_not_public(client, graz_page):
    draft = make_call(city_page=graz_page, title="Secret draft", publish=False)

    assert client.get(draft.url or f"/cities/{graz_page.slug}/{draft.slug}/").status_code == 404
    assert "Secret draft" not in client.get("/calls/").content.decode()
    assert "Secret draft" not in client.get(graz_page.url).content.decode()


def test_cancelled_call_shows_the_reason_and_offers_no_apply(client, graz_page):
    call = make_call(
        city_page=graz_page, title="Cut call", cancelled_at=timezone.now(), cancellation_reason="Budget frozen."
    )

    page = client.get(call.url).content.decode()

    assert "This call was cancelled." in page
    assert "Budget frozen." in page
    assert "Start a proposal" not in page
    assert not call.accepts_submissions()


@pytest.mark.parametrize(
    ("fields", "banner"),
    [
        ({"opens_in": 5 * DAY, "closes_in": 40 * DAY}, "Not open yet."),
        ({"opens_in": -40 * DAY, "closes_in": -DAY}, "This call is closed."),
        ({"opens_in": -60 * DAY, "closes_in": -30 * DAY, "awarded_at": timezone.now()}, "This call has been awarded."),
    ],
)
def test_status_banner_tells_readers_where_the_call_stands(client, graz_page, fields, banner):
    call = make_call(city_page=graz_page, **fields)

    assert banner in client.get(call.url).content.decode()


def test_open_call_offers_start_a_proposal_when_that_page_exists(client, open_call):
    from django.urls import NoReverseMatch, reverse

    page = client.get(open_call.url).content.decode()
    try:
        url = reverse("proposal_start", args=[open_call.pk])
    except NoReverseMatch:
        assert "Start a proposal" not in page
    else:
        assert f'href="{url}"' in page


def test_researcher_sees_how_the_call_matches_their_profile(client, researcher, open_call):
    housing = Theme.objects.order_by("pk")[0]
    method = Method.objects.order_by("pk")[0]
    spanish = Language.objects.get(code="es")
    open_call.themes.set([housing])
    open_call.methods.set([method])
    open_call.required_languages.set([spanish])
    open_call.save()
    profile = researcher.researcher_profile
    profile.themes.set([housing])
    profile.methods.set([method])
    profile.languages.set([spanish])
    profile.countries.set([Country.objects.get(code="AT")])
    client.force_login(researcher)

    page = client.get(open_call.url).content.decode()

    assert "How this call matches your profile" in page
    assert f"Matches: {housing.name}, {method.name}, Spanish" in page


def test_anonymous_reader_sees_no_profile_match(client, open_call):
    assert "How this call matches your profile" not in client.get(open_call.url).content.decode()


def test_call_page_query_count_does_not_grow_with_calls(client, graz_page, open_call, django_assert_max_num_queries):
    def count():
        client.get(open_call.url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(open_call.url).status_code == 200
        return len(captured.captured_queries)

    make_call(city_page=graz_page, title="Another")
    few = count()
    for n in range(10):
        make_call(city_page=graz_page, title=f"More {n}")
    assert count() == few
    with django_assert_max_num_queries(24):
        client.get(open_call.url)


def test_city_page_lists_its_open_and_recent_closed_calls(client, graz_page, open_call):
    make_call(city_page=graz_page, title="Closed last month", opens_in=-60 * DAY, closes_in=-30 * DAY)
    make_call(city_page=graz_page, title="Hidden draft", publish=False)

    page = client.get(graz_page.url).content.decode()

    assert open_call.title in page
    assert "Recent closed calls" in page and "Closed last month" in page
    assert "Hidden draft" not in page


def test_home_page_counts_open_calls_and_lists_the_latest(client, open_call, graz_page):
    make_call(city_page=graz_page, title="Closed one", opens_in=-60 * DAY, closes_in=-30 * DAY)

    response = client.get("/")

    stats = {s["key"]: s["value"] for s in response.context["stats"]}
    assert stats["open_calls"] == 1
    assert open_call.title in response.content.decode()
