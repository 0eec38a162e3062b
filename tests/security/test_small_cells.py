"""Small cells stay hidden against subtraction: a published total and the other breakdowns must not give a hidden
count away, on any channel (indicator page, charts, city page, CSV, API; dataset preview, downloads, API rows),
and two differently filtered views of the same table must not combine into a hidden value.

The attacker's arithmetic is the issue's example: total 9, female 5, male hidden → male = 9 - 5 = 4. Search and
the bulk zip publish no values at all (metadata only); the module's own property tests are in
tests/projects/test_suppression.py.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import csv
import datetime as dt
import io
import xml.dom.minidom
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

import pytest

from hub.models import Theme
from projects.models import Dataset, Indicator, Observation
from tests.projects.conftest import partnership

pytestmark = pytest.mark.django_db


def _indicator(slug="people-evicted", *, value_is_count=True, unit="persons") -> Indicator:
    return Indicator.objects.create(
        title=f"Indicator {slug}",
        slug=slug,
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.PROTECT,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit=unit,
        value_is_count=value_is_count,
        definition="People evicted in the year.",
    )


def _observe(indicator, city, period, value, *, source=None, threshold=None, **disaggregation) -> Observation:
    return Observation.objects.create(
        indicator=indicator,
        city=city,
        period=period,
        period_start=dt.date(int(period[:4]), 1, 1),
        value=Decimal(str(value)),
        disaggregation=disaggregation,
        source_dataset=source,
        suppression_threshold=threshold,
    )


@pytest.fixture
def evictions(city):
    """The issue's table: total 9, female 5, male 4 (Graz, 2023), next to an unrelated year that hides nothing."""
    organisation, _official = city
    indicator = _indicator()
    _observe(indicator, organisation, "2023", 9)
    _observe(indicator, organisation, "2023", 5, sex="female")
    _observe(indicator, organisation, "2023", 4, sex="male")
    _observe(indicator, organisation, "2022", 30)
    _observe(indicator, organisation, "2022", 18, sex="female")
    _observe(indicator, organisation, "2022", 12, sex="male")
    return indicator


def _api(client, indicator, **params) -> dict[tuple[str, str], dict]:
    body = client.get(f"/api/v1/indicators/{indicator.slug}/observations", params).json()
    return {
        (o["period"], ";".join(f"{k}={v}" for k, v in sorted(o["disaggregation"].items()))): o for o in body["results"]
    }


def _csv(client, url) -> list[dict]:
    response = client.get(url)
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _svg(html: str, chart_id: str):
    start = html.index(f'aria-labelledby="{chart_id}-title {chart_id}-desc"')
    start = html.rindex("<svg", 0, start)
    return xml.dom.minidom.parseString(html[start : html.index("</svg>", start) + 6]).documentElement


# ---- indicators -------------------------------------------------------------------------------------------------


def test_api_hides_a_sibling_that_would_give_the_small_count_away(client, evictions):
    cells = _api(client, evictions)
    assert cells[("2023", "sex=male")]["value"] is None and cells[("2023", "sex=male")]["suppressed"] is True
    assert cells[("2023", "sex=female")]["value"] is None and cells[("2023", "sex=female")]["suppressed"] is True
    assert Decimal(str(cells[("2023", "")]["value"])) == 9  # with both breakdowns hidden, 9 reveals neither
    assert all(not cells[("2022", key)]["suppressed"] for key in ("", "sex=female", "sex=male"))


@pytest.mark.parametrize(
    "params",
    [{"total_only": "true"}, {"period": "2023"}, {"city": "city-of-graz"}, {"page_size": "1"}, {"page_size": "2"}],
)
def test_filtered_and_paged_api_views_hide_the_same_cells(client, evictions, params):
    """Differencing: no filter, page or combination of them publishes what the whole table hides."""
    everything = _api(client, evictions)
    pages, page = {}, 1
    while True:
        body = client.get(f"/api/v1/indicators/{evictions.slug}/observations", {**params, "page": page}).json()
        for o in body["results"]:
            pages[o["id"]] = o
        if not body["next"]:
            break
        page += 1
    by_id = {o["id"]: o for o in everything.values()}
    for key, o in pages.items():
        assert o["suppressed"] == by_id[key]["suppressed"] and o["value"] == by_id[key]["value"]


def test_page_table_charts_and_total_bar_do_not_give_the_small_count_away(client, evictions):
    html = client.get(evictions.get_absolute_url() + "?breakdown=city-of-graz|2023").content.decode()
    desc = _svg(html, "chart-breakdown-0").getElementsByTagName("desc")[0].firstChild.data
    assert "female: [c]" in desc and "male: [c]" in desc and "Total: 9" in desc
    assert "female: 5" not in desc and "male: 4" not in desc
    table = html[html.index("<table", html.index("chart-breakdown-0")) :]
    table = table[: table.index("</table>")]
    assert ">5<" not in table and ">4<" not in table and ">[c]<" in table


def test_csv_does_not_give_the_small_count_away(client, evictions):
    rows = _csv(client, reverse("indicator_observations_csv", args=[evictions.slug]))
    values = {(r["period"], r["disaggregation"]): r["value"] for r in rows}
    assert values[("2023", "sex=female")] == "[c]" and values[("2023", "sex=male")] == "[c]"
    assert values[("2023", "")] == "9" and values[("2022", "sex=male")] == "12"


def test_a_total_is_hidden_when_it_is_the_only_complement(client, city):
    """Total 10, female 3, male 0: the zero stays, so the total must go, on every channel including the city page."""
    organisation, _official = city
    indicator = _indicator("people-in-shelters")
    _observe(indicator, organisation, "2022", 25)
    _observe(indicator, organisation, "2023", 10)
    _observe(indicator, organisation, "2023", 3, sex="female")
    _observe(indicator, organisation, "2023", 0, sex="male")
    cells = _api(client, indicator)
    assert cells[("2023", "")]["suppressed"] and cells[("2023", "sex=female")]["suppressed"]
    assert cells[("2023", "sex=male")]["value"] is not None  # zero is not disclosive
    html = client.get(indicator.get_absolute_url()).content.decode()
    compare = _svg(html, "chart-compare").getElementsByTagName("desc")[0].firstChild.data
    assert "10" not in compare  # the only city's latest total is hidden: nothing to draw
    series = _svg(html, "chart-series").getElementsByTagName("desc")[0].firstChild.data
    assert "25" in series and "10" not in series
    city_page = client.get(organisation.city_page.url).content.decode()
    card = city_page[city_page.index(indicator.title) :]
    card = card[: card.index("</li>")]
    assert "suppressed" in card and ">10<" not in card
    values = {
        (r["period"], r["disaggregation"]): r["value"]
        for r in _csv(client, f"{indicator.get_absolute_url()}observations.csv")
    }
    assert values[("2023", "")] == "[c]" and values[("2023", "sex=male")] == "0"


def test_a_table_with_sex_and_age_and_both_margins(client, city):
    organisation, _official = city
    indicator = _indicator("people-without-heating")
    cells = {
        (): 60,
        (("sex", "female"),): 31,
        (("sex", "male"),): 29,
        (("age_group", "0-64"),): 40,
        (("age_group", "65+"),): 20,
        (("age_group", "0-64"), ("sex", "female")): 19,
        (("age_group", "65+"), ("sex", "female")): 12,
        (("age_group", "0-64"), ("sex", "male")): 21,
        (("age_group", "65+"), ("sex", "male")): 8,
    }
    cells[(("age_group", "65+"), ("sex", "male"))] = 2
    cells[(("age_group", "0-64"), ("sex", "male"))] = 27  # keep every margin consistent: 29 = 27 + 2
    for key, value in cells.items():
        _observe(indicator, organisation, "2023", value, **dict(key))
    body = client.get(f"/api/v1/indicators/{indicator.pk}/observations", {"page_size": 100}).json()
    published = {tuple(sorted(o["disaggregation"].items())): o["value"] for o in body["results"]}
    hidden = {key for key, value in published.items() if value is None}
    assert (("age_group", "65+"), ("sex", "male")) in hidden
    # The attacker: every cell is a sum of the four inner cells; a hidden one is disclosed when its sum is a
    # combination of the published ones. Brute force over small integer combinations is enough for 2 × 2.
    inner = [(("age_group", a), ("sex", s)) for a in ("0-64", "65+") for s in ("female", "male")]

    def row(key):
        return tuple(int(all(part in cell for part in key)) for cell in inner)

    from tests.projects.test_suppression import disclosed

    shown = [list(row(k)) for k in published if k not in hidden]
    assert disclosed(shown, [list(row(k)) for k in hidden]) == []


def test_imported_values_carry_their_datasets_threshold_even_into_a_non_count_indicator(client, city, partnership):
    organisation, _official = city
    indicator = _indicator("share-of-households", value_is_count=False, unit="households")
    source = Dataset.objects.create(
        partnership=partnership, title="Survey", slug="survey", description="x", status=Dataset.Status.PUBLISHED
    )
    _observe(indicator, organisation, "2023", 40, source=source, threshold=10)
    _observe(indicator, organisation, "2023", 33, source=source, threshold=10, sex="female")
    _observe(indicator, organisation, "2023", 7, source=source, threshold=10, sex="male")
    _observe(indicator, organisation, "2021", 7)  # typed in by hand, not a count: shown
    cells = _api(client, indicator)
    assert cells[("2023", "sex=male")]["suppressed"] and cells[("2023", "sex=female")]["suppressed"]
    assert cells[("2021", "")]["value"] is not None


def test_each_source_is_its_own_table(client, city, partnership):
    """Two sources for the same city and period: each table is protected as a whole, neither leaks the other."""
    organisation, _official = city
    indicator = _indicator("households-evicted")
    source = Dataset.objects.create(
        partnership=partnership, title="Court data", slug="court-data", description="x", status="published"
    )
    _observe(indicator, organisation, "2023", 9)
    _observe(indicator, organisation, "2023", 5, sex="female")
    _observe(indicator, organisation, "2023", 4, sex="male")
    _observe(indicator, organisation, "2023", 50, source=source, threshold=5)
    _observe(indicator, organisation, "2023", 20, source=source, threshold=5, sex="female")
    _observe(indicator, organisation, "2023", 30, source=source, threshold=5, sex="male")
    body = client.get(f"/api/v1/indicators/{indicator.pk}/observations").json()
    hand = {o["disaggregation"].get("sex", ""): o for o in body["results"] if o["source_dataset_id"] is None}
    court = {o["disaggregation"].get("sex", ""): o for o in body["results"] if o["source_dataset_id"] == source.pk}
    assert hand["male"]["suppressed"] and hand["female"]["suppressed"] and not hand[""]["suppressed"]
    assert not any(o["suppressed"] for o in court.values())


# ---- datasets ---------------------------------------------------------------------------------------------------


def _dataset(partnership, text: str, schema: list[dict], slug="evictions-by-district") -> Dataset:
    dataset = Dataset(
        partnership=partnership,
        title="Evictions by district",
        slug=slug,
        description="Evictions per district, with the city's total.",
        status=Dataset.Status.PUBLISHED,
        access_level=Dataset.AccessLevel.OPEN,
        schema=schema,
        row_count=text.count("\n") - 1,
        sha256=slug,
    )
    dataset.file.save("data.csv", ContentFile(text.encode()), save=False)
    dataset.save()
    return dataset


DISTRICTS = "district,year,evictions\nLend,2023,12\nGries,2023,3\nJakomini,2023,20\nTotal,2023,35\n"
SCHEMA = [
    {"name": "district", "type": "string", "description": "", "is_count": False},
    {"name": "year", "type": "integer", "description": "", "is_count": False},
    {"name": "evictions", "type": "integer", "description": "", "is_count": True},
]


@pytest.fixture
def districts(partnership):
    return _dataset(partnership, DISTRICTS, SCHEMA)


def test_dataset_total_row_does_not_give_the_small_count_away_anywhere(client, districts):
    # Gries 3 is small; with the total 35 published, the smallest other district (Lend 12) is hidden too.
    html = client.get(districts.get_absolute_url()).content.decode()
    assert '<td>Lend</td><td>2023</td><td class="is-suppressed">[c]</td>' in html
    assert '<td>Gries</td><td>2023</td><td class="is-suppressed">[c]</td>' in html
    assert "<td>35</td>" in html and "<td>20</td>" in html

    rows = _csv(client, reverse("dataset_download_csv", args=[districts.slug]))
    assert [r["evictions"] for r in rows] == ["[c]", "[c]", "20", "35"]

    response = client.get(reverse("dataset_download_json", args=[districts.slug]))
    import json

    data = json.loads(b"".join(response.streaming_content))
    assert [r["evictions"] for r in data] == [None, None, 20, 35]

    body = client.get(f"/api/v1/datasets/{districts.pk}/rows").json()
    assert [r["evictions"] for r in body["results"]] == [None, None, 20, 35]


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_dataset_pages_of_the_api_hide_what_the_whole_file_hides(client, districts, page_size):
    """Differencing across pages: the page with Lend alone must hide it although the total is on another page."""
    seen = []
    page = 1
    while True:
        body = client.get(f"/api/v1/datasets/{districts.pk}/rows", {"page": page, "page_size": page_size}).json()
        seen += [r["evictions"] for r in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert seen == [None, None, 20, 35]


def test_an_empty_dimension_is_a_total_row(client, partnership):
    text = "district,sex,evictions\nLend,female,3\nLend,male,10\nLend,,13\nGries,female,8\nGries,male,9\nGries,,17\n"
    schema = [
        {"name": "district", "type": "string", "description": "", "is_count": False},
        {"name": "sex", "type": "string", "description": "", "is_count": False},
        {"name": "evictions", "type": "integer", "description": "", "is_count": True},
    ]
    dataset = _dataset(partnership, text, schema, slug="evictions-by-sex")
    rows = _csv(client, reverse("dataset_download_csv", args=[dataset.slug]))
    assert [r["evictions"] for r in rows] == ["[c]", "[c]", "13", "8", "9", "17"]


def test_a_total_column_adds_up_the_other_count_columns(client, partnership):
    text = "district,female,male,total\nLend,5,4,9\nGries,20,30,50\n"
    schema = [
        {"name": "district", "type": "string", "description": "", "is_count": False},
        *[{"name": n, "type": "integer", "description": "", "is_count": True} for n in ("female", "male", "total")],
    ]
    dataset = _dataset(partnership, text, schema, slug="evictions-wide")
    rows = _csv(client, reverse("dataset_download_csv", args=[dataset.slug]))
    assert [(r["female"], r["male"], r["total"]) for r in rows] == [("[c]", "[c]", "9"), ("20", "30", "50")]
