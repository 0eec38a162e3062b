"""The city page's indicator and data-gap sections, and commissioning research for a gap."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail import hooks

import pytest

from calls.models import ResearchCall
from hub.models import GroupAtRisk, Theme
from profiles.models import CityPage
from projects import contributions_indicators
from projects.selectors.indicators import city_data_gaps
from tests.projects.test_indicators_pages import add_cities_with_data, make_indicator, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def graz_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def housing(city):
    organisation, _ = city
    indicator = make_indicator()
    this_year = timezone.localdate().year
    observe(indicator, organisation, str(this_year - 3), 17.0)
    observe(indicator, organisation, str(this_year - 1), 15.5)
    observe(indicator, organisation, str(this_year - 1), 18.0, sex="female")
    return indicator


def test_city_page_shows_indicators_with_latest_value_and_sparkline(client, graz_page, housing):
    html = client.get(graz_page.url).content.decode()
    assert "Human-rights indicators" in html
    assert housing.title in html and "15.5" in html
    assert 'class="sparkline"' in html and 'aria-label="Trend over 2 periods' in html
    assert f"{housing.get_absolute_url()}?city=city-of-graz" in html


def test_city_without_data_gets_an_empty_state(client, graz_page):
    html = client.get(graz_page.url).content.decode()
    assert "No indicator data has been published for City of Graz yet." in html


def test_data_gaps_say_how_recent_the_data_is_in_words(city, housing):
    organisation, _ = city
    gaps = city_data_gaps(organisation.pk)
    by_slug = {g.obj.slug: g for g in gaps["themes"]}
    assert by_slug["adequate-housing"].status == "recent"
    assert by_slug["adequate-housing"].status_text.startswith("Recent: data from")
    assert by_slug["health"].status_text == "No data"
    groups = {g.obj.slug: g for g in gaps["groups"]}
    assert groups["women-girls"].status == "recent" and "disaggregated by Sex" in groups["women-girls"].via
    assert groups["older-persons"].status == "none"


def test_old_data_counts_as_a_gap_with_its_age(city):
    organisation, _ = city
    old = make_indicator("Children in poverty", theme=Theme.objects.get(slug="rights-of-the-child"))
    old.groups.add(GroupAtRisk.objects.get(slug="children"))
    year = timezone.localdate().year - 6
    observe(old, organisation, str(year), 20)
    gaps = city_data_gaps(organisation.pk)
    theme = next(g for g in gaps["themes"] if g.obj.slug == "rights-of-the-child")
    assert theme.is_gap and theme.status_text == f"Data from {year} — 6 years old"
    group = next(g for g in gaps["groups"] if g.obj.slug == "children")
    assert group.status == "old" and group.via == "indicators about this group"


def test_public_readers_see_the_gap_table_without_buttons(client, graz_page, housing):
    html = client.get(graz_page.url).content.decode()
    assert "Data gaps" in html and "Right to health" in html and "No data" in html
    assert "Commission research for this gap" not in html


def test_outsider_official_sees_no_buttons(client, graz_page, make_city):
    _vienna, vienna_official = make_city("Vienna")
    client.force_login(vienna_official)
    assert "Commission research for this gap" not in client.get(graz_page.url).content.decode()


def test_official_sees_buttons_on_gaps_only(client, graz_page, official, housing):
    client.force_login(official)
    html = client.get(graz_page.url).content.decode()
    assert "Commission research for this gap" in html
    assert 'name="theme" value="health"' in html
    assert 'name="theme" value="adequate-housing"' not in html  # recent data: no gap


def test_official_commissions_a_theme_gap_and_lands_in_the_admin_editor(client, graz_page, official):
    client.force_login(official)
    response = client.post("/data/gaps/city-of-graz/commission/", {"theme": "health"})
    call = ResearchCall.objects.get(title="Research on the right to health — data gap")
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{call.pk}/edit/"
    assert not call.live and call.get_parent().specific == graz_page
    assert list(call.themes.values_list("slug", flat=True)) == ["health"]
    assert "City of Graz is looking for research on the right to health: it has no indicator data." in call.summary
    assert call.criteria.count() == 4 and call.organisation_id == graz_page.organisation_id
    assert call.opens_at > timezone.now() + dt.timedelta(days=29)  # placeholder dates the official sets
    assert client.get(response["Location"]).status_code == 200


def test_official_commissions_a_group_gap(client, official, graz_page):
    client.force_login(official)
    client.post("/data/gaps/city-of-graz/commission/", {"group": "older-persons"})
    call = ResearchCall.objects.get()
    assert call.title == "Research on the situation of older persons — data gap"
    assert list(call.groups.values_list("slug", flat=True)) == ["older-persons"]


@pytest.mark.parametrize("who", ["anonymous", "researcher", "other_official"])
def test_others_cannot_commission_and_nothing_is_created(client, graz_page, researcher, make_city, who):
    if who == "researcher":
        client.force_login(researcher)
    elif who == "other_official":
        client.force_login(make_city("Vienna")[1])
    response = client.post("/data/gaps/city-of-graz/commission/", {"theme": "health"})
    assert response.status_code in (302, 403, 404)
    if who != "anonymous":
        assert response.status_code == 403
    else:
        assert "/accounts/login/" in response["Location"]
    assert not ResearchCall.objects.exists()


def test_commission_needs_a_known_theme_or_group(client, official, graz_page):
    client.force_login(official)
    response = client.post("/data/gaps/city-of-graz/commission/", {"theme": "<script>"}, follow=True)
    assert "Choose one theme or one group at risk" in response.content.decode()
    assert not ResearchCall.objects.exists()


def test_commission_is_post_only(client, official, graz_page):
    client.force_login(official)
    assert client.get("/data/gaps/city-of-graz/commission/?theme=health").status_code == 405


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_city_page_sections_queries_do_not_grow_with_indicators(client, graz_page, city, official):
    organisation, _ = city
    url = graz_page.url
    indicator = make_indicator("First")
    observe(indicator, organisation, "2021", 3)
    client.force_login(official)
    few = _queries(client, url)
    for n in range(10):
        more = make_indicator(f"Indicator {n}", theme=Theme.objects.order_by("?").first())
        more.groups.add(GroupAtRisk.objects.order_by("pk")[n])
        for year in (2019, 2020, 2021, 2022):
            observe(more, organisation, str(year), n + year % 7)
            observe(more, organisation, str(year), n, age_group="65+")
    add_cities_with_data(indicator, 3)
    assert _queries(client, url) == few


# What the two sections add to the city page (hub's own budget test holds the page's total).
SECTIONS_BUDGET = {"anonymous": 8, "official": 9}


@pytest.mark.parametrize("who", ["anonymous", "official"])
def test_city_page_sections_stay_within_their_budget(client, graz_page, city, monkeypatch, who):
    organisation, official = city
    indicator = make_indicator("First")
    observe(indicator, organisation, "2021", 3)
    observe(indicator, organisation, "2021", 2, sex="female")
    if who == "official":
        client.force_login(official)
    indicator_sections = (contributions_indicators.city_indicators, contributions_indicators.city_gaps)
    hooks.search_for_hooks()
    others = [entry for entry in hooks._hooks["city_page_sections"] if entry[0] not in indicator_sections]
    with monkeypatch.context() as patched:
        patched.setitem(hooks._hooks, "city_page_sections", others)  # the page without the two sections
        without = _queries(client, graz_page.url)
    added = _queries(client, graz_page.url) - without
    assert added <= SECTIONS_BUDGET[who]
