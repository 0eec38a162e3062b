"""Panels calls adds to /dashboard/: proposals, invitations and reviews to do; a city's calls."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from hub.registry import DashboardSection, register_dashboard_section

RESEARCHER_LIMIT = 20
OFFICIAL_LIMIT = 20


def researcher_context(user) -> dict | None:
    """The user's proposals (lead or accepted member), team invitations to their address and reviews to do."""
    from calls.models import Proposal, TeamMember
    from calls.selectors import proposal_ids_led_or_joined, review_assignments_to_do

    proposals = list(
        Proposal.objects.filter(pk__in=proposal_ids_led_or_joined(user))
        .select_related("call", "call__organisation")
        .defer("call__body")
        .order_by("-updated_at")[:RESEARCHER_LIMIT]
    )
    invitations = list(
        TeamMember.objects.filter(status=TeamMember.Status.INVITED, email__iexact=user.email)
        .exclude(proposal__lead=user)
        .select_related("proposal", "proposal__call", "proposal__lead")
        .order_by("-invited_at")
    )
    reviews = list(review_assignments_to_do(user))
    if not (proposals or invitations or reviews):
        return None
    return {"proposals": proposals, "invitations": invitations, "reviews": reviews}


STATUS_COUNTS = [
    ("submitted", _("Submitted"), ("submitted",)),
    ("under_review", _("Under review"), ("under_review",)),
    ("info_requested", _("Information requested"), ("info_requested",)),
    ("shortlisted", _("Shortlisted"), ("shortlisted",)),
    ("invited", _("Invited to full stage"), ("invited",)),
    ("awarded", _("Awarded"), ("awarded",)),
    ("declined", _("Declined"), ("declined",)),
]


def official_context(user) -> dict | None:
    """The calls of the official's cities with proposal counts per status and reviews pending (one query)."""
    from calls.models import Proposal, ReviewAssignment
    from calls.selectors import calls_managed_by, official_organisation_ids

    if not getattr(user, "is_authenticated", False) or not official_organisation_ids(user).exists():
        return None
    annotations = {
        f"n_{key}": Count("proposals", filter=Q(proposals__status__in=statuses), distinct=True)
        for key, _label, statuses in STATUS_COUNTS
    }
    calls = list(
        calls_managed_by(user)
        .defer_streamfields()
        .annotate(
            n_received=Count("proposals", filter=Q(proposals__status__in=Proposal.SUBMITTED_STATES), distinct=True),
            n_reviews_pending=Count(
                "proposals__review_assignments",
                filter=Q(
                    proposals__review_assignments__status__in=[
                        ReviewAssignment.Status.INVITED,
                        ReviewAssignment.Status.ACCEPTED,
                    ]
                ),
                distinct=True,
            ),
            **annotations,
        )
        .order_by("-closes_at")[:OFFICIAL_LIMIT]
    )
    rows = [
        {
            "call": call,
            "counts": [
                (label, getattr(call, f"n_{key}")) for key, label, _s in STATUS_COUNTS if getattr(call, f"n_{key}")
            ],
        }
        for call in calls
    ]
    return {"call_rows": rows}


def register() -> None:
    register_dashboard_section(
        DashboardSection("calls_researcher", 20, "calls/dashboard_researcher.html", researcher_context)
    )
    register_dashboard_section(
        DashboardSection("calls_official", 10, "calls/dashboard_official.html", official_context)
    )
