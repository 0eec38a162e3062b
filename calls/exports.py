"""CSV export of /calls/ and the calls file of the bulk download: the API's fields, the page's filters.

``EXPORTS`` and ``NOT_EXPORTED`` answer the ``exports`` and ``not_exported_models`` hooks (calls/wagtail_hooks.py)."""

from calls.api import calls_for_api, serialize_call
from calls.filters import calls_filtered
from hub.exports import Column, Export

COLUMNS = (
    Column("id", "Stable identifier of the call (as in the open data API)."),
    Column("url", "Absolute URL of the call's page."),
    Column("title", "Title of the call."),
    Column("slug", "Short name of the call in its URL."),
    Column("summary", "One-paragraph summary of the call."),
    Column("organisation_id", "Id of the commissioning city or regional government."),
    Column("organisation_name", "Name of the commissioning organisation."),
    Column("organisation_slug", "Short name of the commissioning organisation in its URL."),
    Column("country_code", "ISO 3166-1 alpha-2 code of the organisation's country."),
    Column("country_name", "Name of the organisation's country."),
    Column("status", "Status when exported: consultation, upcoming, open, closed, awarded or cancelled."),
    Column("consultation_opens_at", "When the public consultation on the draft call opens (ISO 8601), if any."),
    Column("opens_at", "When the call opens for proposals (ISO 8601)."),
    Column("closes_at", "Deadline for proposals (ISO 8601)."),
    Column("two_stage", "true when the call has an outline stage followed by full proposals."),
    Column("full_proposal_closes_at", "Deadline for full proposals in a two-stage call (ISO 8601)."),
    Column("budget_min", "Smallest budget per project, in `currency` (empty: no minimum)."),
    Column("budget_max", "Largest budget per project, in `currency`."),
    Column("currency", "ISO 4217 currency code of the budget."),
    Column("duration_months", "Expected project duration in months."),
    Column("early_career", "Early-career rule: empty, `only` or `reserved`."),
    Column("early_career_share", "Share of the budget reserved for early-career researchers (per cent)."),
    Column("cross_border", "Whether teams from other countries may apply."),
    Column("themes", 'Human-rights theme slugs, separated by "; ".'),
    Column("sdg_targets", 'SDG target codes (e.g. 11.3), separated by "; ".'),
    Column("methods", 'Research method slugs, separated by "; ".'),
    Column("groups", 'Groups-in-focus slugs, separated by "; ".'),
    Column("required_languages", 'ISO 639-1 codes of the languages the team must work in, separated by "; ".'),
    Column("first_published_at", "When the call was first published (ISO 8601)."),
    Column("last_published_at", "When the call was last published (ISO 8601)."),
)


def calls_listed(params):
    """The published calls /calls/ shows with these filters (every page), in its order (``sort=fit``, which is
    personal, falls back to the deadline order an anonymous visitor sees)."""
    filterset, _facets = calls_filtered(params, with_facets=False)
    return filterset.ordered_qs


EXPORTS = (
    Export(
        key="calls",
        title="Research calls",
        description="Published research calls of cities and regional governments.",
        list_path="/calls/",
        columns=COLUMNS,
        listed=calls_listed,
        objects=calls_for_api,
        serialize=serialize_call,
        order=10,
    ),
)


# Working data that no export shows: saving a proposal, a review or an alert keeps the bulk zip fresh.
NOT_EXPORTED = (
    "calls.Proposal",
    "calls.Proposal_methods",
    "calls.ProposalVersion",
    "calls.TeamMember",
    "calls.TeamMember_languages",
    "calls.Milestone",
    "calls.Attachment",
    "calls.ReviewAssignment",
    "calls.ReviewScore",
    "calls.ProposalReminder",
    "calls.SavedSearch",
    "calls.AlertDelivery",
    "calls.MatchInvitation",
    "calls.ProfileVector",
    # Panel (issue 18 §4–5).
    "calls.MetaReview",
    "calls.PanelChair",
    "calls.ProposalFlag",
)
