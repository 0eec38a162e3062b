"""The calls' Atom feed is what RFC 4287 (and the W3C feed validator) asks for: authors, ids, updated, self link,
every address absolute on SITE_BASE_URL, and summaries as plain text."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from calls.factories import make_call
from profiles.models import CityPage

pytestmark = pytest.mark.django_db

A = "{http://www.w3.org/2005/Atom}"
PUBLIC = "https://bridges.example:8443"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_BASE_URL = PUBLIC


@pytest.fixture
def feed(client, city):
    page = CityPage.objects.get(organisation=city[0])
    make_call(city_page=page, title="Ageing in place", summary="Older tenants' rights <and> evictions & arrears.")
    make_call(city_page=page, title="Water for all")
    response = client.get("/feeds/calls.atom?status=open", HTTP_HOST="node-7.internal:9999")
    assert response.status_code == 200
    return ET.fromstring(response.content)


def _rfc3339(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, text
    return moment


def test_the_feed_has_an_author_an_id_updated_and_an_absolute_self_link(feed):
    assert feed.find(f"{A}title").text
    author = feed.find(f"{A}author")
    assert author is not None and author.find(f"{A}name").text == "Bridges"
    assert author.find(f"{A}uri").text == f"{PUBLIC}/"
    assert feed.find(f"{A}id").text == f"{PUBLIC}/feeds/calls.atom?status=open"
    _rfc3339(feed.find(f"{A}updated").text)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {"self": f"{PUBLIC}/feeds/calls.atom?status=open", "alternate": f"{PUBLIC}/calls/"}


def test_every_entry_names_its_city_as_author_with_ids_and_dates(feed):
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 2
    ids = [entry.find(f"{A}id").text for entry in entries]
    assert len(set(ids)) == 2 and all(i.startswith(f"{PUBLIC}/calls/") for i in ids)
    for entry in entries:
        author = entry.find(f"{A}author")
        assert author.find(f"{A}name").text == "City of Graz"
        assert author.find(f"{A}uri").text.startswith(f"{PUBLIC}/organisations/")
        assert _rfc3339(entry.find(f"{A}updated").text) >= _rfc3339(entry.find(f"{A}published").text)
        link = entry.find(f"{A}link")
        assert link.get("rel") == "alternate" and link.get("href").startswith(PUBLIC)
    assert _rfc3339(feed.find(f"{A}updated").text) == max(_rfc3339(e.find(f"{A}updated").text) for e in entries)


def test_summaries_are_plain_text_and_read_as_typed(feed):
    summaries = {e.find(f"{A}title").text: e.find(f"{A}summary") for e in feed.findall(f"{A}entry")}
    summary = summaries["Ageing in place (City of Graz)"]
    assert summary.get("type") == "text"
    assert summary.text.startswith("Older tenants' rights <and> evictions & arrears.\n\nDeadline: ")
