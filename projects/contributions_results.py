"""What results contribute to hub pages: a live number, the latest results on the home page, a city's results."""

from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.registry import (
    CitySection,
    DashboardSection,
    LatestSection,
    PersonalDataPart,
    Stat,
    register_city_section,
    register_dashboard_section,
    register_latest,
    register_personal_data,
    register_stat,
)

CITY_SECTION_RESULTS = 8


def _count_results() -> int:
    from projects.selectors.results import results_public

    return results_public().count()


def _latest_results(limit: int) -> list:
    from projects.selectors.results import latest_public

    return latest_public(limit)


def _city_results(city_page) -> dict:
    """The public results of the city's partnerships, newest first (one query)."""
    from projects.selectors.results import city_results

    results, more = city_results(city_page.organisation_id, limit=CITY_SECTION_RESULTS)
    city_slug = results[0].partnership.city.slug if results else ""
    return {"city_page": city_page, "results": results, "more": more, "city_slug": city_slug}


def _dashboard(user) -> dict | None:
    """The user's research partnerships with their results, and authorships to confirm; hidden for others."""
    from projects.selectors.results import authorship_invitations_for, research_results_of

    partnerships, more = research_results_of(user)
    invitations = authorship_invitations_for(user)
    if not (partnerships or invitations):
        return None
    return {"partnerships": partnerships, "more": more, "today": timezone.localdate(), "invitations": invitations}


def _personal_data(user) -> list[dict]:
    """Results the person created, published or is credited on as a linked author."""
    from django.db.models import Q

    from projects.models import Result

    results = Result.objects.filter(
        Q(created_by=user) | Q(published_by=user) | Q(authors__profile__user=user)
    ).distinct()
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


def register() -> None:
    register_stat(Stat("results", _("published results"), 45, _count_results, url=reverse_lazy("result_list")))
    register_latest(LatestSection("results", _("Latest results"), 15, _latest_results, url=reverse_lazy("result_list")))
    register_city_section(CitySection("results", _("Results"), 25, "projects/results/city_section.html", _city_results))
    register_dashboard_section(DashboardSection("results", 27, "projects/results/dashboard_section.html", _dashboard))
    register_personal_data(PersonalDataPart("results", _personal_data))
