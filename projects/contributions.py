"""What partnerships answer to the hooks of hub pages (registered in projects/wagtail_hooks.py; hooks:
hub/hooks.py): the number of public partnerships, partnerships and results per city in the activity overview,
a city page section."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Count
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.activity import Measure
from hub.registry import CitySection, Stat
from projects.selectors.partnerships import partnerships_public
from projects.selectors.results import results_public

CITY_SECTION_PARTNERSHIPS = 10


def partnerships_stat() -> Stat:
    return Stat("partnerships", _("partnerships"), partnerships_public().count(), url=reverse_lazy("partnership_list"))


def city_partnerships(city_page) -> CitySection:
    """The city's public partnerships, newest first (one query)."""
    partnerships = list(
        partnerships_public().filter(city_id=city_page.organisation_id)[: CITY_SECTION_PARTNERSHIPS + 1]
    )
    context = {
        "city_page": city_page,
        "partnerships": partnerships[:CITY_SECTION_PARTNERSHIPS],
        "more": len(partnerships) > CITY_SECTION_PARTNERSHIPS,
    }
    return CitySection("partnerships", _("Partnerships"), "projects/city_section_partnerships.html", context)


def partnerships_per_city() -> Measure:
    """Public partnerships per city organisation (one grouped query) for the home page's activity overview."""
    rows = partnerships_public().order_by().values("city_id").annotate(n=Count("pk")).values_list("city_id", "n")
    counts = {city_id: n for city_id, n in rows if city_id}
    return Measure("partnerships", _("partnerships"), counts, describe=_describe_partnerships)


def results_per_city() -> Measure:
    """Public results per commissioning city (one grouped query) for the home page's activity overview."""
    rows = (
        results_public()
        .order_by()
        .values("partnership__city_id")
        .annotate(n=Count("pk"))
        .values_list("partnership__city_id", "n")
    )
    counts = {city_id: n for city_id, n in rows if city_id}
    return Measure("results", _("results"), counts, describe=_describe_results)


def _describe_partnerships(count: int) -> str:
    return ngettext("%(count)s partnership", "%(count)s partnerships", count) % {"count": intcomma(count)}


def _describe_results(count: int) -> str:
    return ngettext("%(count)s result", "%(count)s results", count) % {"count": intcomma(count)}
