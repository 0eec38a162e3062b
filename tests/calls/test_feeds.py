"""The Atom feed and the iCalendar file: live calls only, the same filters as /calls/, valid output."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from calls.factories import make_call
from calls.feeds import calls_calendar, ics_escape, ics_fold
from profiles.models import CityPage

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DAY = dt.timedelta(days=1)


@pytest.fixture
def graz_page(city):
    return CityPage.objects.get(organisation=city[0])


def atom_titles(response) -> list[str]:
    root = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_atom_feed_lists_live_calls_only(client, graz_page):
    make_call(city_page=graz_page, title="Live call")
    make_call(city_page=graz_page, title="Draft call", publish=False)

    response = client.get("/feeds/calls.atom")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert atom_titles(response) == ["Live call (City of Graz)"]
    assert b"Draft call" not in response.content


def test_feeds_apply_the_listing_filters(client, graz_page):
    make_call(city_page=graz_page, title="Open call")
    make_call(city_page=graz_page, title="Closed call", opens_in=-40 * DAY, closes_in=-DAY)

    assert atom_titles(client.get("/feeds/calls.atom", {"status": "closed"})) == ["Closed call (City of Graz)"]
    ics = client.get("/calls.ics", {"status": "open"}).content.decode()
    assert "Open call" in ics and "Closed call" not in ics


def test_ics_is_valid_icalendar(client, graz_page):
    call = make_call(city_page=graz_page, title="Deadline call")

    response = client.get("/calls.ics")
    body = response.content.decode()

    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert "PRODID:-//Bridges//" in body
    assert f"UID:call-{call.pk}-deadline@" in body
    assert f"DTEND:{call.closes_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}\r\n" in body
    assert "DTSTAMP:" in body and "SUMMARY:Deadline: Deadline call (City of Graz)" in body
    for line in body.split("\r\n"):
        assert len(line.encode()) <= 75


def test_ics_escapes_commas_semicolons_and_newlines(graz_page):
    call = make_call(city_page=graz_page, title="Housing, health; and\nwater")

    body = calls_calendar([call], base_url="https://bridges.example")
    unfolded = body.replace("\r\n ", "")

    assert "SUMMARY:Deadline: Housing\\, health\\; and\\nwater (City of Graz)\r\n" in unfolded


def test_ics_escape_and_fold_rules():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "DESCRIPTION:" + "é" * 80
    folded = ics_fold(long)
    parts = folded.split("\r\n ")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(parts) == long


def test_feeds_are_capped(client, graz_page, monkeypatch):
    import calls.feeds

    monkeypatch.setattr(calls.feeds, "FEED_LIMIT", 2)
    for n in range(3):
        make_call(city_page=graz_page, title=f"Call {n}")

    assert len(atom_titles(client.get("/feeds/calls.atom"))) == 2
    assert client.get("/calls.ics").content.decode().count("BEGIN:VEVENT") == 2
