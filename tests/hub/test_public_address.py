"""One public address: every absolute URL a channel gives out is on SITE_BASE_URL, whatever the Host.

The site is reached here as ``http://node-7.internal:9999`` (a node behind the proxy, say) while its
public address is ``https://bridges.example:8443``: no channel may name the node, localhost or port 8000.
"""

import re
from xml.etree import ElementTree

from django.core import mail

import pytest

PUBLIC = "https://bridges.example:8443"
NODE = {"HTTP_HOST": "node-7.internal:9999"}
# Namespaces, vocabularies and licences: not addresses of this site.
EXTERNAL = re.compile(
    r"^https?://(www\.)?(w3\.org|sitemaps\.org|schema\.org|purl\.org|creativecommons\.org|opendatacommons\.org|"
    r"orcid\.org|doi\.org|xmlns\.com|spdx\.org|publications\.europa\.eu|www\.iana\.org|iana\.org|"
    r"unstats\.un\.org|sdgs\.un\.org|data\.europa\.eu|github\.com|ohchr\.org|www\.ohchr\.org|"
    r"www\.opengis\.net|example\.org)"
)
ADDRESS = re.compile(r"""https?://[^\s"'<>)\\]+""")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_BASE_URL = PUBLIC


@pytest.fixture
def call(city):
    from calls.factories import make_call
    from profiles.models import CityPage

    return make_call(city_page=CityPage.objects.get(organisation=city[0]), title="Ageing in place")


def _foreign(text: str) -> list[str]:
    return sorted(
        {address for address in ADDRESS.findall(text) if not address.startswith(PUBLIC) and not EXTERNAL.match(address)}
    )


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap.xml",
        "/robots.txt",
        "/feeds/calls.atom",
        "/api/v1/",
        "/api/v1/calls/",
        "/api/v1/calls/?page_size=1",
        "/data/catalog.jsonld",
        "/calls/export.csv",
    ],
)
def test_machine_channels_name_only_the_public_address(client, call, path):
    response = client.get(path, **NODE)
    assert response.status_code == 200, path
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert PUBLIC in text, f"{path} gives no absolute address at all"
    assert _foreign(text) == [], path


def test_the_calendar_names_only_the_public_address(client, call):
    from django.urls import reverse

    response = client.get(reverse("calls_ics"), **NODE)
    text = response.content.decode().replace("\r\n ", "")
    assert "UID:call-" in text and "@bridges.example:8443" in text
    assert _foreign(text) == []


def test_pages_name_their_canonical_and_language_alternates(client, call):
    html = client.get(call.url, **NODE).content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}{call.url}">' in html
    for code, prefix in (("en", ""), ("es", "/es"), ("fr", "/fr"), ("x-default", "")):
        assert f'<link rel="alternate" hreflang="{code}" href="{PUBLIC}{prefix}{call.url}">' in html
    assert _foreign(html) == []
    path = call.url
    spanish = client.get(f"/es{path}", **NODE).content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}/es{path}">' in spanish


def test_the_sitemap_lists_list_pages_and_every_language(client, call):
    root = ElementTree.fromstring(client.get("/sitemap.xml", **NODE).content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    for path in (
        "/researchers/",
        "/results/",
        "/partnerships/",
        "/data/datasets/",
        "/data/indicators/",
        "/organisations/",
    ):
        assert (
            f"{PUBLIC}{path}" in locations and f"{PUBLIC}/es{path}" in locations and f"{PUBLIC}/fr{path}" in locations
        )
    assert f"{PUBLIC}{call.url}" in locations and f"{PUBLIC}/fr{call.url}" in locations
    alternates = root.findall("s:url/x:link", ns)
    assert {link.get("hreflang") for link in alternates} >= {"en", "es", "fr", "x-default"}


def test_wagtail_full_url_is_the_public_address(call):
    assert call.full_url == f"{PUBLIC}{call.url}"


def test_the_default_site_record_follows_site_base_url(settings):
    from wagtail.models import Site

    from hub.site_setup import ensure_site_structure

    ensure_site_structure()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("bridges.example", 8443)


def test_emails_link_to_the_public_address(client, call, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from calls.models import Proposal
    from calls.services.calls import call_cancel
    from profiles.factories import UserFactory
    from profiles.models import User

    official = User.objects.get(email="official.graz@example.org")

    researcher = UserFactory(email="ana@example.org", account_type=User.AccountType.RESEARCHER)
    Proposal.objects.create(call=call, lead=researcher, title="Draft")
    with django_capture_on_commit_callbacks(execute=True):
        call_cancel(call=call, reason="Budget moved", by=official)
    assert mail.outbox, "the team of the draft is told"
    for message in mail.outbox:
        assert _foreign(message.body) == []
        assert PUBLIC in message.body
