"""A NUL character in a parameter is never a 500 (PostgreSQL refuses NUL in text): a JSON 400 from the API,
the page without that filter elsewhere."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, params",
    [
        ("/api/v1/datasets/", {"group": "(7x\x000<O"}),
        ("/api/v1/calls/", {"theme": ["housing", "a\x00b"]}),
        ("/api/v1/researchers/", {"q\x00": "x"}),
    ],
)
def test_nul_in_an_api_parameter_is_a_json_400_with_a_message(client, url, params):
    response = client.get(url, params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "NUL character" in response.json()["detail"]


@pytest.mark.parametrize(
    "url, params",
    [
        ("/search/", {"q": "housing\x00"}),
        ("/calls/", {"theme": "\x00"}),
        ("/results/", {"theme": "a\x00"}),
        ("/data/datasets/", {"group": "\x00"}),
    ],
)
def test_nul_in_a_page_filter_shows_the_page(client, url, params):
    assert client.get(url, params).status_code == 200


def test_ordinary_api_parameters_pass(client):
    assert client.get("/api/v1/datasets/", {"group": "children"}).status_code == 200
