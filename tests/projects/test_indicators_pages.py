"""/data/, /data/indicators/ and an indicator's page: facets, charts with table alternatives, CSV, suppression."""

import datetime as dt
import xml.dom.minidom
from decimal import Decimal

import pytest

from hub.models import GroupAtRisk, SDGIndicator, Theme
from profiles.factories import CityOrganisationFactory
from projects.factories import PartnershipFactory
from projects.models import Dataset, Indicator, Observation

pytestmark = pytest.mark.django_db


def make_indicator(title="Households overburdened by housing costs", **fields) -> Indicator:
    fields.setdefault("type", Indicator.Type.OUTCOME)
    fields.setdefault("obligation", Indicator.Obligation.FULFIL)
    fields.setdefault("theme", Theme.objects.get(slug="adequate-housing"))
    fields.setdefault("unit", "% of households")
    fields.setdefault("definition", "Share of households spending more than 40% of their income on housing.")
    from django.utils.text import slugify

    return Indicator.objects.create(title=title, slug=slugify(title), **fields)


def observe(indicator, city, period: str, value, **disaggregation) -> Observation:
    return Observation.objects.create(
        indicator=indicator,
        city=city,
        period=period,
        period_start=dt.date(int(period[:4]), 1, 1),
        value=Decimal(str(value)),
        disaggregation=disaggregation,
    )


def svg_of(html: str, chart_id: str):
    start = html.index(f'aria-labelledby="{chart_id}-title {chart_id}-desc"')
    start = html.rindex("<svg", 0, start)
    end = html.index("</svg>", start) + len("</svg>")
    return xml.dom.minidom.parseString(html[start:end]).documentElement


@pytest.fixture
def housing(city):
    organisation, _official = city
    indicator = make_indicator(sdg_indicator=SDGIndicator.objects.get(code="11.1.1"))
    indicator.groups.add(GroupAtRisk.objects.get(slug="poverty"))
    for year, value in ((2019, 18.5), (2021, 17.2), (2023, 15.9)):
        observe(indicator, organisation, str(year), value)
    observe(indicator, organisation, "2023", 19.1, sex="female")
    observe(indicator, organisation, "2023", 12.4, sex="male")
    return indicator


def test_data_index_links_to_datasets_indicators_and_the_catalogue(client, housing):
    response = client.get("/data/")
    html = response.content.decode()
    assert response.status_code == 200
    for href in ('href="/data/datasets/"', 'href="/data/indicators/"', 'href="/data/catalog.jsonld"'):
        assert href in html
    assert housing.title in html and "Right to adequate housing" in html


def test_indicator_list_has_facets_with_counts_and_filters(client, housing, make_city):
    make_indicator("Evictions executed per 10,000 households", obligation=Indicator.Obligation.PROTECT)
    html = client.get("/data/indicators/").content.decode()
    assert "2 indicators found" in html
    assert "Protect (1)" in html and "Fulfil (1)" in html
    assert "City of Graz (1)" in html  # city with data
    assert "11. Sustainable cities and communities (1)" in html or "11." in html

    html = client.get("/data/indicators/?obligation=protect").content.decode()
    assert "1 indicator found" in html and "Evictions executed" in html and housing.title not in html
    assert "Obligation: Protect" in html  # the active filter chip

    html = client.get("/data/indicators/?city=city-of-graz").content.decode()
    assert "1 indicator found" in html and housing.title in html


def test_indicator_list_empty_state_offers_to_widen(client, housing):
    html = client.get("/data/indicators/?q=nothing-like-this").content.decode()
    assert "No indicators match these filters" in html and "Remove the" in html


def test_indicator_list_ignores_unknown_filter_values(client, housing):
    response = client.get("/data/indicators/?type=bogus&sdg=abc")
    assert response.status_code == 200


def test_indicator_page_shows_definition_badges_sdg_and_charts_with_tables(client, housing, make_city):
    vienna, _ = make_city("Vienna")
    observe(housing, vienna, "2022", 21.0)
    response = client.get(housing.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Outcome indicator" in html and "Obligation to fulfil" in html
    assert "11.1.1" in html and "ICESCR" in html  # SDG code and an article of the theme
    compare = svg_of(html, "chart-compare")
    assert compare.getAttribute("role") == "img"
    assert "City of Vienna: 21" in compare.getElementsByTagName("desc")[0].firstChild.data
    series = svg_of(html, "chart-series")
    assert "City of Graz: from 18.5" in series.getElementsByTagName("desc")[0].firstChild.data
    breakdown = svg_of(html, "chart-breakdown-0")
    assert "female: 19.1" in breakdown.getElementsByTagName("desc")[0].firstChild.data
    assert html.count("<details") >= 3 and "Show the data as a table" in html
    assert "<figcaption" in html


def test_time_series_follows_the_chosen_cities_and_refuses_too_many(client, housing, make_city):
    vienna, _ = make_city("Vienna")
    observe(housing, vienna, "2022", 21.0)
    html = client.get(housing.get_absolute_url() + "?cities=city-of-vienna").content.decode()
    desc = svg_of(html, "chart-series").getElementsByTagName("desc")[0].firstChild.data
    assert "City of Vienna" in desc and "City of Graz" not in desc

    many = "&".join(f"cities=c{n}" for n in range(9))
    response = client.get(housing.get_absolute_url() + "?" + many)
    assert response.status_code == 200
    assert "not one of the available choices" in response.content.decode() or "at most 8" in response.content.decode()


def test_small_counts_are_suppressed_in_charts_tables_and_csv(client, city):
    organisation, _ = city
    evictions = make_indicator("Evictions executed", unit="households", value_is_count=True)
    observe(evictions, organisation, "2022", 3)
    observe(evictions, organisation, "2023", 40)
    html = client.get(evictions.get_absolute_url()).content.decode()
    assert ">[c]<" in html
    series = svg_of(html, "chart-series")
    assert "suppressed" in series.getElementsByTagName("desc")[0].firstChild.data
    assert ">3<" not in html.split("chart-series")[1]
    csv_text = b"".join(client.get(evictions.get_absolute_url() + "observations.csv").streaming_content).decode()
    assert "City of Graz" in csv_text and ",[c]," in csv_text and ",3," not in csv_text


def test_csv_download_streams_every_public_observation(client, housing):
    response = client.get(f"/data/indicators/{housing.slug}/observations.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("indicator,indicator_title,city,country,period")
    assert len(lines) == 1 + 5
    assert any("sex=female" in line and "19.1" in line for line in lines)


def test_observations_from_a_draft_dataset_stay_hidden(client, housing, city):
    organisation, _ = city
    partnership = PartnershipFactory(city=organisation)
    draft = Dataset.objects.create(partnership=partnership, title="Draft", slug="draft", description="x")
    Observation.objects.filter(indicator=housing, period="2019").update(source_dataset=draft)
    csv_text = b"".join(client.get(f"/data/indicators/{housing.slug}/observations.csv").streaming_content).decode()
    assert ",2019," not in csv_text
    draft.status = Dataset.Status.PUBLISHED
    draft.save()
    csv_text = b"".join(client.get(f"/data/indicators/{housing.slug}/observations.csv").streaming_content).decode()
    assert ",2019," in csv_text


def test_unknown_indicator_is_404(client, db):
    assert client.get("/data/indicators/no-such-thing/").status_code == 404


def add_cities_with_data(indicator, count: int, start: int = 0):
    for n in range(start, start + count):
        organisation = CityOrganisationFactory(name=f"City of Town{n:02d}", city=f"Town{n:02d}")
        for year in (2020, 2021, 2022):
            observe(indicator, organisation, str(year), 10 + n + year % 10)
        observe(indicator, organisation, "2022", 5 + n, sex="female")


def test_indicator_page_queries_do_not_grow_with_cities_and_observations(client, housing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_cities_with_data(housing, 1)
    url = housing.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_cities_with_data(housing, 10, start=1)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("url", ["/data/indicators/", "/data/"])
def test_list_pages_query_budget_is_constant(client, housing, url, django_assert_max_num_queries):
    for n in range(10):
        make_indicator(f"Indicator {n}")
    add_cities_with_data(housing, 3)
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_indicator_page_stays_within_its_budget(client, housing, django_assert_max_num_queries):
    add_cities_with_data(housing, 10)
    client.get(housing.get_absolute_url())
    with django_assert_max_num_queries(8):
        assert client.get(housing.get_absolute_url()).status_code == 200
