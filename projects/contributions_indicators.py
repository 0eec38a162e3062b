"""What indicators contribute to city pages: the city's indicators with small charts, and its data gaps."""

from django.utils.translation import gettext_lazy as _

from hub.registry import CitySection, register_city_section


def _city_indicators(city_page) -> dict:
    """Up to six of the city's indicators with the most recent data, each with its latest value and trend."""
    from projects.selectors.indicators import city_indicator_cards

    cards, more = city_indicator_cards(city_page.organisation_id)
    return {"city_page": city_page, "cards": cards, "more": more}


def _city_data_gaps(city_page) -> dict:
    """Themes and groups at risk × how recent the city's indicator data about them is."""
    from projects.selectors.indicators import city_data_gaps

    return {"city_page": city_page, **city_data_gaps(city_page.organisation_id)}


def register() -> None:
    register_city_section(
        CitySection(
            "indicators", _("Human-rights indicators"), 30, "projects/city_section_indicators.html", _city_indicators
        )
    )
    register_city_section(
        CitySection("data_gaps", _("Data gaps"), 35, "projects/city_section_data_gaps.html", _city_data_gaps)
    )
