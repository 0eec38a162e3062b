"""What policy uptake contributes to hub pages: a "Policy uptake" section on city pages and personal data."""

from django.utils.translation import gettext_lazy as _

from hub.registry import (
    CitySection,
    DashboardSection,
    PersonalDataPart,
    register_city_section,
    register_dashboard_section,
    register_personal_data,
)

CITY_SECTION_UPTAKE = 30


def _city_uptake(city_page) -> dict:
    """The city's responses by stance, pending ones with their age, and its latest decisions (two queries)."""
    from projects.selectors.uptake import city_uptake

    organisation = city_page.organisation
    return {"city_page": city_page, "city_slug": organisation.slug, **city_uptake(organisation.pk)}


def _to_respond(user) -> dict | None:
    """For a city's officials: public results of its partnerships still waiting for the city's response."""
    from projects.selectors.uptake import results_awaiting_response

    results, total = results_awaiting_response(user)
    if not results:
        return None
    return {"results": results, "total": total}


def _personal_data(user) -> dict:
    """Responses and uptake records the person wrote for their city."""
    from projects.models import CityResponse, PolicyUptake

    return {
        "responses": [
            {
                "result": r.result.title,
                "stance": r.stance,
                "reasons": r.reasons,
                "reply": r.reply,
                "responded_at": r.responded_at.isoformat() if r.responded_at else None,
            }
            for r in CityResponse.objects.filter(responded_by=user).select_related("result")
        ],
        "uptakes": [
            {"result": u.result.title, "kind": u.kind, "title": u.title, "date": u.date.isoformat()}
            for u in PolicyUptake.objects.filter(recorded_by=user).select_related("result")
        ],
    }


def register() -> None:
    register_city_section(
        CitySection(
            "uptake", _("Policy uptake"), CITY_SECTION_UPTAKE, "projects/city_section_uptake.html", _city_uptake
        )
    )
    register_dashboard_section(
        DashboardSection("results_to_respond", 12, "projects/dashboard_results_to_respond.html", _to_respond)
    )
    register_personal_data(PersonalDataPart("policy_uptake", _personal_data))
