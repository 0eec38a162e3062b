"""The cells of the desk's table (``calls/desk/list.html``), rendered in Python.

A page of 100 proposals with up to 14 columns went through the template's chain of ``{% if key == … %}`` once per
cell: about 10,000 conditions a page, longer than all of the page's queries. Here each cell is one ``format_html``;
the columns and their order are the FilterSet's (``calls.filters_desk.COLUMNS``).
"""

from collections.abc import Callable

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from calls.models import Proposal
from hub.templatetags.times import local_date

# A status's badge modifier (none: the plain badge).
STATUS_BADGES = {
    Proposal.Status.AWARDED: "badge--success",
    Proposal.Status.DECLINED: "badge--danger",
    Proposal.Status.WITHDRAWN: "badge--danger",
    Proposal.Status.DRAFT: "badge--pending",
    Proposal.Status.INFO_REQUESTED: "badge--pending",
    Proposal.Status.INVITED: "badge--pending",
    Proposal.Status.SHORTLISTED: "badge--accent",
}
NONE = mark_safe('<span class="muted">—</span>')
SPACE = mark_safe("&#32;")


def status_badge(proposal: Proposal) -> SafeString:
    """A proposal's status as a badge (also ``{% proposal_status %}``)."""
    modifier = STATUS_BADGES.get(proposal.status)
    classes = f"badge {modifier}" if modifier else "badge"
    return format_html('<span class="{}">{}</span>', classes, proposal.get_status_display())


def _badges(items, classes: Callable) -> SafeString:
    if not items:
        return NONE
    # A space as a character reference: the table's {% spaceless %} keeps it between the badges.
    return format_html_join(SPACE, '<span class="{}">{}</span>', ((classes(item), item.label) for item in items))


def _career(row: dict) -> SafeString:
    text = gettext("%(early)s of %(size)s early-career") % {"early": row["early_career"], "size": row["team_size"]}
    if row["proposal"].lead_early_career:
        return format_html('{} <span class="badge">{}</span>', text, gettext("early-career lead"))
    return format_html("{}", text)


def _number(value, template: str = "{}") -> SafeString:
    return NONE if value is None else format_html(template, floatformat(value, 2))


CELLS: dict[str, Callable[[dict], object]] = {
    "call": lambda row: row["proposal"].call.title,
    "lead": lambda row: row["proposal"].lead.display_name,
    "countries": lambda row: ", ".join(row["countries"]) or "—",
    "career": _career,
    "status": lambda row: status_badge(row["proposal"]),
    "version": lambda row: f"v{row['proposal'].latest_number}" if row["proposal"].latest_number else "—",
    "submitted": lambda row: local_date(row["proposal"].submitted_at) if row["proposal"].submitted_at else "—",
    "reviews": lambda row: f"{row['proposal'].reviews_done} / {row['proposal'].reviews_assigned}",
    "score": lambda row: _number(row["proposal"].weighted),
    "spread": lambda row: _number(row["proposal"].spread, "± {}"),
    "screening": lambda row: row["proposal"].get_screening_display(),
    "recommendations": lambda row: render_to_string(
        "calls/panel/recommendations.html", {"rec": row["recommendations"]}
    ),
    "flags": lambda row: _badges(row["flags"], lambda flag: "badge badge--accent" if flag.shared else "badge"),
    "eligibility": lambda row: _badges(row["warnings"], lambda check: "badge badge--pending"),
}


def with_cells(rows: list[dict], columns: list[str]) -> list[dict]:
    """Each row's ``cells``: its ``<td>`` per column, in the columns' order."""
    for row in rows:
        row["cells"] = [format_html("<td>{}</td>", CELLS[key](row)) for key in columns]
    return rows
