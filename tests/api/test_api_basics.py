"""What every client of /api/v1/ relies on: JSON errors, refused unknown parameters, pagination, throttling, docs."""

from django.core.cache import cache

import pytest

pytestmark = pytest.mark.django_db


def test_root_lists_the_endpoints_and_links_schema_and_docs(get_json):
    status, body = get_json("/api/v1/")
    assert status == 200
    paths = {e["path"] for e in body["endpoints"]}
    for expected in ("/api/v1/calls/", "/api/v1/researchers/", "/api/v1/results/", "/api/v1/datasets/"):
        assert expected in paths
    assert body["openapi"].endswith("/api/v1/openapi.json")
    assert body["docs"].endswith("/api/v1/docs")


def test_openapi_schema_describes_every_list_endpoint(get_json):
    status, schema = get_json("/api/v1/openapi.json")
    assert status == 200
    assert schema["openapi"].startswith("3.")
    params = {p["name"] for p in schema["paths"]["/api/v1/calls/"]["get"]["parameters"]}
    assert {"page", "page_size", "updated_since", "theme", "sdg", "status"} <= params


def test_docs_page_loads_its_scripts_from_the_site_not_a_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content)


def test_docs_assets_are_a_fixed_list(get_json):
    status, body = get_json("/api/v1/docs/assets/..%2Fsettings.py")
    assert status == 404


def test_unknown_parameter_is_a_400_naming_it(get_json):
    status, body = get_json("/api/v1/calls/", foo="1")
    assert status == 400
    assert body["detail"] == "Unknown parameter: foo"
    assert "theme" in body["allowed"]


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "x"}, {"page_size": "101"}, {"updated_since": "yesterday"}, {"sdg": "18"}],
)
def test_invalid_parameters_are_a_400_with_a_clear_message(get_json, params):
    status, body = get_json("/api/v1/calls/", **params)
    assert status == 400
    name = next(iter(params))
    assert body["detail"].startswith(f"Invalid value for {name}")
    assert body["errors"][0]["parameter"] == name


def test_unknown_path_and_missing_object_are_json_404(get_json):
    assert get_json("/api/v1/nothing-here/")[0] == 404
    status, body = get_json("/api/v1/calls/999999")
    assert status == 404
    assert body["detail"] == "No published call with this id."


def test_writes_are_refused_with_json_405(client):
    response = client.post("/api/v1/calls/", {})
    assert response.status_code == 405
    assert response.json()["detail"] == "Method POST not allowed: the API is read-only."


def test_any_origin_may_read(client):
    response = client.get("/api/v1/calls/")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/calls/")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_anonymous_clients_are_throttled_with_a_json_429(client, settings):
    settings.API_ANON_RATE = "3/min"
    cache.clear()
    statuses = [client.get("/api/v1/calls/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/calls/")
    assert response.json()["detail"] == "Too many requests."
    assert int(response["Retry-After"]) > 0


def test_server_errors_are_json_without_a_traceback(client, monkeypatch):
    import calls.api

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(calls.api, "calls_for_api", broken)
    response = client.get("/api/v1/calls/")
    assert response.status_code == 500
    assert "secret" not in response.content.decode()
    assert response.json()["detail"].startswith("Server error")
