"""The API's filters are the list pages' FilterSets: every facet of a page is a documented parameter of its list
endpoint, filters the same way, and bad values are a 400 with the parameter named."""

import datetime as dt

from django.test import RequestFactory

import pytest

from calls.filters import CallFilter
from hub.api import api
from profiles.filters import OrganisationFilter, ResearcherFilter
from projects.filters import PartnershipFilter
from projects.selectors.case_studies import CaseStudyFilter
from projects.selectors.datasets import DatasetFilter
from projects.selectors.indicators import IndicatorFilter
from projects.selectors.needs import NeedFilter
from projects.selectors.results import ResultFilter
from projects.selectors.uptake import UptakeFilter

pytestmark = pytest.mark.django_db

# list endpoint -> (the FilterSet of its page, its filters the API leaves out, API names that differ)
LISTS = {
    "/api/v1/calls/": (CallFilter, {"sort"}, {}),
    "/api/v1/partnerships/": (PartnershipFilter, set(), {}),
    "/api/v1/results/": (ResultFilter, {"sort"}, {}),
    "/api/v1/datasets/": (DatasetFilter, set(), {"access": "access_level"}),
    "/api/v1/indicators/": (IndicatorFilter, set(), {}),
    "/api/v1/case-studies/": (CaseStudyFilter, set(), {}),
    "/api/v1/policy-uptake/": (UptakeFilter, set(), {}),
    "/api/v1/organisations/": (OrganisationFilter, set(), {}),
    "/api/v1/researchers/": (ResearcherFilter, set(), {}),
    "/api/v1/needs/": (NeedFilter, {"sort"}, {}),
}


def _query_parameters(path: str) -> dict[str, dict]:
    operation = api.get_openapi_schema(path_params={})["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_every_facet_of_the_page_is_a_documented_parameter(path):
    filterset, left_out, renamed = LISTS[path]
    documented = _query_parameters(path)
    expected = {renamed.get(name, name) for name in filterset.base_filters} - left_out
    assert expected <= set(documented), expected - set(documented)
    assert {"page", "page_size"} <= set(documented)


def test_q_is_limited_as_on_the_pages(get_json, build):
    build.result(title="Housing " + "x" * 150)
    assert _query_parameters("/api/v1/results/")["q"]["schema"]["maxLength"] == 200
    assert get_json("/api/v1/results/", q="x" * 200)[0] == 200
    status, body = get_json("/api/v1/results/", q="x" * 201)
    assert status == 400
    assert body["errors"][0]["parameter"] == "q"


def test_results_filter_by_language_year_and_licence_as_the_results_page_does(get_json, build):
    from hub.models import Language

    english = Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]
    old = build.result(language=english, publication_date=dt.date(2021, 5, 1), licence="CC-BY-4.0")
    new = build.result(publication_date=dt.date(2024, 5, 1), licence="CC0-1.0")

    def ids(**params):
        status, body = get_json("/api/v1/results/", **params)
        assert status == 200, body
        return [r["id"] for r in body["results"]]

    assert ids(language="en") == [old.pk]
    assert ids(year="2024") == [new.pk]
    assert ids(licence="CC0-1.0") == [new.pk]
    assert ids(year="2024", licence="CC-BY-4.0") == []
    assert get_json("/api/v1/results/", licence="GPL")[0] == 400


def test_filters_kept_for_compatibility_still_filter(get_json, build):
    from projects.models import Dataset

    restricted = build.dataset(access_level=Dataset.AccessLevel.ON_REQUEST)
    build.dataset()
    body = get_json("/api/v1/datasets/", access_level=Dataset.AccessLevel.ON_REQUEST)[1]
    assert [d["id"] for d in body["results"]] == [restricted.pk]
    assert get_json("/api/v1/datasets/", partnership=build.partnership.slug)[1]["count"] == 2
    assert get_json("/api/v1/datasets/", partnership="no-such-partnership")[1]["count"] == 0


def test_the_csv_exports_read_the_api_schemas(get_json, build):
    from projects.api import serialize_result

    result = build.result()
    listed = get_json("/api/v1/results/")[1]["results"][0]
    exported = serialize_result(RequestFactory().get("/"), result)
    assert set(exported) == set(listed)
    assert (exported["id"], exported["title"], exported["city_response"]["stance"]) == (
        listed["id"],
        listed["title"],
        "pending",
    )
