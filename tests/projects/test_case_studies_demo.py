"""Demo content of the methods library and case studies: published, marked as demo, idempotent."""

import io
import random

import pytest

from projects.demo import case_studies as case_studies_demo
from projects.demo import methods as methods_demo
from projects.factories import PartnershipFactory
from projects.models import CaseStudyPage, MethodPage

pytestmark = pytest.mark.django_db


def test_demo_methods_and_case_studies_are_published_and_idempotent(client, coordinator):
    for n in range(4):
        PartnershipFactory(title=f"Demo partnership {n}")
    for _run in range(2):
        out = io.StringIO()
        methods_demo.seed(rng=random.Random(1), stdout=out)
        case_studies_demo.seed(rng=random.Random(1), stdout=out)

    assert MethodPage.objects.live().count() == 8
    assert MethodPage.objects.filter(method__isnull=False).count() == 8
    par = MethodPage.objects.get(method__slug="participatory-action-research")
    assert len(par.steps) >= 4 and par.tools.count() == 1
    html = client.get(par.url).content.decode()
    assert "Form a research group" in html and "Demo content" in html

    studies = CaseStudyPage.objects.live()
    assert studies.count() == 3 and all(s.featured and s.summary.endswith("Demo content.") for s in studies)
    assert client.get("/case-studies/").status_code == 200
    assert client.get(studies.first().url).status_code == 200
