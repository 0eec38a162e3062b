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


NUMERIC_ATTRIBUTES = re.compile(r'\s(x|y|width|height|viewBox|points|cx|cy|r|x1|x2|y1|y2)="([^"]*)"')


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_chart_coordinates_are_never_localised(client, make_city, language):
    """Decimal commas in SVG attributes ("154,3") draw no bars: every coordinate parses as a number."""
    graz, _ = make_city("Graz")
    graz_page = CityPage.objects.get(organisation=graz)
    for number in range(3):  # bar widths with fractions
        make_call(city_page=graz_page, title=f"Call {number}")
    make_city("Barcelona")

    response = client.get("/" if language == "en" else f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert any("activity__chart" in svg for svg in svgs)
    attributes = [pair for svg in svgs for pair in NUMERIC_ATTRIBUTES.findall(svg)]
    assert any(name == "width" for name, _value in attributes)
    for name, value in attributes:
        if name == "width" and value.endswith("%"):
            continue
        for number in value.split():
            float(number)  # raises on "154,3"


def test_one_call_reads_in_the_singular(client, make_city):
    graz, _ = make_city("Graz")
    make_call(city_page=CityPage.objects.get(organisation=graz), title="Heat and health")

    section = _home(client).split('id="activity-title"', 1)[1]

    assert "1 call<" in section and "1 calls" not in section
    spanish = client.get("/es/").content.decode().split('id="activity-title"', 1)[1]
    assert "1 calls" not in spanish and "1 convocatorias" not in spanish
