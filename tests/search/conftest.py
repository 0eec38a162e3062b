"""Fixtures of search: a public partnership, a published call, and a helper that searches."""

import pytest

from hub.search.interface import Query, search
from projects.factories import PartnershipFactory


@pytest.fixture(autouse=True)
def _database_search(settings):
    """Tests use the database backend unless one asks for Elasticsearch explicitly."""
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def find():
    """``find("words", type=["call"])`` → the titles found (first page)."""

    def run(text: str = "", **filters) -> list[str]:
        results = search(Query(text=text, filters={k: list(v) for k, v in filters.items()}))
        return [str(hit.title).replace("<mark>", "").replace("</mark>", "") for hit in results.hits]

    return run


@pytest.fixture
def public_partnership(city):
    organisation, _official = city
    return PartnershipFactory(
        title="Zanzibarian tenants partnership",
        slug="zanzibarian-tenants",
        summary="Mapping evictions with quokkaphile tenants' unions.",
        city=organisation,
    )
