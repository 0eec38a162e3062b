"""What profiles contributes to hub pages: live numbers, latest items, and researchers on city pages."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hub.activity import register_places
from hub.registry import CitySection, LatestSection, Stat, register_city_section, register_latest, register_stat


def _count_cities() -> int:
    from profiles.models import CityPage

    return CityPage.objects.live().count()


def _count_researchers() -> int:
    from profiles.models import ResearcherProfile

    return ResearcherProfile.objects.filter(is_public=True, user__is_active=True).count()


def _count_organisations() -> int:
    from profiles.models import Organisation

    return Organisation.objects.filter(verified=True).count()


def _latest_cities(limit: int) -> list:
    from profiles.selectors import city_pages_public

    return list(city_pages_public().order_by("-first_published_at")[:limit])


def _latest_researchers(limit: int) -> list:
    from profiles.visibility import profiles_visible_to

    return list(profiles_visible_to(None).select_related("user").order_by("-created_at")[:limit])


def _city_researchers(city_page) -> dict:
    from profiles.selectors import city_researchers

    return {"researchers": city_researchers(organisation_id=city_page.organisation_id), "city_page": city_page}


def _places() -> list:
    """Every live public city page as a place of the home page's activity overview (one query)."""
    from hub.activity import Place
    from profiles.selectors import city_pages_public

    return [
        Place(
            organisation_id=page.organisation_id,
            name=page.title,
            url=page.url_path,
            country_code=page.organisation.country.code if page.organisation.country else "",
            country_name=page.organisation.country.name if page.organisation.country else "",
            page=page,
        )
        for page in city_pages_public()
    ]


def register() -> None:
    register_places(_places)
    register_stat(Stat("cities", _("cities"), 20, _count_cities, url="/cities/"))
    register_stat(Stat("researchers", _("researchers"), 30, _count_researchers, url=reverse_lazy("researcher_list")))
    register_stat(
        Stat(
            "organisations",
            _("verified organisations"),
            60,
            _count_organisations,
            url=reverse_lazy("organisation_list"),
        )
    )
    register_latest(LatestSection("cities", _("Newest cities"), 20, _latest_cities, url="/cities/"))
    register_latest(
        LatestSection("researchers", _("New researchers"), 30, _latest_researchers, url=reverse_lazy("researcher_list"))
    )
    register_city_section(
        CitySection(
            "researchers",
            _("Researchers who worked with this city"),
            30,
            "profiles/city_section_researchers.html",
            _city_researchers,
        )
    )
