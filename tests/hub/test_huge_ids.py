"""An id beyond 64 bits in a URL is a 404 like any other missing object, never a 500."""

import pytest

HUGE = "9" * 25


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/researchers/{HUGE}/",
        f"/proposals/{HUGE}/",
        f"/calls/{HUGE}/researchers/",
        f"/api/v1/calls/{HUGE}",
        f"/api/v1/cities/{HUGE}",
        f"/api/v1/methods/{HUGE}",
        f"/api/v1/results/{HUGE}",
        f"/api/v1/datasets/{HUGE}",
    ],
)
def test_huge_id_is_not_found(client, researcher, url):
    client.force_login(researcher)
    response = client.get(url)
    assert response.status_code == 404
