"""Listing and detail pages run a fixed number of queries, however much data there is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from profiles.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL with a warm cache, plus one query of headroom. Wagtail's pages have one more
# since content translation (issue 16 §7): Wagtail looks up the reader's locale to route from the site root.
BUDGETS = {
    "/": 30,  # 6 of them: the activity overview (places, calls, partnerships, results)
    "/cities/": 11,
    "/cities/city-of-town01/": 35,  # issue 19: the city's research needs and its decisions summed by status
    "/organisations/": 6,
    "/researchers/": 9,
}


class Queries(list):
    """The SQL of one request; compared by number, shown in full when two differ (a failure names the new ones)."""

    def __eq__(self, other):
        return len(self) == len(other)

    __hash__ = None

    def __repr__(self):
        return f"{len(self)} queries"


def queries_for(client, url: str) -> Queries:
    client.get(url)  # warm the site and settings caches, as in production
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return Queries(query["sql"] for query in captured.captured_queries)


def new_queries(few: Queries, many: Queries) -> list[str]:
    return [sql for sql in many if sql not in few]


def test_page_queries_do_not_grow_with_cities_and_researchers(client, add_cities, add_researchers):
    # One data set for every page keeps this fast: building 12 cities is the slow part.
    add_cities(2)
    add_researchers(3)
    few = {url: queries_for(client, url) for url in BUDGETS}

    add_cities(10)
    add_researchers(27)
    many = {url: queries_for(client, url) for url in BUDGETS}

    assert many == few, {url: new_queries(few[url], many[url]) for url in BUDGETS}
    over_budget = {url: len(queries) for url, queries in many.items() if len(queries) > BUDGETS[url]}
    assert not over_budget, f"over budget {BUDGETS}"


@pytest.mark.parametrize("url", list(BUDGETS))
def test_page_stays_within_its_query_budget(client, add_cities, add_researchers, url, django_assert_max_num_queries):
    add_cities(2)
    add_researchers(3)
    client.get(url)

    with django_assert_max_num_queries(BUDGETS[url]):
        assert client.get(url).status_code == 200


def test_city_page_queries_do_not_grow_with_its_members(client, add_cities, django_assert_max_num_queries):
    [town] = add_cities(1)
    few = queries_for(client, "/cities/city-of-town01/")

    for n in range(20):
        MembershipFactory(organisation=town, user__email=f"extra{n}@town.example.org")
    many = queries_for(client, "/cities/city-of-town01/")

    assert many == few, new_queries(few, many)
    with django_assert_max_num_queries(BUDGETS["/cities/city-of-town01/"]):
        client.get("/cities/city-of-town01/")


def test_listings_show_everything_that_was_added(client, add_cities, add_researchers):
    add_cities(12)
    add_researchers(30)

    cities = client.get("/cities/")
    assert cities.content.count(b"/cities/city-of-town") >= 12
    organisations = client.get("/organisations/")
    assert b"City of Town12" in organisations.content
    listing = client.get("/researchers/")
    page = listing.context["page"]
    assert page.paginator.count == 30
    assert len(page.object_list) == 24 and page.has_next()
    for profile in page.object_list:
        assert profile.get_absolute_url().encode() in listing.content
