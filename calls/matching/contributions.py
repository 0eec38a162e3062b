"""What matching adds to other pages: "Calls for you" on a researcher's dashboard, peer cities on a city page."""

from django.utils.translation import gettext_lazy as _

from hub.registry import CitySection, DashboardSection, register_city_section, register_dashboard_section

DASHBOARD_CALLS = 5


def _calls_for_you(user) -> dict | None:
    from calls.matching.selectors import calls_for_researcher
    from profiles.models import ResearcherProfile

    if not getattr(user, "is_researcher", False):
        return None
    profile = ResearcherProfile.objects.filter(user=user).select_related("user").first()
    if profile is None:
        return None
    fits, hints = calls_for_researcher(profile, limit=DASHBOARD_CALLS)
    return {"fits": fits, "hints": hints}


def _peer_cities(city_page) -> dict:
    from calls.matching.selectors import peer_cities

    return {"peers": peer_cities(city_page), "city_page": city_page}


def register() -> None:
    register_dashboard_section(
        DashboardSection("calls_for_you", 15, "calls/matching/dashboard_calls_for_you.html", _calls_for_you)
    )
    register_city_section(
        CitySection("peer_cities", _("Peer cities"), 90, "calls/matching/city_section_peers.html", _peer_cities)
    )
