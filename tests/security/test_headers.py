"""Security headers: a Content-Security-Policy and a Permissions-Policy on every response, and public pages that
need no inline script (nor inline style or event handler) to work under that policy."""

import errno
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlparse

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import path

from wagtail.documents import get_document_model

import pytest

from calls.models import ResearchCall
from hub import bulk
from hub.urls import urlpatterns as site_urlpatterns
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.mfa import totp_activate
from profiles.models import User

pytestmark = pytest.mark.django_db

# Script types that hold data: browsers never execute them, so script-src does not apply (HTML's "prepare the
# script element" stops at an unknown type before any Content-Security-Policy check).
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
# Paths the crawl of the public site does not follow: the admin and the API have their own tests; files and
# feeds are not HTML; the other languages render the same templates.
NOT_CRAWLED = ("/admin/", "/api/", "/static/", "/media/", "/documents/", "/i18n/", "/accounts/logout/", "/es/", "/fr/")
NOT_HTML = (".csv", ".zip", ".ics", ".atom", ".xml", ".jsonld", ".json", ".txt", ".pdf")
PAGES_PER_SHAPE = 4  # four datasets, four researchers … are enough: every kind of page is reached


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive → sources."""
    assert "Content-Security-Policy" in response, f"no Content-Security-Policy on {response.status_code}"
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_public_headers(response) -> None:
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert not any(s.startswith(("'nonce-", "'unsafe-")) for d in directives.values() for s in d), directives
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "browsing-topics=()"):
        assert feature in permissions


class InlineCode(HTMLParser):
    """Everything in a page that a strict policy (no 'unsafe-inline') blocks."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and "nonce" not in attributes:
            if (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                self.problems.append(f"inline <script {attrs}>")
        if tag == "style" and "nonce" not in attributes:
            self.problems.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def _shape(path: str) -> str:
    """Pages of one kind share their parent path: /data/indicators/<slug>/ → /data/indicators/."""
    return path.rstrip("/").rsplit("/", 1)[0] + "/"


def crawl(client, start: str = "/", limit: int = 150) -> dict[str, list[str]]:
    """Follow the site's own links from ``start``: problems found per HTML page (every page checked for headers)."""
    found, queue, queued, shapes = {}, deque([start]), {start}, {}
    while queue and len(found) < limit:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        assert_public_headers(response)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = InlineCode()
        parser.feed(response.content.decode())
        found[url] = parser.problems
        for href in parser.links:
            link = urlparse(href)
            if link.netloc not in ("", "testserver") or not link.path.startswith("/") or link.query:
                continue
            if link.path in queued or link.path.startswith(NOT_CRAWLED) or link.path.endswith(NOT_HTML):
                continue
            shape = _shape(link.path)
            if shape != "/" and shapes.get(shape, 0) >= PAGES_PER_SHAPE:  # every top-level page is crawled
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queued.add(link.path)
            queue.append(link.path)
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


def test_public_pages_run_no_inline_script_style_or_handler(client, demo):
    pages = crawl(client)
    # The crawl reached the main lists and their detail pages (calls live under their city), charts and JSON-LD.
    lists_and_details = ("/cities/", "/researchers/", "/partnerships/", "/results/", "/data/datasets/", "/methods/")
    for prefix in (*lists_and_details, "/data/indicators/", "/case-studies/", "/organisations/"):
        assert sum(url.startswith(prefix) for url in pages) >= 2, (prefix, sorted(pages))
    assert "/calls/" in pages and {call.url for call in ResearchCall.objects.live()} & set(pages)
    problems = {url: found for url, found in pages.items() if found}
    assert not problems, problems


def test_signed_in_pages_run_no_inline_script(client, open_call):
    researcher = ResearcherProfileFactory(user__email="headers@example.org").user
    client.force_login(researcher)
    for url in ("/dashboard/", "/dashboard/alerts/", "/accounts/email/", "/calls/for-you/", "/researchers/partners/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_public_headers(response)
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert not parser.problems, (url, parser.problems)


@pytest.fixture
def site_admin(db):
    user = UserFactory(email="headers-admin@example.org", is_superuser=True, is_staff=True)
    totp_activate(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return User.objects.get(pk=user.pk)


def test_admin_pages_have_their_own_policy(client, site_admin, open_call):
    client.force_login(site_admin)
    for url in ("/admin/", "/admin/pages/", f"/admin/pages/{open_call.pk}/edit/", "/admin/images/", "/admin/users/"):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        # Wagtail's own templates still write inline scripts; a nonce would switch 'unsafe-inline' off.
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert not any(s.startswith("'nonce-") for s in directives["script-src"])
        assert directives["frame-ancestors"] == ["'self'"]  # the preview is framed by the editor
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]


def test_api_answers_and_its_documentation_have_the_headers(client, open_call):
    for url in ("/api/v1/", "/api/v1/calls/", f"/api/v1/calls/{open_call.pk}", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_public_headers(response)
    assert_public_headers(client.get("/api/v1/calls/999999"))  # an error answer too
    docs = client.get("/api/v1/docs")
    assert_public_headers(docs)
    parser = InlineCode()
    parser.feed(docs.content.decode())
    assert not parser.problems
    assert_public_headers(client.get("/api/v1/docs/assets/swagger-ui-bundle.js"))


def test_files_and_downloads_have_the_headers(client, settings, open_call):
    document = get_document_model().objects.create(title="Terms", file=ContentFile(b"%PDF-1.4\n", name="terms.pdf"))
    bulk.build_now()
    served = client.get(document.url)
    assert served.status_code == 200
    assert policy(served) == {"default-src": ["'none'"]}  # Wagtail's own, stricter policy for documents is kept
    assert "camera=()" in served["Permissions-Policy"]
    for url in ("/data/bulk.zip", "/calls/export.csv", "/robots.txt", "/sitemap.xml", "/calls.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_public_headers(response)
    # Static files, answered by WhiteNoise before any view.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    static = Client().get("/static/css/site.css")
    assert static.status_code == 200
    assert_public_headers(static)


def _boom(request):
    raise RuntimeError("a bug")


def _database_lost(request):
    raise OperationalError("server closed the connection unexpectedly")


def _disk_full(request):
    raise OSError(errno.ENOSPC, "No space left on device")


urlpatterns = [
    path("boom/", _boom),
    path("database-lost/", _database_lost),
    path("disk-full/", _disk_full),
    *site_urlpatterns,
]
handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "status"), [("/boom/", 500), ("/no-such-page/", 404), ("/database-lost/", 503), ("/disk-full/", 507)]
)
def test_error_pages_have_the_headers_and_no_inline_style(client, url, status):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status
    assert_public_headers(response)
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert not parser.problems
