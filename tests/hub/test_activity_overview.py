"""The home page's overview of where the hub is active: countries, cities and counts, drawn as SVG."""

import re

import pytest

from calls.factories import make_call
from profiles.models import CityPage

pytestmark = pytest.mark.django_db


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_cities_and_countries_are_listed_with_their_public_calls(client, make_city):
    graz, _ = make_city("Graz")
    barcelona, _ = make_city("Barcelona")
    graz_page = CityPage.objects.get(organisation=graz)
    make_call(city_page=graz_page, title="Housing for older tenants")
    make_call(city_page=graz_page, title="Heat and health")

    html = _home(client)

    assert "Where Bridges is active" in html
    section = html[html.index('id="activity-title"') :]
    assert graz_page.url in section
    assert "Barcelona" in section
    # Graz has 2 calls, Barcelona none: the most active city comes first and says so.
    graz_line = re.search(r"Graz</a> <span class=\"activity__counts\">(.*?)</span></li>", section)
    assert graz_line and "2 calls" in graz_line.group(1)
    assert "no public activity yet" in section[section.index("Barcelona") :]
    # The chart is an SVG image with a text alternative that carries the numbers.
    svg = section[section.index("<svg") : section.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "2 calls" in desc


def test_draft_calls_are_not_counted(client, city):
    organisation, _ = city
    page = CityPage.objects.get(organisation=organisation)
    call = make_call(city_page=page, title="Draft call")
    call.unpublish()

    section = _home(client).split('id="activity-title"', 1)[1]

    assert "calls</span>" not in section.split("</ul>")[0] or "1 calls" not in section
    assert "no public activity yet" in section


def test_no_cities_means_no_overview(client, db):
    assert "Where Bridges is active" not in _home(client)


# Constant queries as cities grow: tests/hub/test_query_budgets.py measures the home page with 2 and 12 cities.
