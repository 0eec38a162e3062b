"""Demo datasets: created through the services, realistic, marked as demo, idempotent."""

import io
import random

import pytest

from projects import datasets_io
from projects.demo import datasets as demo
from projects.models import Dataset

pytestmark = pytest.mark.django_db


def test_demo_datasets_are_seeded_once_through_the_services(partnership):
    demo.seed(rng=random.Random(7), stdout=io.StringIO())
    demo.seed(rng=random.Random(8), stdout=io.StringIO())
    datasets = {d.slug: d for d in Dataset.objects.all()}
    assert len(datasets) == len(demo.SPECS) == 4
    assert all(d.status == Dataset.Status.PUBLISHED and demo.DEMO in d.description for d in datasets.values())

    evictions = datasets["evictions-by-district-and-household-type-barcelona-2019-2024"]
    assert (evictions.delimiter, evictions.source_encoding, evictions.row_count) == (";", "cp1252", 300)
    assert any(row["evictions"] is None for row in datasets_io.public_rows(evictions))  # some cells are < 5
    assert {c["name"] for c in evictions.schema if c["is_count"]} == {"evictions"}

    audit = datasets["accessibility-audit-of-public-buildings-vienna"]
    assert audit.access_level == "open" and not any(c["is_count"] for c in audit.schema)

    survey = datasets["survey-of-migrants-access-to-health-services-graz"]
    assert (survey.access_level, survey.personal_data) == ("on_request", "pseudonymised")

    cases = datasets["housing-rights-advice-cases-graz-2023"]
    assert cases.access_level == "closed"
    assert [f["column"] for f in cases.identifier_columns] == ["contact_phone"]
