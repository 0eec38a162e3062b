"""What results answer to the hooks of hub pages (registered in projects/wagtail_hooks.py): a live number, the
latest results on the home page, a city's results, a researcher's dashboard panel, a person's data export."""

from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.registry import CitySection, DashboardSection, LatestSection, Stat
from projects.models import Result
from projects.selectors.results import (
    authorship_invitations_for,
    city_results,
    latest_public,
    research_results_of,
    results_public,
)

CITY_SECTION_RESULTS = 8


def results_stat() -> Stat:
    return Stat("results", _("published results"), results_public().count(), url=reverse_lazy("result_list"))


def latest_results(limit: int) -> LatestSection:
    return LatestSection("results", _("Latest results"), latest_public(limit), url=reverse_lazy("result_list"))


def city_results_section(city_page) -> CitySection:
    """The public results of the city's partnerships, newest first (one query)."""
    results, more = city_results(city_page.organisation_id, limit=CITY_SECTION_RESULTS)
    city_slug = results[0].partnership.city.slug if results else ""
    context = {"city_page": city_page, "results": results, "more": more, "city_slug": city_slug}
    return CitySection("results", _("Results"), "projects/results/city_section.html", context)


def dashboard(user) -> DashboardSection | None:
    """The user's research partnerships with their results, and authorships to confirm; hidden for others."""
    partnerships, more = research_results_of(user)
    invitations = authorship_invitations_for(user)
    if not (partnerships or invitations):
        return None
    context = {"partnerships": partnerships, "more": more, "today": timezone.localdate(), "invitations": invitations}
    return DashboardSection("results", "projects/results/dashboard_section.html", context)


def personal_data(user) -> dict[str, list[dict]]:
    """Results the person created, published or is credited on as a linked author."""
    results = Result.objects.filter(
        Q(created_by=user) | Q(published_by=user) | Q(authors__profile__user=user)
    ).distinct()
    return {"results": _results_part(results, user)}


def _results_part(results, user) -> list[dict]:
    return [
        {
            "title": r.title,
            "kind": r.kind,
            "status": r.status,
            "partnership": r.partnership.title,
            "created": r.created_by_id == user.pk,
            "published_at": r.published_at.isoformat() if r.published_at else None,
            "embargo_until": r.embargo_until.isoformat() if r.embargo_until else None,
        }
        for r in results.select_related("partnership").order_by("pk")
    ]
