"""What indicators answer to the hooks of hub pages (registered in projects/wagtail_hooks.py): city page sections
(the city's indicators with small charts, and its data gaps) and a panel on the dashboard of a city's officials
(what research teams imported about their city)."""

from django.utils.translation import gettext_lazy as _

from hub.registry import CitySection, DashboardSection
from projects.selectors.indicators import city_data_gaps, city_indicator_cards
from projects.selectors.observation_imports import official_cities_with_imports


def city_indicators(city_page) -> CitySection:
    """Up to six of the city's indicators with the most recent data, each with its latest value and trend."""
    cards, more = city_indicator_cards(city_page.organisation_id)
    context = {"city_page": city_page, "cards": cards, "more": more}
    return CitySection("indicators", _("Human-rights indicators"), "projects/city_section_indicators.html", context)


def city_gaps(city_page) -> CitySection:
    """Themes and groups at risk × how recent the city's indicator data about them is."""
    context = {"city_page": city_page, **city_data_gaps(city_page.organisation_id)}
    return CitySection("data_gaps", _("Data gaps"), "projects/city_section_data_gaps.html", context)


def city_imports(user) -> DashboardSection | None:
    """The cities the user is an official of, with how much was imported about each; hidden for everyone else."""
    cities = list(official_cities_with_imports(user=user))
    if not cities:
        return None
    return DashboardSection("city_imports", "projects/indicators/dashboard_city_imports.html", {"cities": cities})
