"""What a partnership's life adds to /dashboard/ (the ``dashboard_sections`` hook, registered in
projects/wagtail_hooks.py): the team's reports due soon, overdue or returned; the city's reports waiting for
review or overdue."""

from django.utils import timezone

from hub.registry import DashboardSection
from projects.selectors.lifecycle import reports_for_city, reports_for_team


def reports(user) -> DashboardSection | None:
    """Reports that need the user (as a researcher or as a city official); hidden when there are none."""
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    team, city = reports_for_team(user, today=today), reports_for_city(user, today=today)
    if not (team or city):
        return None
    for report in (*team, *city):
        report.overdue = report.is_overdue(today)
    return DashboardSection(
        "partnership_reports", "projects/lifecycle/dashboard_section.html", {"team": team, "city": city}
    )
