"""Contract test: every GET operation of the OpenAPI schema, fuzzed with parameters generated from the schema
(hypothesis), never answers 5xx and always answers JSON."""

import string

from django.core.cache import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.api import api

pytestmark = pytest.mark.django_db

TEXT = st.text(alphabet=string.printable + "äöü€\u0000\u202e", max_size=40)
ANYTHING = st.one_of(TEXT, st.integers(min_value=-(10**20), max_value=10**20).map(str), st.just(""))


def _value(schema: dict) -> st.SearchStrategy[str]:
    """Valid-looking values from the parameter's schema, mixed with arbitrary strings."""
    options = schema.get("anyOf", [schema])
    valid = []
    for option in options:
        if "enum" in option:
            valid.append(st.sampled_from([str(v) for v in option["enum"]]))
        elif option.get("type") == "integer":
            valid.append(st.integers(min_value=-5, max_value=200).map(str))
        elif option.get("type") == "boolean":
            valid.append(st.sampled_from(["true", "false", "1", "0"]))
        elif option.get("format") == "date-time":
            valid.append(st.datetimes().map(lambda d: d.isoformat()))
        elif option.get("format") == "date":
            valid.append(st.dates().map(lambda d: d.isoformat()))
        elif option.get("type") in ("number", "string"):
            valid.append(TEXT)
    return st.one_of(*valid, ANYTHING) if valid else ANYTHING


def _operations() -> list[tuple[str, list[dict]]]:
    schema = api.get_openapi_schema(path_params={})
    return [(path, ops["get"].get("parameters", [])) for path, ops in schema["paths"].items() if "get" in ops]


def _request(path: str, parameters: list[dict]):
    path_params = [p for p in parameters if p["in"] == "path"]
    query_params = [p for p in parameters if p["in"] == "query"]
    path_values = st.fixed_dictionaries({p["name"]: st.one_of(st.just("1"), ANYTHING) for p in path_params})
    query_values = st.fixed_dictionaries(
        {}, optional={p["name"]: _value(p.get("schema", {})) for p in query_params} | {"bogus": TEXT}
    )
    return st.tuples(path_values, query_values)


@pytest.fixture
def operations():
    return _operations()


def test_schema_lists_every_public_type(operations):
    paths = {path for path, _params in operations}
    for name in (
        "calls",
        "cities",
        "organisations",
        "researchers",
        "partnerships",
        "results",
        "datasets",
        "indicators",
        "methods",
        "case-studies",
        "policy-uptake",
    ):
        assert f"/api/v1/{name}/" in paths


def _checker(client, path: str, parameters: list[dict], failures: list):
    from urllib.parse import quote

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(_request(path, parameters))
    def check(request):
        path_values, query = request
        url = path
        for name, value in path_values.items():
            url = url.replace("{" + name + "}", quote(value, safe="") or "x")
        cache.clear()
        response = client.get(url, query)
        if response.status_code >= 500 or not response["Content-Type"].startswith("application/json"):
            failures.append((url, query, response.status_code, response.content[:200]))

    return check


def test_no_operation_answers_5xx(client, operations, build, open_call):
    build.result()
    build.dataset()
    build.indicator()
    build.uptake()
    build.method()
    build.case_study()
    failures: list = []
    for path, parameters in operations:
        _checker(client, path, parameters, failures)()
    assert not failures
