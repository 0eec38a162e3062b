"""Panels calls adds to /dashboard/: proposals, invitations and reviews to do; a city's calls and what to do next."""

import enum

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models import Proposal, ReviewAssignment, TeamMember
from calls.selectors import (
    calls_on_official_desk,
    city_pages_where_user_may_add,
    official_organisation_ids,
    proposal_ids_led_or_joined,
    review_assignments_to_do,
)

RESEARCHER_LIMIT = 20
OFFICIAL_LIMIT = 20


def researcher_context(user) -> dict | None:
    """The user's proposals (lead or accepted member), team invitations to their address and reviews to do."""
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
    ("awarded", pgettext_lazy("proposal status", "Awarded"), ("awarded",)),
    ("declined", _("Declined"), ("declined",)),
]


class DeskState(enum.StrEnum):
    """Where a call stands for its city: Wagtail's draft, moderation and schedule first, then its dates."""

    DRAFT = "draft"
    IN_MODERATION = "in_moderation"
    SCHEDULED = "scheduled"
    UPCOMING = "upcoming"
    CONSULTATION = "consultation"
    OPEN = "open"
    CLOSED = "closed"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


DESK_STATE_LABELS = {
    DeskState.DRAFT: pgettext_lazy("call status", "Draft"),
    DeskState.IN_MODERATION: _("In moderation"),
    DeskState.SCHEDULED: pgettext_lazy("call status", "Scheduled"),
    DeskState.UPCOMING: _("Published, not open yet"),
    DeskState.CONSULTATION: _("In public consultation"),
    DeskState.OPEN: pgettext_lazy("call status", "Open"),
    DeskState.CLOSED: pgettext_lazy("call status", "Closed"),
    DeskState.AWARDED: pgettext_lazy("call status", "Awarded"),
    DeskState.CANCELLED: pgettext_lazy("call status", "Cancelled"),
}

# The badge style of each state (templates/calls/includes/call_status_badge.html's vocabulary).
DESK_STATE_BADGES = {
    DeskState.DRAFT: "",
    DeskState.IN_MODERATION: "pending",
    DeskState.SCHEDULED: "pending",
    DeskState.UPCOMING: "pending",
    DeskState.CONSULTATION: "pending",
    DeskState.OPEN: "success",
    DeskState.CLOSED: "",
    DeskState.AWARDED: "accent",
    DeskState.CANCELLED: "danger",
}


def desk_state(*, live: bool, in_moderation: bool, scheduled: bool, status: str) -> DeskState:
    """The state an official sees: cancelled and awarded win, an unpublished call is a draft, in moderation or
    scheduled, and a published one follows its dates (``status`` from ``calls.deadlines``)."""
    if status in (DeskState.CANCELLED, DeskState.AWARDED):
        return DeskState(status)
    if not live:
        if scheduled:
            return DeskState.SCHEDULED
        if in_moderation:
            return DeskState.IN_MODERATION
        return DeskState.DRAFT
    return DeskState(status)


def _next_action(call, state: DeskState) -> dict:
    """One sentence saying what happens next, and the link that does it."""
    edit_url = reverse("wagtailadmin_pages:edit", args=[call.pk])
    if state == DeskState.DRAFT:
        return {
            "text": _("Finish the call and submit it for moderation."),
            "label": _("Continue editing"),
            "url": edit_url,
            "key": "edit",
        }
    if state == DeskState.IN_MODERATION:
        return {
            "text": _("Your city's approvers review it before it is published."),
            "label": _("Open in the editor"),
            "url": edit_url,
            "key": "edit",
        }
    if state == DeskState.SCHEDULED:
        return {
            "text": _("It is approved and will be published at the time set."),
            "label": _("Check the schedule"),
            "url": edit_url,
            "key": "edit",
        }
    if state == DeskState.UPCOMING:
        return {
            "text": _("It is public and opens for proposals at its opening date."),
            "label": _("Edit"),
            "url": edit_url,
            "key": "edit",
        }
    if state == DeskState.CONSULTATION:
        return {
            "text": _("Read and publish the public's comments before the call opens."),
            "label": _("Moderate comments"),
            "url": reverse("call_consultation_manage", args=[call.pk]),
            "key": "consultation",
        }
    if state == DeskState.OPEN:
        return {
            "text": _("Proposals arrive until the deadline; invite reviewers now."),
            "label": _("Proposals and reviewers"),
            "url": reverse("call_manage", args=[call.pk]),
            "key": "manage",
        }
    if state == DeskState.CLOSED:
        if call.n_reviews_pending:
            return {
                "text": _("Wait for the pending reviews, or remind the reviewers."),
                "label": _("Proposals and reviewers"),
                "url": reverse("call_manage", args=[call.pk]),
                "key": "manage",
            }
        return {
            "text": _("Compare the scores, shortlist and award."),
            "label": _("Ranking"),
            "url": reverse("call_ranking", args=[call.pk]),
            "key": "ranking",
        }
    if state == DeskState.AWARDED:
        return {
            "text": _("The award is made; the partnership takes it from here."),
            "label": _("Ranking"),
            "url": reverse("call_ranking", args=[call.pk]),
            "key": "ranking",
        }
    return {"text": _("The call is cancelled; its reason is shown publicly."), "label": "", "url": "", "key": ""}


def official_context(user) -> dict | None:
    """The calls of the official's cities with their state, next action, proposal counts per status and reviews
    pending, and the links to post a call or draft a page where the user may add pages (a fixed number of queries)."""
    if not getattr(user, "is_authenticated", False) or not official_organisation_ids(user).exists():
        return None
    annotations = {
        f"n_{key}": Count("proposals", filter=Q(proposals__status__in=statuses), distinct=True)
        for key, _label, statuses in STATUS_COUNTS
    }
    calls = list(
        calls_on_official_desk(user)
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
    rows = []
    for call in calls:
        state = desk_state(
            live=call.live,
            in_moderation=call.workflow_in_progress,
            scheduled=call.approved_schedule,
            status=call.status,
        )
        rows.append(
            {
                "call": call,
                "state": state.value,
                "state_label": DESK_STATE_LABELS[state],
                "state_badge": DESK_STATE_BADGES[state],
                "next": _next_action(call, state),
                "counts": [
                    (label, getattr(call, f"n_{key}")) for key, label, _s in STATUS_COUNTS if getattr(call, f"n_{key}")
                ],
            }
        )
    return {"call_rows": rows, "add_links": add_links(user)}


def add_links(user) -> list[dict]:
    """Per city page the user may add pages under: the Wagtail editor addresses of a new call and a new page."""
    links = []
    for city_page, allowed in city_pages_where_user_may_add(user):
        links.append(
            {
                "city_page": city_page,
                "call_url": reverse("wagtailadmin_pages:add", args=["calls", "researchcall", city_page.pk])
                if "calls.researchcall" in allowed
                else "",
                "page_url": reverse("wagtailadmin_pages:add", args=["hub", "standardpage", city_page.pk])
                if "hub.standardpage" in allowed
                else "",
            }
        )
    return links
