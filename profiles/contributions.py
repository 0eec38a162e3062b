"""What profiles answers to the hooks of hub pages (registered in profiles/wagtail_hooks.py; hooks: hub/hooks.py):
live numbers, the newest cities and researchers, the places of the activity overview, researchers on city pages."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hub.activity import Place
from hub.registry import CitySection, LatestSection, Stat
from hub.translation import originals
from profiles.models import CityPage, Organisation, ResearcherProfile
from profiles.selectors import city_pages_public, city_researchers
from profiles.visibility import profiles_visible_to


def cities_stat() -> Stat:
    return Stat("cities", _("cities"), originals(CityPage.objects.live()).count(), url="/cities/")


def researchers_stat() -> Stat:
    count = ResearcherProfile.objects.filter(is_public=True, user__is_active=True).count()
    return Stat("researchers", _("researchers"), count, url=reverse_lazy("researcher_list"))


def organisations_stat() -> Stat:
    count = Organisation.objects.filter(verified=True).count()
    return Stat("organisations", _("verified organisations"), count, url=reverse_lazy("organisation_list"))


def latest_cities(limit: int) -> LatestSection:
    cities = list(city_pages_public().order_by("-first_published_at")[:limit])
    return LatestSection("cities", _("Newest cities"), cities, url="/cities/")


def latest_researchers(limit: int) -> LatestSection:
    researchers = list(profiles_visible_to(None).select_related("user").order_by("-created_at")[:limit])
    return LatestSection("researchers", _("New researchers"), researchers, url=reverse_lazy("researcher_list"))


def city_researchers_section(city_page) -> CitySection:
    context = {"researchers": city_researchers(organisation_id=city_page.organisation_id), "city_page": city_page}
    return CitySection(
        "researchers", _("Researchers who worked with this city"), "profiles/city_section_researchers.html", context
    )


def activity_places() -> list[Place]:
    """Every live public city page as a place of the home page's activity overview (one query)."""
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
