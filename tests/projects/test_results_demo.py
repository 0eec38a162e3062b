"""Demo results: marked as demo, a valid PDF, an embargo, a takedown, and idempotent."""

import io
import random

from projects.demo import results as demo
from projects.models import Result, ResultFile, Takedown
from projects.selectors.results import results_visible_to


def test_demo_results_are_marked_idempotent_and_include_a_takedown(partnership, coordinator):
    for _ in range(2):
        demo.seed(rng=random.Random(1), stdout=io.StringIO())
    results = list(Result.objects.filter(partnership=partnership))
    assert len(results) == 3
    assert all(demo.DEMO in r.abstract for r in results)
    assert {r.kind for r in results} == {Result.Kind.REPORT, Result.Kind.POLICY_BRIEF, Result.Kind.ARTICLE}
    assert Result.objects.get(kind=Result.Kind.ARTICLE).doi.startswith("10.5555/bridges-demo.")
    pdf = ResultFile.objects.get()
    assert pdf.file.read().startswith(b"%PDF-1.4")
    assert Takedown.objects.count() == 1
    assert Result.objects.get(kind=Result.Kind.POLICY_BRIEF).status == Result.Status.TAKEN_DOWN
    assert results_visible_to(None).count() == 2


def test_tiny_pdf_passes_the_upload_check():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calls.validators import validate_pdf

    validate_pdf(SimpleUploadedFile("x.pdf", demo.tiny_pdf("Housing (demo)"), content_type="application/pdf"))
