"""What indicators contribute to city pages (the city's indicators with small charts, and its data gaps) and to the
dashboard of a city's officials (what research teams imported about their city)."""

from django.utils.translation import gettext_lazy as _

from hub.registry import CitySection, DashboardSection, register_city_section, register_dashboard_section


def _city_indicators(city_page) -> dict:
    """Up to six of the city's indicators with the most recent data, each with its latest value and trend."""
    from projects.selectors.indicators import city_indicator_cards

    cards, more = city_indicator_cards(city_page.organisation_id)
    return {"city_page": city_page, "cards": cards, "more": more}


def _city_data_gaps(city_page) -> dict:
    """Themes and groups at risk × how recent the city's indicator data about them is."""
    from projects.selectors.indicators import city_data_gaps

    return {"city_page": city_page, **city_data_gaps(city_page.organisation_id)}


def _city_imports(user) -> dict | None:
    """The cities the user is an official of, with how much was imported about each; hidden for everyone else."""
    from projects.selectors.observation_imports import official_cities_with_imports

    cities = list(official_cities_with_imports(user=user))
    return {"cities": cities} if cities else None


def register() -> None:
    register_dashboard_section(
        DashboardSection("city_imports", 26, "projects/indicators/dashboard_city_imports.html", _city_imports)
    )
    register_city_section(
        CitySection(
            "indicators", _("Human-rights indicators"), 30, "projects/city_section_indicators.html", _city_indicators
        )
    )
    register_city_section(
        CitySection("data_gaps", _("Data gaps"), 35, "projects/city_section_data_gaps.html", _city_data_gaps)
    )
