"""Demo versions: a report with two published versions and a dataset with two files, citable; idempotent."""

import io
import random

from django.test import Client

import pytest

from projects.citations import datacite_problems
from projects.demo import citations as demo
from projects.demo import datasets as demo_datasets
from projects.demo import results as demo_results
from projects.models import Dataset, Result

pytestmark = pytest.mark.django_db


def test_demo_has_a_result_with_two_versions_and_a_citation(partnership, coordinator):
    demo_results.seed(rng=random.Random(1), stdout=io.StringIO())
    demo_datasets.seed(rng=random.Random(1), stdout=io.StringIO())
    for _ in range(2):
        demo.seed(rng=random.Random(1), stdout=io.StringIO())
    result = Result.objects.get(version_number=2)
    assert [v.number for v in result.versions.all()] == [2, 1]
    assert result.versions.get(number=2).note == demo.RESULT_NOTE
    assert "You are reading version 1" in Client().get(f"/results/{result.slug}/v/1/").content.decode()
    assert Client().get(f"/results/{result.slug}/cite.bib").content.decode().startswith("@techreport{")
    assert datacite_problems(Client().get(f"/results/{result.slug}/cite.datacite.xml").content) == []
    dataset = Dataset.objects.get(version_number=2)
    assert dataset.versions.get(number=2).schema_diff["added"] == ["source"]
    assert Dataset.objects.filter(version_number__gte=2).count() == 1
