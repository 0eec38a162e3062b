"""`|iso` writes what <time datetime> accepts: seconds precision, UTC, never localised."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from hub.templatetags.machine import iso


def test_datetimes_keep_their_offset_to_the_second():
    moment = dt.datetime(2026, 12, 6, 21, 15, 3, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert iso(moment) == "2026-12-06T21:15:03+01:00"


def test_dates_and_other_values():
    assert iso(dt.date(2026, 1, 2)) == "2026-01-02"
    assert iso(None) == "" and iso("") == ""


def test_never_localised():
    moment = dt.datetime(2026, 12, 6, 20, 15, 3, tzinfo=dt.UTC)
    for language in ("en", "es", "fr"):
        with translation.override(language):
            rendered = Template('{% load machine %}<time datetime="{{ m|iso }}">').render(Context({"m": moment}))
        assert rendered == '<time datetime="2026-12-06T20:15:03+00:00">'


def test_no_template_writes_fractional_seconds_into_datetime():
    """`|date:'c'` gives six fractional digits (refused by the Nu HTML checker): templates use `|iso`."""
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if re.search(r"""\|date:\s*['"]c['"]""", path.read_text())
    ]
    assert offenders == []
