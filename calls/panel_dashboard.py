"""The dashboard's task list (issue 18 §5): what the user has to do across the site, with counts, each a link.

calls answers ``dashboard_tasks`` with reviews due, proposals to screen, decisions pending and meta-reviews to write
(one COUNT query each, whatever the number of rows); projects adds results to respond to. The list itself is one
``dashboard_sections`` panel, shown when any count is above zero.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from calls.models import MetaReview, Proposal, ReviewAssignment
from calls.selectors import official_organisation_ids, proposals_visible_to, review_assignments_to_do
from calls.services.panel import calls_chaired_by, proposals_for_chair, proposals_to_screen
from hub.registry import DashboardSection, DashboardTask, dashboard_tasks

PENDING_DECISION = (Proposal.Status.UNDER_REVIEW, Proposal.Status.SHORTLISTED)
OPEN_REVIEW = (ReviewAssignment.Status.INVITED, ReviewAssignment.Status.ACCEPTED)


def task_list(user) -> DashboardSection | None:
    if not getattr(user, "is_authenticated", False):
        return None
    tasks = dashboard_tasks(user)
    if not tasks:
        return None
    return DashboardSection("tasks", "calls/panel/dashboard_tasks.html", {"tasks": tasks})


def reviews_due(user) -> DashboardTask | None:
    count = review_assignments_to_do(user).order_by().count()
    label = ngettext("%(count)s review to declare or write", "%(count)s reviews to declare or write", count)
    return DashboardTask("reviews_due", label % {"count": count}, count, reverse("review_list"))


def to_screen(user) -> DashboardTask | None:
    count = proposals_to_screen(user).order_by().count()
    label = ngettext("%(count)s proposal to screen", "%(count)s proposals to screen", count)
    return DashboardTask("to_screen", label % {"count": count}, count, reverse("desk_list") + "?screening=pending")


def decisions_pending(user) -> DashboardTask | None:
    """Proposals of the user's cities under review or shortlisted whose reviews are all in (at least one)."""
    submitted = ReviewAssignment.objects.filter(proposal=OuterRef("pk"), status=ReviewAssignment.Status.SUBMITTED)
    open_reviews = ReviewAssignment.objects.filter(proposal=OuterRef("pk"), status__in=OPEN_REVIEW)
    count = (
        proposals_visible_to(user)
        .filter(call__organisation_id__in=official_organisation_ids(user), status__in=PENDING_DECISION)
        .filter(Exists(submitted))
        .filter(~Exists(open_reviews))
        .order_by()
        .count()
    )
    label = ngettext(
        "%(count)s proposal with its reviews in, waiting for a decision",
        "%(count)s proposals with their reviews in, waiting for a decision",
        count,
    )
    return DashboardTask(
        "decisions_pending", label % {"count": count}, count, reverse("desk_list") + "?reviews=complete"
    )


def meta_reviews_to_write(user) -> DashboardTask | None:
    """For reviewers who chair a panel: reviewed proposals, not decided, that have no meta-review yet (officials see
    theirs as decisions pending)."""
    submitted = ReviewAssignment.objects.filter(proposal=OuterRef("pk"), status=ReviewAssignment.Status.SUBMITTED)
    count = (
        proposals_for_chair(user)
        .filter(call__in=calls_chaired_by(user).values("pk"))
        .exclude(status__in=Proposal.DECIDED)
        .filter(Exists(submitted))
        .filter(~Exists(MetaReview.objects.filter(proposal=OuterRef("pk"))))
        .order_by()
        .count()
    )
    label = ngettext("%(count)s meta-review to write", "%(count)s meta-reviews to write", count)
    return DashboardTask("meta_reviews", label % {"count": count}, count, reverse("review_list") + "#panels")
