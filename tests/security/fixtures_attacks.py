"""Shared pieces of the attack tests: a form scraper, hostile strings, and the objects each attack needs."""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.factories import ProposalFactory, submit_for_tests
from calls.services import proposals as proposal_services
from calls.services.reviews import review_assign, review_declare
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage
from projects.models import Dataset
from projects.services import datasets as dataset_services
from projects.services import results as result_services
from projects.services import uptake as uptake_services
from tests.dates import city_today
from tests.projects.conftest import official, outsider, partnership  # noqa: F401  (fixtures, injected by name)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
HOSTILE = f"Hostile {SCRIPT} and {IMG} end"


class _FormParser(HTMLParser):
    """Collects every <form> of a page: its action and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._select_multiple = False
        self._select_first = None
        self._select_chosen = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower()}
            self._form["fields"] = []
            self._form["files"] = []
            self._form["names"] = set()
            self._form["formactions"] = []
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag in ("button", "input") and (attrs.get("type") or "submit") == "submit" and attrs.get("formaction"):
            self._form["formactions"].append(attrs["formaction"])  # a button that posts the form elsewhere
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            self._form["names"].add(name)
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._form["names"].add(name)
            self._select, self._select_multiple = name, "multiple" in attrs
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._form["fields"].append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._form["names"].add(name)
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def scrape_form(html: str, action: str | None = None, fields=()) -> dict:
    """The first POST form whose action ends with ``action`` (if given) and that has all ``fields``.

    Returned as {"data": {...}, "names": set of field names, "action": its action}.
    """
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] != "post":
            continue
        targets = [form["action"], *form["formactions"]]
        target = form["action"] if action is None else next((t for t in targets if t.endswith(action)), None)
        if target is None:
            continue
        if not set(fields) <= (form["names"] | set(form["files"])):
            continue
        data: dict = {}
        for name, value in form["fields"]:
            if name in data:
                data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            else:
                data[name] = value
        return {"data": data, "names": form["names"] | set(form["files"]), "action": target}
    raise AssertionError(f"no POST form with action {action!r} and fields {sorted(fields)} on the page")


def form_data(client, url: str, action: str | None = None, **overrides) -> dict:
    """What a browser would post from ``url``'s form, with ``overrides`` typed in."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form = scrape_form(response.content.decode(), action, overrides)
    data = {**form["data"], **overrides}
    data.pop("csrfmiddlewaretoken", None)
    return data


def media_files() -> list[Path]:
    """Every file stored under the public and private media roots."""
    files = []
    for root in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        path = Path(root)
        if path.exists():
            files.extend(p for p in path.rglob("*") if p.is_file())
    return sorted(files)


def csv_upload(content: bytes, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def pdf_upload(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


SIMPLE_CSV = b"district,households,evictions\nInnere Stadt,1200,14\nLend,2300,31\n"


@pytest.fixture
def call_page(city):
    return CityPage.objects.get(organisation=city[0])


@pytest.fixture
def draft_proposal(open_call, researcher):
    """A draft proposal of ``researcher`` to Graz's open call."""
    return proposal_services.proposal_start(call=open_call, by=researcher, title="Older tenants")


@pytest.fixture
def review(open_call, city):
    """An assignment of a reviewer who declared no conflict, on a submitted proposal; returns (assignment, reviewer)."""
    lead = ResearcherProfileFactory(user__email="lead@example.org").user
    proposal = ProposalFactory(call=open_call, lead=lead, title="Housing of older tenants")
    submit_for_tests(proposal)
    reviewer = ResearcherProfileFactory(user__email="reviewer@example.org").user
    assignment = review_assign(proposal=proposal, reviewer_email=reviewer.email, by=city[1])
    assignment = review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    return assignment, reviewer


@pytest.fixture
def draft_result(partnership, researcher):
    return result_services.result_create(
        partnership=partnership,
        by=researcher,
        data={
            "kind": "report",
            "title": "Housing conditions of older tenants in Graz",
            "abstract": "We surveyed 400 tenants aged over 65.",
            "licence": "CC-BY-4.0",
            "doi": "",
            "url": "",
            "publication_date": dt.date(2026, 3, 1),
            "language": None,
        },
        authors=[{"profile": None, "name": "Anna Berger", "affiliation": "University of Graz"}],
    )


@pytest.fixture
def published_result(draft_result, researcher):
    result_services.result_file_add(result=draft_result, by=researcher, upload=pdf_upload())
    return result_services.result_publish(result=draft_result, by=researcher)


@pytest.fixture
def dataset(partnership, researcher):
    dataset = dataset_services.dataset_upload(
        partnership=partnership,
        by=researcher,
        upload=csv_upload(SIMPLE_CSV),
        data={
            "title": "Evictions by district",
            "description": "Evictions per district (demo).",
            "licence": "CC0-1.0",
            "access_level": Dataset.AccessLevel.OPEN,
            "personal_data": Dataset.PersonalData.AGGREGATED,
            "disaggregations": ["area"],
        },
    )
    return dataset


@pytest.fixture
def uptake(published_result, official):
    return uptake_services.uptake_create(
        result=published_result, by=official, kind="plan", title="Housing Plan", date=city_today()
    )
