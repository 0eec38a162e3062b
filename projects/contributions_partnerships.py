"""What partnerships add to /dashboard/: the user's partnerships with links to their page and workspace."""

from hub.registry import DashboardSection, register_dashboard_section

DASHBOARD_LIMIT = 20


def _dashboard(user) -> dict | None:
    """The user's partnerships (any side), newest first; hidden when they have none (one query)."""
    from projects.selectors.partnerships import partnerships_of

    partnerships = list(partnerships_of(user)[: DASHBOARD_LIMIT + 1])
    if not partnerships:
        return None
    return {"partnerships": partnerships[:DASHBOARD_LIMIT], "more": len(partnerships) > DASHBOARD_LIMIT}


def register() -> None:
    register_dashboard_section(
        DashboardSection("partnerships", 25, "projects/partnerships/dashboard_section.html", _dashboard)
    )
