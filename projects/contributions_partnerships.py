"""What partnerships add to /dashboard/ (the ``dashboard_sections`` hook, registered in projects/wagtail_hooks.py):
the user's partnerships with links to their page and workspace."""

from hub.registry import DashboardSection
from projects.selectors.partnerships import partnership_invitations_for, partnerships_of

DASHBOARD_LIMIT = 20


def dashboard(user) -> DashboardSection | None:
    """The user's partnerships (any side), newest first, and invitations to join one; hidden when there are none."""
    partnerships = list(partnerships_of(user)[: DASHBOARD_LIMIT + 1])
    invitations = partnership_invitations_for(user)
    if not (partnerships or invitations):
        return None
    context = {
        "partnerships": partnerships[:DASHBOARD_LIMIT],
        "more": len(partnerships) > DASHBOARD_LIMIT,
        "invitations": invitations,
    }
    return DashboardSection("partnerships", "projects/partnerships/dashboard_section.html", context)
