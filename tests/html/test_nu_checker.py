"""The main public pages, in English and Spanish, have no Nu HTML Checker errors.

The pages are rendered with the test client on demo-like data (a city, a call, a partnership with its results,
datasets, indicators, methods and a case study), saved to files, and checked by one run of the checker
(``vnu-jar`` from package.json, which needs Java): a single JVM start for every page.

Without Java or node_modules/vnu-jar the test skips with the reason, except in CI (``CI=true``), where a
missing checker is a failure: install it with ``make install`` (``npm ci``) and a Java runtime.
"""

import io
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

import pytest

from calls.models import ResearchCall
from profiles.models import ResearcherProfile
from projects.demo import case_studies as demo_case_studies
from projects.demo import datasets as demo_datasets
from projects.demo import indicators as demo_indicators
from projects.demo import methods as demo_methods
from projects.demo import results as demo_results
from projects.factories import PartnershipFactory, add_member
from projects.models import CaseStudyPage, Dataset, Indicator, MethodPage, PartnershipMember, Result

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ("", "/es")  # English at the root, Spanish under /es/

pytestmark = pytest.mark.django_db


@pytest.fixture
def vnu_command() -> list[str]:
    """The command that runs the checker, or skip (fail in CI) saying what is missing, before any data is made."""
    java = shutil.which("java")
    reason = None
    if java is None:
        reason = "Java is not installed: the Nu HTML Checker (vnu-jar) needs a Java runtime (e.g. default-jre-headless)"
    elif not VNU_JAR.is_file():
        reason = f"{VNU_JAR.relative_to(settings.BASE_DIR)} is missing: run `make install` (npm ci installs vnu-jar)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The HTML check cannot run in CI: {reason}")
        pytest.skip(reason)
    return [java, "-Xss2m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout"]


@pytest.fixture
def demo(city, researcher, official_of_graz, open_call, coordinator):
    """Graz with an open call and a partnership, seeded with the demo's results, datasets, indicators,
    methods and case studies (the same code as ``seed_demo``)."""
    organisation, _official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(
        partnership, official_of_graz, side=PartnershipMember.Side.CITY, role="City official", organisation=organisation
    )
    rng, out = random.Random(1), io.StringIO()
    for module in (demo_methods, demo_results, demo_datasets, demo_indicators, demo_case_studies):
        module.seed(rng=rng, stdout=out)
    return partnership


@pytest.fixture
def official_of_graz(city):
    return city[1]


def public_paths(partnership) -> list[tuple[str, int]]:
    """(path, expected status) of each page to check, in English."""
    call = ResearchCall.objects.live().first()
    result = Result.objects.public().filter(partnership=partnership).order_by("pk").first()
    dataset = Dataset.objects.public().order_by("pk").first()
    indicator = Indicator.objects.order_by("pk").first()
    method = MethodPage.objects.live().order_by("pk").first()
    case_study = CaseStudyPage.objects.live().order_by("pk").first()
    researcher = ResearcherProfile.objects.order_by("pk").first()
    found = {
        "a call": call,
        "a result": result,
        "a dataset": dataset,
        "an indicator": indicator,
        "a method": method,
        "a case study": case_study,
        "a researcher": researcher,
    }
    missing = [name for name, obj in found.items() if obj is None]
    assert not missing, f"the demo data has no {', '.join(missing)}"
    return [
        ("/", 200),
        ("/calls/", 200),
        (call.url, 200),
        ("/cities/", 200),
        ("/organisations/", 200),
        ("/researchers/", 200),
        (researcher.get_absolute_url(), 200),
        ("/partnerships/", 200),
        (partnership.get_absolute_url(), 200),
        ("/results/", 200),
        (result.get_absolute_url(), 200),
        ("/data/", 200),
        ("/data/datasets/", 200),
        (dataset.get_absolute_url(), 200),
        ("/data/indicators/", 200),
        (indicator.get_absolute_url(), 200),
        ("/methods/", 200),
        (method.url, 200),
        ("/case-studies/", 200),
        (case_study.url, 200),
        ("/search/?q=housing", 200),
        ("/transparency/", 200),
        ("/accounts/login/", 200),
        ("/no-such-page/", 404),
    ]


def test_public_pages_have_no_nu_html_checker_errors(vnu_command, client, demo, tmp_path):
    saved: dict[str, str] = {}
    for prefix in LANGUAGES:
        for path, status in public_paths(demo):
            url = prefix + path
            response = client.get(url)
            assert response.status_code == status, url
            name = f"page-{len(saved):02d}.html"
            (tmp_path / name).write_bytes(response.content)
            saved[name] = url

    run = subprocess.run(
        [*vnu_command, *sorted(str(tmp_path / name) for name in saved)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stdout or run.stderr)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    lines = [
        f"{saved.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in errors
    ]
    assert not errors, f"{len(errors)} Nu HTML Checker errors:\n" + "\n".join(lines)
