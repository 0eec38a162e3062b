"""What partnerships add to /dashboard/: the user's partnerships with links to their page and workspace."""

from hub.registry import DashboardSection, register_dashboard_section

DASHBOARD_LIMIT = 20


def _dashboard(user) -> dict | None:
    """The user's partnerships (any side), newest first, and invitations to join one; hidden when there are none."""
    from projects.selectors.partnerships import partnership_invitations_for, partnerships_of

    partnerships = list(partnerships_of(user)[: DASHBOARD_LIMIT + 1])
    invitations = partnership_invitations_for(user)
    if not (partnerships or invitations):
        return None
    return {
        "partnerships": partnerships[:DASHBOARD_LIMIT],
        "more": len(partnerships) > DASHBOARD_LIMIT,
        "invitations": invitations,
    }


def register() -> None:
    register_dashboard_section(
        DashboardSection("partnerships", 25, "projects/partnerships/dashboard_section.html", _dashboard)
    )
