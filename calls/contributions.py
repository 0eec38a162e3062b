"""What calls answers to the hooks of lower layers (registered in calls/wagtail_hooks.py; hooks: hub/hooks.py):
open calls and the latest calls on the home page, calls per city in its activity overview, a city's calls."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.deadlines import Status
from calls.filters import status_q
from calls.selectors import calls_public
from hub.activity import Measure
from hub.registry import CitySection, LatestSection, Stat
from hub.translation import translate_in_place

CITY_SECTION_RECENT_CLOSED = 5


def open_calls_stat() -> Stat:
    count = calls_public().filter(status_q(Status.OPEN, timezone.now())).count()
    return Stat("open_calls", _("open calls"), count, url="/calls/?status=open")


def latest_calls(limit: int) -> LatestSection:
    calls = list(calls_public().defer_streamfields().order_by("-first_published_at")[:limit])
    return LatestSection("calls", _("Latest research calls"), calls, url="/calls/")


def city_calls(city_page) -> CitySection:
    """The city's open, consultation and upcoming calls by deadline, then its most recently closed ones."""
    now = timezone.now()
    calls = calls_public().defer_streamfields().filter(organisation_id=city_page.organisation_id)
    current = Q(status_q(Status.OPEN, now)) | status_q(Status.UPCOMING, now) | status_q(Status.CONSULTATION, now)
    context = {
        "current_calls": translate_in_place(calls.filter(current).order_by("closes_at")),
        "past_calls": translate_in_place(calls.exclude(current).order_by("-closes_at")[:CITY_SECTION_RECENT_CLOSED]),
        "city_page": city_page,
    }
    return CitySection("calls", _("Research calls"), "calls/city_section_calls.html", context)


def calls_per_city() -> Measure:
    """Public calls per city organisation (one grouped query) for the home page's activity overview."""
    rows = (
        calls_public().order_by().values("organisation_id").annotate(n=Count("pk")).values_list("organisation_id", "n")
    )
    return Measure("calls", _("calls"), dict(rows), describe=_describe_calls)


def _describe_calls(count: int) -> str:
    return ngettext("%(count)s call", "%(count)s calls", count) % {"count": intcomma(count)}
