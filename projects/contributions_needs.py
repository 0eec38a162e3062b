"""What research needs answer to the hooks of hub pages (registered in projects/wagtail_hooks.py): a "Research
needs" section on city pages, a dashboard panel (needs awaiting the official's city, open reports for
coordinators) and personal data."""

from django.utils.translation import gettext_lazy as _

from calls.selectors import official_organisation_ids
from hub.registry import CitySection, DashboardSection
from projects.models import ModerationReport, NeedComment, NeedEndorsement, NeedTopic, ResearchNeed
from projects.selectors.needs import city_needs, open_report_count
from projects.services.needs import can_moderate

DASHBOARD_LIMIT = 10


def city_needs_section(city_page) -> CitySection:
    """The city's research needs by answer and the most endorsed ones (three queries)."""
    organisation = city_page.organisation
    context = {"city_page": city_page, "city_slug": organisation.slug, **city_needs(organisation.pk)}
    return CitySection("needs", _("Research needs"), "projects/needs/city_section.html", context)


def dashboard(user) -> DashboardSection | None:
    """Officials: needs of their cities still awaiting an answer. Coordinators: the number of open reports."""
    awaiting = list(
        ResearchNeed.objects.public()
        .filter(city_id__in=official_organisation_ids(user), status=ResearchNeed.Status.OPEN)
        .select_related("city")
        .order_by("created_at", "pk")[: DASHBOARD_LIMIT + 1]
    )
    reports = open_report_count() if can_moderate(user) else None
    if not awaiting and not reports:
        return None
    context = {"needs": awaiting[:DASHBOARD_LIMIT], "more": len(awaiting) > DASHBOARD_LIMIT, "reports": reports}
    return DashboardSection("research_needs", "projects/needs/dashboard.html", context)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def personal_data(user) -> dict:
    """The needs, comments, endorsements, topics and reports of the person (plain JSON values)."""
    return {
        "research_needs": {
            "needs": [
                {
                    "city": n.city.name,
                    "title": n.title,
                    "situation": n.situation,
                    "missing_evidence": n.missing_evidence,
                    "status": n.status,
                    "created_at": _iso(n.created_at),
                }
                for n in ResearchNeed.objects.filter(author=user).select_related("city")
            ],
            "comments": [
                {"need": c.need.title, "body": c.body, "created_at": _iso(c.created_at)}
                for c in NeedComment.objects.filter(author=user).select_related("need")
            ],
            "endorsements": [
                {"need": e.need.title, "created_at": _iso(e.created_at)}
                for e in NeedEndorsement.objects.filter(user=user).select_related("need")
            ],
            "topics": [
                {"need": t.need.title, "kind": t.kind, "note": t.note, "created_at": _iso(t.created_at)}
                for t in NeedTopic.objects.filter(user=user).select_related("need")
            ],
            "reports": [
                {"reason": r.reason, "details": r.details, "status": r.status, "created_at": _iso(r.created_at)}
                for r in ModerationReport.objects.filter(reporter=user)
            ],
        }
    }
