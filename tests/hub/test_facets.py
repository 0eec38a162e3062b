"""One faceted list (hub.facets): every declared list's counts, chips and bad input, on the demo content."""

from django.http import QueryDict

import pytest

from calls.filters import CALLS
from hub.facets import Q_MAX_LENGTH, FacetedList
from profiles.selectors import RESEARCHERS
from projects.selectors.case_studies import CASE_STUDIES
from projects.selectors.datasets import DATASETS
from projects.selectors.indicators import INDICATORS
from projects.selectors.partnerships import PARTNERSHIPS
from projects.selectors.results import RESULTS
from projects.selectors.uptake import UPTAKE

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-content-facets")]

# Every declared list and its public page.
PAGES: list[tuple[FacetedList, str]] = [
    (CALLS, "/calls/"),
    (PARTNERSHIPS, "/partnerships/"),
    (RESULTS, "/results/"),
    (DATASETS, "/data/datasets/"),
    (INDICATORS, "/data/indicators/"),
    (UPTAKE, "/results/uptake/"),
    (CASE_STUDIES, "/case-studies/"),
    (RESEARCHERS, "/researchers/"),
]
LISTS = [spec for spec, _url in PAGES]
HOSTILE = ["x" * 5000, "1' OR '1'='1'; DROP TABLE projects_result; --", "no-such-slug", "\u202egnp.exe", "-1", "1e999"]
BAD_PAGES = ["abc", "-1", "0", "999999", "1.5", "9" * 40]


@pytest.fixture
def demo(demo_content, db):
    """The demo, seeded once for this module (``demo_content``)."""


def _filters_with_an_active_facet(spec: FacetedList) -> dict:
    """The first option of the first facet that has one: counts must then leave that facet's own filter out."""
    for facet in spec.listing({}).facets:
        if facet.options:
            return {facet.name: facet.options[0].value}
    return {}


def _mismatches(spec: FacetedList, params: dict) -> list[str]:
    wrong = []
    for facet in spec.listing(params).facets:
        for option in facet.options:
            shown = spec.bind({**params, facet.name: option.value}).qs.count()
            if shown != option.count:
                wrong.append(f"{spec.key} {params} {facet.name}={option.value}: says {option.count}, shows {shown}")
    return wrong


def test_every_facet_option_counts_the_rows_choosing_it_would_show(demo):
    wrong = []
    for spec in LISTS:
        active = _filters_with_an_active_facet(spec)
        assert active, f"the demo gives {spec.key} no facet options to check"
        wrong += _mismatches(spec, {}) + _mismatches(spec, active)
    assert wrong == []


def test_each_chip_removes_exactly_its_filter_and_the_page(demo):
    for spec in LISTS:
        params = {}
        for facet in spec.listing({}).facets:
            if facet.options:
                params[facet.name] = facet.options[0].value
        if "q" in spec.filterset.base_filters:
            params["q"] = "a"
        params["page"] = "2"
        query = QueryDict(mutable=True)
        query.update(params)
        chips = spec.listing(query).chips
        assert {chip.name for chip in chips} == {name for name in params if name in spec.chips}, spec.key
        for chip in chips:
            left = QueryDict(chip.remove).dict()
            assert left == {k: v for k, v in params.items() if k not in (chip.name, "page")}, (spec.key, chip.name)


def test_hostile_values_and_pages_never_give_a_server_error(client, demo):
    client.raise_request_exception = False
    failed = []
    for spec, url in PAGES:
        asked = [{name: value for name in spec.filterset.base_filters} for value in HOSTILE]
        asked += [{"page": page} for page in BAD_PAGES]
        for params in asked:
            status = client.get(url, params).status_code
            if status != 200:
                failed.append((url, {k: v[:20] for k, v in params.items()}, status))
    assert failed == []


def test_an_over_long_search_is_cut_to_the_limit_without_an_error(client, demo):
    cut = RESULTS.bind({"q": "a" * Q_MAX_LENGTH + "b" * 50})
    assert cut.errors == {}
    sql = str(cut.qs.query)
    assert "a" * Q_MAX_LENGTH in sql and "a" * Q_MAX_LENGTH + "b" not in sql
    html = client.get("/results/", {"q": "y" * 1000}).content.decode()
    assert f'maxlength="{Q_MAX_LENGTH}"' in html
    assert "Search: " + "y" * Q_MAX_LENGTH + " " in html  # the chip shows what was searched for
