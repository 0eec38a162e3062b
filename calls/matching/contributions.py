"""What matching answers to the hooks of lower layers (registered in calls/wagtail_hooks.py; hooks: hub/hooks.py):
"Calls for you" on a researcher's dashboard, peer cities on a city page."""

from django.utils.translation import gettext_lazy as _

from calls.matching.selectors import calls_for_researcher, peer_cities
from hub.registry import CitySection, DashboardSection
from profiles.models import ResearcherProfile

DASHBOARD_CALLS = 5


def calls_for_you(user) -> DashboardSection | None:
    if not getattr(user, "is_researcher", False):
        return None
    profile = ResearcherProfile.objects.filter(user=user).select_related("user").first()
    if profile is None:
        return None
    fits, hints = calls_for_researcher(profile, limit=DASHBOARD_CALLS)
    return DashboardSection(
        "calls_for_you", "calls/matching/dashboard_calls_for_you.html", {"fits": fits, "hints": hints}
    )


def city_peers(city_page) -> CitySection:
    context = {"peers": peer_cities(city_page), "city_page": city_page}
    return CitySection("peer_cities", _("Peer cities"), "calls/matching/city_section_peers.html", context)
