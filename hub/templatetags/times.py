"""Times as people read them, with their zone: ``{% load times %}{{ proposal.submitted_at|local_time }}``.

``local_time`` renders ``<time datetime="2026-12-06T15:37:00Z">6 Dec 2026, 16:37 CET</time>``: the machine
value in UTC to the second (the HTML checker refuses ``|date:'c'``'s fractional digits), the human text with
date written as the active language writes it (CLDR, through Babel), in the active time zone (see ``profiles.timezones``) or in the zone given as
argument (``|local_time:call.time_zone``: a call's dates are in its city's zone), always followed by the zone's
abbreviation, so two pages never show one moment as two unlabelled clock times.

``local_time_text`` is the same words without markup, for plain-text contexts (text emails, subjects) and
``{% blocktranslate with %}`` arguments; ``local_date`` renders a date (or a date-time's local day) as
``<time datetime="2026-12-06">6 Dec 2026</time>`` — a date alone needs no zone.
"""

import datetime as dt
import functools
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, to_locale

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton

register = template.Library()

# The site writes British English: "6 Dec 2026", not "Dec 6, 2026".
LOCALE_OVERRIDES = {"en": "en_GB"}


def _locale() -> Locale:
    return _locale_of(get_language() or "en")


@functools.lru_cache(maxsize=32)
def _locale_of(language: str) -> Locale:
    try:
        return Locale.parse(LOCALE_OVERRIDES.get(language, to_locale(language)))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def human_date(value: dt.date) -> str:
    """ "6 Dec 2026" / "6 dic 2026" / "6 déc. 2026" (CLDR's medium date of the active language)."""
    return _human_date(get_language() or "en", value)


@functools.lru_cache(maxsize=4096)
def _human_date(language: str, value: dt.date) -> str:
    # Lists show the same few dates on every row: formatted once per language and day.
    return format_date(value, "medium", locale=_locale_of(language))


def human_time(local: dt.datetime) -> str:
    """ "6 Dec 2026, 16:37" / "6 dic 2026, 16:37" / "6 déc. 2026, 16:37": the wall-clock time of ``local``."""
    locale = _locale()
    clock = format_skeleton("Hm", local.replace(tzinfo=None), locale=locale)
    pattern = str(locale.datetime_formats.get("medium", "{1}, {0}"))
    return pattern.replace("{1}", human_date(local.date())).replace("{0}", clock)


def _zone(name) -> dt.tzinfo:
    if isinstance(name, dt.tzinfo):
        return name
    if name:
        try:
            return zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def zone_abbreviation(moment: dt.datetime) -> str:
    """ "CET", "CEST", "UTC"; zones without a letter abbreviation read "UTC−5", "UTC+5:30"."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-" and not name[0].isdigit():
        return name
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def machine_utc(value: dt.datetime) -> str:
    """``2026-12-06T15:37:00Z``: UTC, whole seconds."""
    return _aware(value).astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time_parts(value, zone=None) -> tuple[str, str] | None:
    """(machine UTC value, "6 Dec 2026, 16:37 CET") or None for a value that is not a date-time."""
    if not isinstance(value, dt.datetime):
        return None
    local = _aware(value).astimezone(_zone(zone))
    return machine_utc(value), f"{human_time(local)} {zone_abbreviation(local)}"


@register.filter
def local_time(value, zone=None):
    """``<time datetime="…Z">6 Dec 2026, 16:37 CET</time>``; a plain date goes to ``local_date``."""
    parts = local_time_parts(value, zone)
    if parts is None:
        return local_date(value, zone) if isinstance(value, dt.date) else ""
    return format_html('<time datetime="{}">{}</time>', *parts)


@register.filter
def local_time_text(value, zone=None) -> str:
    """ "6 Dec 2026, 16:37 CET" without markup: text emails, subjects, ``blocktranslate`` arguments."""
    parts = local_time_parts(value, zone)
    if parts is None:
        return human_date(value) if isinstance(value, dt.date) else ""
    return parts[1]


@register.filter
def local_date(value, zone=None):
    """``<time datetime="2026-12-06">6 Dec 2026</time>``; a date-time gives its day in the (active) zone."""
    if isinstance(value, dt.datetime):
        value = _aware(value).astimezone(_zone(zone)).date()
    if not isinstance(value, dt.date):
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), human_date(value))
