"""WCAG 2.2 AA on the main public pages: axe-core (the npm package) finds no serious or critical violation."""

import json
import os
from pathlib import Path

import pytest

from profiles.models import CityPage
from projects.factories import PartnershipFactory, add_member

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE}: run `make install` (needs npm)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture
def public_content(make_city, open_call, researcher):
    """A city with an open call, a public researcher and a partnership: every main page has something to show."""
    organisation, official = make_city("Graz")
    partnership = PartnershipFactory(title="Housing rights monitor", slug="housing-rights-monitor", city=organisation)
    add_member(partnership, researcher)
    return {
        "city": CityPage.objects.get(organisation=organisation).url,
        "call": open_call.url,
        "researcher": f"/researchers/{researcher.researcher_profile.pk}/",
        "partnership": partnership.get_absolute_url(),
    }


def serious_violations(page, axe_source: str) -> list[dict]:
    # Not an inline <script>: the site's Content-Security-Policy refuses those. Evaluated as the devtools would.
    page.evaluate(f"() => {{ {axe_source}\n }}")
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


PUBLIC_PATHS = [
    "/",
    "/calls/",
    "/cities/",
    "/researchers/",
    "/organisations/",
    "/partnerships/",
    "/vocabularies/",
    "/accounts/login/",
    "/accounts/signup/",
    "{city}",
    "{call}",
    "{researcher}",
    "{partnership}",
]


def test_main_public_pages_have_no_serious_accessibility_violations(page, axe_source, public_content):
    failures = {}
    for template in PUBLIC_PATHS:
        path = template.format(**public_content)
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        violations = serious_violations(page, axe_source)
        if violations:
            failures[path] = violations
    assert not failures, json.dumps(failures, indent=2)
