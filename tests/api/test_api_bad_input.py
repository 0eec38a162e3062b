"""Bad input gets a documented 4xx with a JSON message, never a 500, and the schema says what is accepted."""

from urllib.parse import quote

from django.core.cache import cache

import pytest

from hub.api import api

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = quote("²")  # "²".isdigit() is True, int("²") raises


def _schema() -> dict:
    return api.get_openapi_schema(path_params={})


def _operations():
    for path, methods in _schema()["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations/{}",
        "/api/v1/partnerships/{}",
        "/api/v1/results/{}",
        "/api/v1/datasets/{}",
        "/api/v1/datasets/{}/rows",
        "/api/v1/indicators/{}",
        "/api/v1/indicators/{}/observations",
        "/api/v1/calls/{}",
        "/api/v1/cities/{}",
        "/api/v1/researchers/{}",
        "/api/v1/methods/{}",
        "/api/v1/case-studies/{}",
        "/api/v1/policy-uptake/{}",
    ],
)
@pytest.mark.parametrize("ref", [SUPERSCRIPT_TWO, quote("١٢"), "12" + SUPERSCRIPT_TWO, "9" * 25])
def test_a_unicode_or_huge_number_as_an_id_is_a_json_4xx(client, path, ref):
    response = client.get(path.format(ref))

    assert response.status_code in (400, 404), response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_an_id_and_a_slug_still_find_the_object(get_json, city):
    organisation = city[0]
    assert get_json(f"/api/v1/organisations/{organisation.pk}")[1]["slug"] == organisation.slug
    assert get_json(f"/api/v1/organisations/{organisation.slug}")[1]["id"] == organisation.pk


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "1e3", "yesterday", "31/01/2026"])
@pytest.mark.parametrize("path", ["/api/v1/calls/", "/api/v1/results/", "/api/v1/researchers/", "/api/v1/methods/"])
def test_updated_since_must_be_an_iso_8601_date_time(get_json, path, value):
    status, body = get_json(path, updated_since=value)

    assert status == 400
    assert body["errors"][0]["parameter"] == "updated_since"
    assert "ISO 8601" in body["detail"] or "datetime" in body["detail"]


@pytest.mark.parametrize("value", ["2026-01-31T00:00:00Z", "2026-01-31T00:00:00", "2026-01-31T10:00:00+02:00"])
def test_iso_8601_date_times_are_accepted(get_json, value):
    assert get_json("/api/v1/results/", updated_since=value)[0] == 200


def test_a_date_time_beyond_the_calendar_in_utc_is_still_a_moment(get_json, build):
    build.result()
    assert get_json("/api/v1/results/", updated_since="0001-01-01T00:00:00+05:00")[1]["count"] == 1
    assert get_json("/api/v1/results/", updated_since="9999-12-31T23:59:59-05:00")[1]["count"] == 0


@pytest.mark.parametrize("params", [{"deadline_after": "0"}, {"deadline_before": "1700000000"}])
def test_call_deadlines_must_be_iso_8601_dates(get_json, params):
    assert get_json("/api/v1/calls/", **params)[0] == 400


@pytest.mark.parametrize(
    "path", ["/api/v1/calls/", "/api/v1/cities/", "/api/v1/organisations/", "/api/v1/researchers/", "/api/v1/datasets/"]
)
def test_country_is_two_letters_and_an_unknown_one_matches_nothing(get_json, path):
    assert get_json(path, country="00")[0] == 400
    assert get_json(path, country=quote("²") + "x")[0] == 400
    status, body = get_json(path, country="ZZ")
    assert (status, body["count"]) == (200, 0)


@pytest.mark.parametrize("value", ["abc", "-5", "NaN", "Infinity", "1e11"])
def test_budgets_are_finite_numbers_in_range(get_json, value):
    status, body = get_json("/api/v1/calls/", budget_min=value)
    assert status == 400
    assert body["errors"][0]["parameter"] == "budget_min"


def test_budgets_accept_any_number_notation(get_json, open_call):
    assert get_json("/api/v1/calls/", budget_min="1e3")[1]["count"] == 1
    assert get_json("/api/v1/calls/", budget_max="0.5")[0] == 200


def test_a_url_longer_than_the_limit_is_a_json_414(client):
    response = client.get("/api/v1/calls/", {"q": "x" * 150, "theme": "y" * 4000})

    assert response.status_code == 414
    assert response.json()["detail"].startswith("The URL is longer than")


def test_rate_limited_answers_are_json_with_retry_after(client, settings):
    settings.API_ANON_RATE = "1/min"
    cache.clear()
    client.get("/api/v1/results/")
    response = client.get("/api/v1/results/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


# --- the schema says so ----------------------------------------------------------------------


def test_every_operation_documents_its_errors_with_the_error_schema():
    detail = {"$ref": "#/components/schemas/Detail"}
    for path, method, operation in _operations():
        responses = operation["responses"]
        for status in ("400", "404", "414", "429"):
            assert responses[status]["content"]["application/json"]["schema"] == detail, (method, path, status)
        assert "Retry-After" in responses["429"]["headers"]
        assert all(isinstance(status, str) for status in responses), (method, path)


def test_parameters_are_declared_as_they_are_validated():
    for path, method, operation in _operations():
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            where = (method, path, parameter["name"])
            assert "anyOf" not in schema and schema.get("type") != "null", where
            if schema["type"] == "string" and not {"enum", "format"} & schema.keys():
                assert "pattern" in schema, where


def test_the_schema_declares_exact_types():
    params = {
        p["name"]: p["schema"] for p in _schema()["paths"]["/api/v1/calls/"]["get"]["parameters"] if p["in"] == "query"
    }
    assert params["budget_min"]["type"] == "number"
    assert params["country"]["pattern"] == "^[A-Za-z]{2}$"
    assert params["updated_since"]["format"] == "date-time"
    assert params["deadline_after"]["format"] == "date"
    assert params["q"]["pattern"] == "^[^\\x00]*$"
    ref = _schema()["paths"]["/api/v1/organisations/{ref}"]["get"]["parameters"][0]["schema"]
    assert ref["pattern"] == "^[-A-Za-z0-9_]+$"
