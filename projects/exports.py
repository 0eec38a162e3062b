"""CSV exports of /partnerships/ (with the reports its partnerships delivered and their public deliverables),
/results/, /data/datasets/, /data/indicators/, /methods/, /case-studies/, /results/uptake/ and /transparency/, and
their files in the bulk download.

``EXPORTS`` answers the ``exports`` hook (projects/wagtail_hooks.py); ``connect_signals`` runs in ProjectsConfig.ready."""

from django.http import HttpRequest

from calls.models import ResearchCall
from hub.bulk import connect_rebuild_signals
from hub.exports import Column, Export
from hub.public_address import absolute_url
from profiles.models import CityPage, Organisation, ResearcherProfile
from projects.api import (
    case_studies_for_api,
    datasets_for_api,
    implementation_entries_for_api,
    indicators_for_api,
    methods_for_api,
    needs_for_api,
    partnership_deliverables_for_api,
    partnership_reports_for_api,
    partnerships_for_api,
    results_for_api,
    serialize_case_study,
    serialize_dataset,
    serialize_implementation_entry,
    serialize_indicator,
    serialize_method,
    serialize_need,
    serialize_partnership,
    serialize_partnership_deliverable,
    serialize_partnership_report,
    serialize_result,
    serialize_uptake,
    uptakes_for_api,
)
from projects.models import (
    CaseStudyPage,
    CityResponse,
    Dataset,
    Deliverable,
    ImplementationEntry,
    Indicator,
    MethodPage,
    Partnership,
    PartnershipReport,
    PolicyUptake,
    ResearchNeed,
    Result,
    Takedown,
)
from projects.selectors.case_studies import CaseStudyFilter, case_studies_public
from projects.selectors.datasets import dataset_list_page_queryset, datasets_filtered
from projects.selectors.indicators import IndicatorFilter, indicator_list_page, indicators_public
from projects.selectors.lifecycle import deliverables_public, reports_delivered_public
from projects.selectors.methods import method_pages_public
from projects.selectors.needs import NEEDS
from projects.selectors.partnerships import partnership_list_rows, partnerships_filtered
from projects.selectors.results import results_filtered, takedowns_public
from projects.selectors.uptake import uptakes_filtered

THEMES = Column("themes", 'Human-rights theme slugs, separated by "; ".')
SDG_TARGETS = Column("sdg_targets", 'SDG target codes (e.g. 11.3), separated by "; ".')
METHODS = Column("methods", 'Research method slugs, separated by "; ".')
GROUPS = Column("groups", 'Groups-in-focus slugs, separated by "; ".')
COUNTRIES = Column("countries", 'ISO 3166-1 alpha-2 codes of the countries concerned, separated by "; ".')
TERMS = (THEMES, SDG_TARGETS, METHODS, GROUPS)


def ref_columns(prefix: str, what: str, fields=("id", "slug", "title")) -> tuple[Column, ...]:
    """The flattened columns of a reference to another exported object (``partnership_id`` …)."""
    described = {
        "id": "Id of {}.",
        "slug": "Short name in its URL of {}.",
        "title": "Title of {}.",
        "name": "Name of {}.",
    }
    return tuple(Column(f"{prefix}_{field}", described[field].format(what)) for field in fields)


CITY_RESPONSE = (
    *ref_columns("city_response_city", "the city that replied to the result", ("id", "name", "slug")),
    Column("city_response_stance", "The city's stance: pending, accepted, partly accepted, rejected …"),
    Column("city_response_reasons", "The city's reasons."),
    Column("city_response_reply", "The city's reply."),
    Column("city_response_responded_at", "When the city replied (ISO 8601)."),
)

PARTNERSHIP_COLUMNS = (
    Column("id", "Stable identifier of the partnership (as in the open data API)."),
    Column("url", "Absolute URL of the partnership's page."),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("summary", "One-paragraph summary."),
    Column("description", "Longer description."),
    Column("origin", "How it started: from an awarded call or registered by its members."),
    Column("status", "Status: planned, active, completed …"),
    Column("call_id", "Id of the research call it was awarded under (calls.csv), if any."),
    *ref_columns("city", "the city or region (organisations.csv)", ("id", "name", "slug")),
    *TERMS,
    Column("members", 'Names of the members (researchers and officials), separated by "; ".'),
    Column("website", "The partnership's own website."),
    Column("started_at", "Start date (ISO 8601)."),
    Column("ended_at", "End date (ISO 8601)."),
    Column("created_at", "When it was registered on Bridges (ISO 8601)."),
    Column("updated_at", "When it was last changed (ISO 8601)."),
)

PARTNERSHIP_REF = (
    *ref_columns("partnership", "the partnership (partnerships.csv)"),
    Column("partnership_url", "Absolute URL of the partnership's page."),
)

PARTNERSHIP_REPORT_COLUMNS = (
    Column("id", "Stable identifier of the report."),
    *PARTNERSHIP_REF,
    Column("kind", "Kind: progress or final."),
    Column("title", "Title of the report."),
    Column("due_date", "Date the city set for it (ISO 8601)."),
    Column("status", "Always accepted: only reports the city accepted are public, never their content."),
    Column("delivered_on", "Date the team delivered the accepted version (ISO 8601)."),
)

PARTNERSHIP_DELIVERABLE_COLUMNS = (
    Column("id", "Stable identifier of the deliverable."),
    *PARTNERSHIP_REF,
    Column("title", "Title of the deliverable."),
    Column("status", "Status: planned, delivered or dropped."),
    Column("due_date", "Agreed due date (ISO 8601)."),
    Column("delivered_on", "Date it was delivered (ISO 8601), if it was."),
    Column("results", 'Absolute URLs of the public results that deliver it, separated by "; ".'),
    Column("datasets", 'Absolute URLs of the public datasets that deliver it, separated by "; ".'),
)

RESULT_COLUMNS = (
    Column("id", "Stable identifier of the result (as in the open data API)."),
    Column("url", "Absolute URL of the result's page."),
    Column("kind", "Kind: report, article, policy brief, tool, dataset …"),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("abstract", "Abstract."),
    Column("language", "ISO 639-1 code of its language."),
    Column("licence", "Licence of the result (e.g. CC-BY-4.0)."),
    Column("doi", "DOI, if any."),
    Column("version", "Number of its latest published version (earlier ones stay at /results/<slug>/v/<n>/)."),
    Column(
        "versions",
        'Numbers of its published versions, newest first, separated by "; " (in the API with date, note, URL).',
    ),
    Column("link", "Link to the full text elsewhere, if any."),
    Column("publication_date", "Publication date (ISO 8601)."),
    Column("public_since", "Date it became public on Bridges (after any embargo)."),
    *ref_columns("partnership", "the partnership that produced it (partnerships.csv)"),
    Column("authors", 'Author names, in order, separated by "; ".'),
    *TERMS,
    *CITY_RESPONSE,
    Column("updated_at", "When it was last changed (ISO 8601)."),
)

DATASET_COLUMNS = (
    Column("id", "Stable identifier of the dataset (as in the open data API)."),
    Column("url", "Absolute URL of the dataset's page."),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("description", "Description."),
    Column("licence", "Licence of the data (e.g. CC-BY-4.0)."),
    Column("provenance", "Where the data come from and how they were collected."),
    Column("access_level", "open (rows downloadable), on_request or closed (description only)."),
    Column("is_open", "true when its rows are public."),
    Column(
        "rows_url", "Open data API address of its rows (open datasets only; small counts and what reveals them hidden)."
    ),
    Column("personal_data", "Data about people: none, aggregated, anonymised, pseudonymised or personal."),
    Column("personal_data_note", "The data-protection measures taken."),
    Column("disaggregations", 'Keys it is disaggregated by (sex, age, disability …), separated by "; ".'),
    Column("columns", 'Names of its columns, separated by "; " (described in the API and on its page).'),
    Column("row_count", "Number of rows."),
    Column("version", "Number of its current file's version (earlier files stay downloadable)."),
    Column("doi", "DOI, if any."),
    Column("period_start", "First day of the period the data cover (ISO 8601)."),
    Column("period_end", "Last day of that period (ISO 8601)."),
    *ref_columns("partnership", "the partnership that published it (partnerships.csv)"),
    THEMES,
    SDG_TARGETS,
    GROUPS,
    COUNTRIES,
    Column("published_at", "When it was published (ISO 8601)."),
    Column("updated_at", "When it was last changed (ISO 8601)."),
)

INDICATOR_COLUMNS = (
    Column("id", "Stable identifier of the indicator (as in the open data API)."),
    Column("url", "Absolute URL of the indicator's page."),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("type", "OHCHR indicator type: structural, process or outcome."),
    Column("obligation", "The state obligation it measures: respect, protect or fulfil."),
    Column("theme_slug", "Slug of its human-rights theme."),
    Column("theme_name", "Name of that theme."),
    Column("sdg_indicator", "Code of the SDG indicator it maps to (e.g. 11.1.1), if any."),
    GROUPS,
    Column("unit", "Unit of its values."),
    Column("value_is_count", "true when values count people (small counts are then suppressed)."),
    Column("definition", "Definition."),
    Column("disaggregations", 'Keys its values may be disaggregated by, separated by "; ".'),
    Column(
        "observations_url", "Open data API address of its observations (small counts and what reveals them hidden)."
    ),
    Column("updated_at", "When it was last changed (ISO 8601)."),
)

METHOD_COLUMNS = (
    Column("id", "Stable identifier of the method page (as in the open data API)."),
    Column("url", "Absolute URL of the method's page."),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("method_slug", "Slug of the vocabulary method that calls, partnerships and results are tagged with."),
    Column("method_name", "Name of that method."),
    Column("summary", "Summary."),
    Column("what_it_is", "What the method is (HTML)."),
    Column("when_to_use", "When to use it (HTML)."),
    Column("steps", 'Titles of its steps, in order, separated by "; ".'),
    Column("ethics", "Ethics and participation guidance (HTML)."),
    Column("tools", 'Titles of its templates and tools, separated by "; ".'),
    *ref_columns("proposed_by", "the partnership that proposed it, if any"),
    Column("last_published_at", "When the page was last published (ISO 8601)."),
)

CASE_STUDY_COLUMNS = (
    Column("id", "Stable identifier of the case study (as in the open data API)."),
    Column("url", "Absolute URL of the case study's page."),
    Column("title", "Title."),
    Column("slug", "Short name in its URL."),
    Column("summary", "Summary."),
    *ref_columns("partnership", "the partnership it tells about (partnerships.csv)"),
    Column("context", "The context (HTML)."),
    Column("method", "The method followed (HTML)."),
    Column("what_changed", "What changed (HTML)."),
    Column("lessons", "Lessons learnt (HTML)."),
    Column("result_ids", 'Ids of its public results (results.csv), separated by "; ".'),
    Column("dataset_ids", 'Ids of its public datasets (datasets.csv), separated by "; ".'),
    THEMES,
    SDG_TARGETS,
    METHODS,
    COUNTRIES,
    Column("region", "World region: africa, americas, asia, europe or oceania (empty: not set)."),
    Column("featured", "true when featured on the home page."),
    Column("last_published_at", "When the page was last published (ISO 8601)."),
)

UPTAKE_COLUMNS = (
    Column("id", "Stable identifier of the record (as in the open data API)."),
    Column("url", "Absolute URL of the page of the result that informed it."),
    Column("kind", "Kind: decision, plan, budget, service, regulation or other."),
    Column("title", "Title of the decision, plan, budget line or service change."),
    Column("date", "Date of the decision (ISO 8601)."),
    Column("body", "The deciding body."),
    Column("link", "Link to the decision, if any."),
    Column("description", "How the result informed it."),
    *ref_columns("city", "the city that took the decision (organisations.csv)", ("id", "name", "slug")),
    *ref_columns("result", "the result that informed it (results.csv)"),
    Column("result_url", "Absolute URL of that result's page."),
    *CITY_RESPONSE,
    Column("updated_at", "When the record was last changed (ISO 8601)."),
    Column("decision_url", "Absolute URL of the decision's page (its implementation trail and indicators)."),
    Column("implementation_status", "Implementation status: planned, in_progress, done or abandoned."),
    Column("progress", "Progress share of the implementation, 0 to 100."),
    Column("department", "The department responsible for the implementation."),
    Column("indicators", 'Slugs of the indicators the decision intends to move (indicators.csv), separated by "; ".'),
    Column(
        "implementation",
        'Ids of the steps of its implementation trail (implementation_entries.csv), separated by "; ".',
    ),
)

IMPLEMENTATION_ENTRY_COLUMNS = (
    Column("id", "Stable identifier of the step (as in the open data API)."),
    Column("uptake_id", "Id of the decision record (policy_uptake.csv)."),
    Column("decision_url", "Absolute URL of the decision's page."),
    Column("date", "Date of the step (ISO 8601)."),
    Column("text", "What happened."),
    Column("status", "Implementation status after this step: planned, in_progress, done or abandoned."),
    Column("progress", "Progress share after this step, 0 to 100."),
    Column("link", "Link to the evidence, if any."),
    Column("file_url", "Absolute URL of the evidence file, if any."),
    Column("file_name", "Name of the evidence file, if any."),
)

TAKEDOWN_COLUMNS = (
    Column("id", "Stable identifier of the takedown."),
    Column("decided_at", "When the coordinator took the content down (ISO 8601)."),
    Column("title", "Title of the content at the time of the takedown."),
    Column("kind", "What was taken down: result or dataset."),
    Column("url", "Absolute URL that now shows the takedown notice."),
    Column("reason", "The public reason."),
    Column("decided_by_name", "Name of the network coordinator who decided."),
)


def serialize_takedown(request: HttpRequest, takedown: Takedown) -> dict:
    """One takedown as /transparency/ lists it (no user account, only the name shown there)."""
    return {
        "id": takedown.pk,
        "decided_at": takedown.decided_at,
        "title": takedown.title,
        "kind": takedown.content_type.model,
        "url": absolute_url(takedown.path),
        "reason": takedown.reason,
        "decided_by_name": takedown.decided_by_name,
    }


def partnerships_listed(params):
    """The public partnerships /partnerships/ shows with these filters, newest first."""
    filterset, _facets = partnerships_filtered(params, with_facets=False)
    return partnership_list_rows(filterset.qs)


def partnership_reports_listed(params):
    """The delivered reports of the partnerships /partnerships/ shows with these filters, by partnership and date."""
    partnerships = partnerships_listed(params).prefetch_related(None).order_by().values("pk")
    return (
        reports_delivered_public().filter(partnership__in=partnerships).order_by("partnership_id", "submitted_at", "pk")
    )


def partnership_deliverables_listed(params):
    """The public deliverables of the partnerships /partnerships/ shows with these filters, by partnership and date."""
    partnerships = partnerships_listed(params).prefetch_related(None).order_by().values("pk")
    return deliverables_public().filter(partnership__in=partnerships).order_by("partnership_id", "due_date", "pk")


def results_listed(params):
    """The public results (published, past any embargo) /results/ shows with these filters, in its sort order."""
    filterset, _facets = results_filtered(params, with_facets=False)
    return filterset.ordered_qs


def datasets_listed(params):
    """The published datasets /data/datasets/ shows with these filters (metadata only), newest first."""
    filterset, _facets = datasets_filtered(params, with_facets=False)
    return dataset_list_page_queryset(filterset)


def indicators_listed(params):
    """The indicators /data/indicators/ shows with these filters, by theme and title."""
    return indicator_list_page(IndicatorFilter(params, queryset=indicators_public()).qs)


def methods_listed(params):
    """The live method pages /methods/ shows (it has no filters), by title."""
    return method_pages_public()


def case_studies_listed(params):
    """The live case studies /case-studies/ shows with these filters, newest first."""
    return CaseStudyFilter(params, queryset=case_studies_public()).qs


def uptakes_listed(params):
    """The uptake records of public results /results/uptake/ shows with these filters, newest decision first."""
    filterset, _facets = uptakes_filtered(params, with_facets=False)
    return filterset.qs


def implementation_entries_listed(params):
    """The steps of the trails of the decisions /results/uptake/ shows with these filters, by decision, newest first."""
    return ImplementationEntry.objects.filter(uptake__in=uptakes_listed(params).order_by().values("pk")).order_by(
        "uptake_id", "-date", "-pk"
    )


NEED_COLUMNS = (
    Column("id", "Stable identifier of the need (as in the open data API)."),
    Column("url", "Absolute URL of the need's page."),
    Column("title", "Title of the need."),
    Column("situation", "The situation, as the people concerned describe it."),
    Column("missing_evidence", "What evidence is missing."),
    Column("author_name", "The name of the person who posted it."),
    *ref_columns("city", "the city the need is about (organisations.csv)", ("id", "name", "slug")),
    *ref_columns(
        "organisation", "the organisation it was posted for, if any (organisations.csv)", ("id", "name", "slug")
    ),
    THEMES,
    GROUPS,
    SDG_TARGETS,
    Column("status", "The city's answer: open (none yet), accepted (for a call), covered or not_now."),
    Column("answer", "The city's reasons."),
    Column("answered_at", "When the city answered (ISO 8601)."),
    Column("covered_by_url", "For covered needs: what already covers it."),
    Column("call_url", "Absolute URL of the call the need became, once it is published."),
    Column("endorsement_count", "Number of accounts that endorse the need."),
    Column("comment_count", "Number of public comments."),
    Column("topic_count", "Number of researchers and students who took it up as a thesis or project topic."),
    Column("created_at", "When the need was posted (ISO 8601)."),
    Column("updated_at", "When the need was last changed (ISO 8601)."),
)


def needs_listed(params):
    """The needs /needs/ shows with these filters (hidden ones never), in its order."""
    return NEEDS.listed(params)


def takedowns_listed(params):
    """Every takedown /transparency/ lists (it has no filters), newest first."""
    return takedowns_public()


EXPORTS = (
    Export(
        key="partnerships",
        title="Partnerships",
        description="Public partnerships between cities and researchers.",
        list_path="/partnerships/",
        columns=PARTNERSHIP_COLUMNS,
        listed=partnerships_listed,
        objects=partnerships_for_api,
        serialize=serialize_partnership,
        order=40,
    ),
    Export(
        key="partnership_reports",
        title="Partnership reports delivered",
        description="The reports each public partnership delivered and its city accepted: which one, when it was "
        "due and when it was delivered, as the partnership page lists them (their content, the city's comments and "
        "their attachments are never public; reports not accepted yet are left out).",
        list_path="/partnerships/",
        columns=PARTNERSHIP_REPORT_COLUMNS,
        listed=partnership_reports_listed,
        objects=partnership_reports_for_api,
        serialize=serialize_partnership_report,
        order=41,
    ),
    Export(
        key="partnership_deliverables",
        title="Partnership deliverables",
        description="The deliverables each public partnership agreed and shows publicly, with their due date, status "
        "and the public results and datasets that deliver them (deliverables kept for members only are left out).",
        list_path="/partnerships/",
        columns=PARTNERSHIP_DELIVERABLE_COLUMNS,
        listed=partnership_deliverables_listed,
        objects=partnership_deliverables_for_api,
        serialize=serialize_partnership_deliverable,
        order=42,
    ),
    Export(
        key="results",
        title="Results",
        description="Published results of the partnerships (embargoed ones once their embargo ends).",
        list_path="/results/",
        columns=RESULT_COLUMNS,
        listed=results_listed,
        objects=results_for_api,
        serialize=serialize_result,
        licence="CC BY 4.0 for the descriptions; each result's own licence is in `licence`",
        order=50,
    ),
    Export(
        key="datasets",
        title="Datasets",
        description="Descriptions of the published datasets, whatever their access level (no rows: open datasets' "
        "rows are at `rows_url`).",
        list_path="/data/datasets/",
        columns=DATASET_COLUMNS,
        listed=datasets_listed,
        objects=datasets_for_api,
        serialize=serialize_dataset,
        licence="CC BY 4.0 for the descriptions; each dataset's own licence is in `licence`",
        order=60,
    ),
    Export(
        key="indicators",
        title="Indicators",
        description="Human-rights indicators (OHCHR framework) mapped to the SDG indicators.",
        list_path="/data/indicators/",
        columns=INDICATOR_COLUMNS,
        listed=indicators_listed,
        objects=indicators_for_api,
        serialize=serialize_indicator,
        order=70,
    ),
    Export(
        key="methods",
        title="Methods",
        description="Live pages of the methods library.",
        list_path="/methods/",
        columns=METHOD_COLUMNS,
        listed=methods_listed,
        objects=methods_for_api,
        serialize=serialize_method,
        order=80,
    ),
    Export(
        key="case_studies",
        title="Case studies",
        description="Live case studies of partnerships.",
        list_path="/case-studies/",
        columns=CASE_STUDY_COLUMNS,
        listed=case_studies_listed,
        objects=case_studies_for_api,
        serialize=serialize_case_study,
        order=90,
    ),
    Export(
        key="policy_uptake",
        title="Policy uptake",
        description="Decisions, plans, budget lines and service changes that public results informed, with the "
        "commissioning city's response.",
        list_path="/results/uptake/",
        columns=UPTAKE_COLUMNS,
        listed=uptakes_listed,
        objects=uptakes_for_api,
        serialize=serialize_uptake,
        order=100,
    ),
    Export(
        key="implementation_entries",
        title="Implementation trails",
        description="The dated steps of the implementation of the decisions in policy_uptake.csv, with their "
        "evidence and the status and progress share after each step.",
        list_path="/results/uptake/",
        columns=IMPLEMENTATION_ENTRY_COLUMNS,
        listed=implementation_entries_listed,
        objects=implementation_entries_for_api,
        serialize=serialize_implementation_entry,
        order=105,
    ),
    Export(
        key="takedowns",
        title="Takedowns",
        description="Every decision of a network coordinator to take public content down, with its public reason.",
        list_path="/transparency/",
        columns=TAKEDOWN_COLUMNS,
        listed=takedowns_listed,
        objects=takedowns_public,
        serialize=serialize_takedown,
        order=110,
    ),
    Export(
        key="research_needs",
        title="Research needs",
        description="Research needs posted by the people concerned for a city, with the city's public answer "
        "(needs hidden by a coordinator are left out).",
        list_path="/needs/",
        columns=NEED_COLUMNS,
        listed=needs_listed,
        objects=needs_for_api,
        serialize=serialize_need,
        order=105,
    ),
)


def connect_signals() -> None:
    """Rebuild the bulk download when any exported type changes (every app's public types, listed here at the top)."""
    connect_rebuild_signals(
        ResearchCall,
        Organisation,
        ResearcherProfile,
        CityPage,
        Partnership,
        PartnershipReport,
        Deliverable,
        Result,
        CityResponse,
        Dataset,
        Indicator,
        MethodPage,
        CaseStudyPage,
        PolicyUptake,
        ImplementationEntry,
        ResearchNeed,
        Takedown,
    )
