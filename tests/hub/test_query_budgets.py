"""Listing and detail pages run a fixed number of queries, however much data there is."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from profiles.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL with a warm cache, plus one query of headroom.
BUDGETS = {
    "/": 29,  # 6 of them: the activity overview (places, calls, partnerships, results)
    "/cities/": 10,
    "/cities/city-of-town01/": 31,
    "/organisations/": 6,
    "/researchers/": 9,
}


def queries_for(client, url: str) -> int:
    client.get(url)  # warm the site and settings caches, as in production
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_page_queries_do_not_grow_with_cities_and_researchers(client, add_cities, add_researchers):
    # One data set for every page keeps this fast: building 12 cities is the slow part.
    add_cities(2)
    add_researchers(3)
    few = {url: queries_for(client, url) for url in BUDGETS}

    add_cities(10)
    add_researchers(27)
    many = {url: queries_for(client, url) for url in BUDGETS}

    assert many == few, "with 2 cities and 3 researchers (left) vs 12 and 30 (right)"
    over_budget = {url: count for url, count in many.items() if count > BUDGETS[url]}
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

    assert many == few
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
