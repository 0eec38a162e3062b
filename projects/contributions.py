"""What projects contributes to hub pages: the number of public partnerships and a city page section."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

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


def register() -> None:
    contributions_partnerships.register()
    register_stat(
        Stat("partnerships", _("partnerships"), 40, _count_partnerships, url=reverse_lazy("partnership_list"))
    )
    register_city_section(
        CitySection(
            "partnerships", _("Partnerships"), 20, "projects/city_section_partnerships.html", _city_partnerships
        )
    )
