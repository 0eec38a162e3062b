"""What policy uptake answers to the hooks of hub pages (registered in projects/wagtail_hooks.py): a "Policy uptake"
section on city pages, the results a city's officials still have to respond to, and personal data."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.registry import CitySection, DashboardSection, DashboardTask
from projects.models import CityResponse, ImplementationEntry, PolicyUptake
from projects.selectors.uptake import city_uptake, results_awaiting_response


def city_uptake_section(city_page) -> CitySection:
    """The city's responses by stance, pending ones with their age, and its latest decisions (two queries)."""
    organisation = city_page.organisation
    context = {"city_page": city_page, "city_slug": organisation.slug, **city_uptake(organisation.pk)}
    return CitySection("uptake", _("Policy uptake"), "projects/city_section_uptake.html", context)


def to_respond(user) -> DashboardSection | None:
    """For a city's officials: public results of its partnerships still waiting for the city's response."""
    results, total = results_awaiting_response(user)
    if not results:
        return None
    context = {"results": results, "total": total}
    return DashboardSection("results_to_respond", "projects/dashboard_results_to_respond.html", context)


def results_to_respond_task(user) -> DashboardTask | None:
    """The dashboard's task list: how many results the user's cities still have to respond to (at most two queries)."""
    _results, total = results_awaiting_response(user, limit=0)
    label = ngettext("%(count)s result to respond to", "%(count)s results to respond to", total)
    return DashboardTask("results_to_respond", label % {"count": total}, total, "#results-to-respond-title")


def personal_data(user) -> dict:
    """Responses, uptake records and implementation steps the person wrote for their city."""
    return {"policy_uptake": _uptake_part(user)}


def _uptake_part(user) -> dict:
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
        "implementation_steps": [
            {"decision": e.uptake.title, "date": e.date.isoformat(), "text": e.text, "link": e.link}
            for e in ImplementationEntry.objects.filter(recorded_by=user).select_related("uptake")
        ],
    }
