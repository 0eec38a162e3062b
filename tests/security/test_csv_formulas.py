"""No formula reaches a spreadsheet: every CSV the site sends neutralises cells a spreadsheet would run, and uses
RFC 4180 line endings (CRLF) — dataset downloads (public and full), the indicator CSV, list exports, the bulk zip.

List exports are also covered by tests/exports/test_csv_exports.py; the proposals export by
tests/calls/test_export.py.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.core.files.base import ContentFile
from django.urls import reverse

import pytest

from hub import bulk
from hub.models import Theme
from projects.models import Dataset, Indicator, Observation
from tests.projects.conftest import partnership

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1)", "+1", "-1+2", "\tx", "\rx", "=1+1"]


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _assert_crlf(text: str) -> None:
    """Every record ends in CRLF; a bare LF or CR appears only inside a quoted cell."""
    assert text.endswith("\r\n")
    outside, quoted, previous = [], False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "\n":
            outside.append(previous)
        previous = char
    assert outside and all(p == "\r" for p in outside)


@pytest.fixture
def hostile_dataset(partnership):
    lines = ["district,note,evictions,change"]
    for n, text in enumerate(HOSTILE):
        quoted = '"' + text.replace('"', '""') + '"'
        lines.append(f"District {n},{quoted},{10 + n},-3.5")
    dataset = Dataset(
        partnership=partnership,
        title="Evictions with notes",
        slug="evictions-with-notes",
        description="x",
        status=Dataset.Status.PUBLISHED,
        access_level=Dataset.AccessLevel.OPEN,
        schema=[
            {"name": "district", "type": "string", "description": "", "is_count": False},
            {"name": "note", "type": "string", "description": "", "is_count": False},
            {"name": "evictions", "type": "integer", "description": "", "is_count": True},
            {"name": "change", "type": "number", "description": "", "is_count": False},
        ],
        row_count=len(HOSTILE),
        sha256="hostile",
    )
    dataset.file.save("data.csv", ContentFile(("\n".join(lines) + "\n").encode()), save=False)
    dataset.save()
    return dataset


@pytest.mark.parametrize("reader", ["public", "research team"])
def test_dataset_download_neutralises_formulas_with_crlf(client, hostile_dataset, researcher, reader):
    if reader == "research team":
        client.force_login(researcher)
    text = _body(client.get(reverse("dataset_download_csv", args=[hostile_dataset.slug])))
    _assert_crlf(text)
    rows = _rows(text)
    assert rows[0] == ["district", "note", "evictions", "change"]
    assert [r[1] for r in rows[1:]] == ["'" + h for h in HOSTILE]
    assert {r[3] for r in rows[1:]} == {"-3.5"}  # a plain negative number is a number, not a formula


def test_indicator_csv_neutralises_formulas_with_crlf(client, city):
    organisation, _official = city
    organisation.name = "+cmd|' /C calc'!A0"
    organisation.save()
    indicator = Indicator.objects.create(
        title='=HYPERLINK("http://evil.example","x")',
        slug="hostile-indicator",
        type=Indicator.Type.OUTCOME,
        obligation=Indicator.Obligation.FULFIL,
        theme=Theme.objects.get(slug="adequate-housing"),
        unit="@SUM(A1)",
        definition="x",
    )
    Observation.objects.create(
        indicator=indicator, city=organisation, period="2023", period_start=dt.date(2023, 1, 1), value=Decimal("-2")
    )
    text = _body(client.get(reverse("indicator_observations_csv", args=[indicator.slug])))
    _assert_crlf(text)
    header, row = _rows(text)
    values = dict(zip(header, row, strict=True))
    assert values["indicator_title"] == "'" + indicator.title
    assert values["unit"] == "'@SUM(A1)"
    assert values["city"] == "'+cmd|' /C calc'!A0"
    assert values["value"] == "-2"


def test_list_exports_and_the_bulk_zip_use_crlf(client, hostile_dataset):
    _assert_crlf(_body(client.get("/data/datasets/export.csv")))
    with zipfile.ZipFile(bulk.build_now()) as archive:
        text = archive.read("datasets.csv").decode("utf-8")
    _assert_crlf(text)
