"""A NUL character in a URL or a parameter is a 400 with a message, never a 500 (PostgreSQL refuses NUL in text)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, params",
    [
        ("/api/v1/datasets/", {"group": "(7x\x000<O"}),
        ("/api/v1/calls/", {"theme": ["housing", "a\x00b"]}),
        ("/search/", {"q": "housing\x00"}),
        ("/calls/", {"theme": "\x00"}),
        ("/researchers/", {"q\x00": "x"}),
    ],
)
def test_nul_in_a_parameter_is_refused_with_a_message(client, url, params):
    response = client.get(url, params)

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")
        assert "NUL character" in response.json()["detail"]


def test_ordinary_parameters_pass(client):
    assert client.get("/api/v1/datasets/", {"group": "children"}).status_code == 200
