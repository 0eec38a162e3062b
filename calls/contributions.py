"""What calls contributes to hub and profiles pages: open calls on the home page, a city's calls on its page."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.activity import Measure, register_measure
from hub.registry import CitySection, LatestSection, Stat, register_city_section, register_latest, register_stat

CITY_SECTION_RECENT_CLOSED = 5


def _count_open_calls() -> int:
    from calls.deadlines import Status
    from calls.filters import status_q
    from calls.selectors import calls_public

    return calls_public().filter(status_q(Status.OPEN, timezone.now())).count()


def _latest_calls(limit: int) -> list:
    from calls.selectors import calls_public

    return list(calls_public().defer_streamfields().order_by("-first_published_at")[:limit])


def _city_calls(city_page) -> dict:
    """The city's open, consultation and upcoming calls by deadline, then its most recently closed ones."""
    from django.db.models import Q

    from calls.deadlines import Status
    from calls.filters import status_q
    from calls.selectors import calls_public

    now = timezone.now()
    calls = calls_public().defer_streamfields().filter(organisation_id=city_page.organisation_id)
    current = Q(status_q(Status.OPEN, now)) | status_q(Status.UPCOMING, now) | status_q(Status.CONSULTATION, now)
    return {
        "current_calls": list(calls.filter(current).order_by("closes_at")),
        "past_calls": list(calls.exclude(current).order_by("-closes_at")[:CITY_SECTION_RECENT_CLOSED]),
        "city_page": city_page,
    }


def _calls_per_city() -> dict[int, int]:
    """Public calls per city organisation (one grouped query) for the home page's activity overview."""
    from django.db.models import Count

    from calls.selectors import calls_public

    rows = (
        calls_public().order_by().values("organisation_id").annotate(n=Count("pk")).values_list("organisation_id", "n")
    )
    return dict(rows)


def _describe_calls(count: int) -> str:
    return ngettext("%(count)s call", "%(count)s calls", count) % {"count": intcomma(count)}


def register() -> None:
    register_measure(Measure("calls", _("calls"), 10, _calls_per_city, describe=_describe_calls))
    register_stat(Stat("open_calls", _("open calls"), 10, _count_open_calls, url="/calls/?status=open"))
    register_latest(LatestSection("calls", _("Latest research calls"), 10, _latest_calls, url="/calls/"))
    register_city_section(CitySection("calls", _("Research calls"), 10, "calls/city_section_calls.html", _city_calls))
