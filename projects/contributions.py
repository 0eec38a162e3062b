"""What projects contributes to hub pages: the number of public partnerships and a city page section."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.activity import Measure, register_measure
from hub.registry import CitySection, Stat, register_city_section, register_stat
from projects import contributions_partnerships

CITY_SECTION_PARTNERSHIPS = 10


def _count_partnerships() -> int:
    from projects.selectors.partnerships import partnerships_public

    return partnerships_public().count()


def _city_partnerships(city_page) -> dict:
    """The city's public partnerships, newest first (one query)."""
    from projects.selectors.partnerships import partnerships_public

    partnerships = list(
        partnerships_public().filter(city_id=city_page.organisation_id)[: CITY_SECTION_PARTNERSHIPS + 1]
    )
    return {
        "city_page": city_page,
        "partnerships": partnerships[:CITY_SECTION_PARTNERSHIPS],
        "more": len(partnerships) > CITY_SECTION_PARTNERSHIPS,
    }


def _partnerships_per_city() -> dict[int, int]:
    """Public partnerships per city organisation (one grouped query) for the home page's activity overview."""
    from projects.selectors.partnerships import partnerships_public

    rows = partnerships_public().order_by().values("city_id").annotate(n=Count("pk")).values_list("city_id", "n")
    return {city_id: n for city_id, n in rows if city_id}


def _results_per_city() -> dict[int, int]:
    """Public results per commissioning city (one grouped query) for the home page's activity overview."""
    from projects.selectors.results import results_public

    rows = (
        results_public()
        .order_by()
        .values("partnership__city_id")
        .annotate(n=Count("pk"))
        .values_list("partnership__city_id", "n")
    )
    return {city_id: n for city_id, n in rows if city_id}


def _describe_partnerships(count: int) -> str:
    return ngettext("%(count)s partnership", "%(count)s partnerships", count) % {"count": intcomma(count)}


def _describe_results(count: int) -> str:
    return ngettext("%(count)s result", "%(count)s results", count) % {"count": intcomma(count)}


def register() -> None:
    contributions_partnerships.register()
    register_measure(
        Measure("partnerships", _("partnerships"), 20, _partnerships_per_city, describe=_describe_partnerships)
    )
    register_measure(Measure("results", _("results"), 30, _results_per_city, describe=_describe_results))
    register_stat(
        Stat("partnerships", _("partnerships"), 40, _count_partnerships, url=reverse_lazy("partnership_list"))
    )
    register_city_section(
        CitySection(
            "partnerships", _("Partnerships"), 20, "projects/city_section_partnerships.html", _city_partnerships
        )
    )
