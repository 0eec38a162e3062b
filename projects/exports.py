"""CSV exports of /partnerships/, /results/, /data/datasets/, /data/indicators/, /methods/, /case-studies/,
/results/uptake/ and /transparency/, and their files in the bulk download."""

from django.http import HttpRequest

from hub.bulk import connect_rebuild_signals
from hub.exports import Column, Export, register_exports
from hub.public_address import absolute_url
from projects.api import (
    case_studies_for_api,
    datasets_for_api,
    indicators_for_api,
    methods_for_api,
    partnerships_for_api,
    results_for_api,
    serialize_case_study,
    serialize_dataset,
    serialize_indicator,
    serialize_method,
    serialize_partnership,
    serialize_result,
    serialize_uptake,
    uptakes_for_api,
)
from projects.models import Takedown
from projects.selectors.case_studies import CaseStudyFilter, case_studies_public
from projects.selectors.datasets import dataset_list_page_queryset, datasets_filtered
from projects.selectors.indicators import IndicatorFilter, indicator_list_page, indicators_public
from projects.selectors.methods import method_pages_public
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
)


def register() -> None:
    register_exports(EXPORTS)


def connect_signals() -> None:
    """Rebuild the bulk download when any exported type changes (every app's public types, listed here at the top)."""
    from calls.models import ResearchCall
    from profiles.models import CityPage, Organisation, ResearcherProfile
    from projects.models import (
        CaseStudyPage,
        CityResponse,
        Dataset,
        Indicator,
        MethodPage,
        Partnership,
        PolicyUptake,
        Result,
    )

    connect_rebuild_signals(
        ResearchCall,
        Organisation,
        ResearcherProfile,
        CityPage,
        Partnership,
        Result,
        CityResponse,
        Dataset,
        Indicator,
        MethodPage,
        CaseStudyPage,
        PolicyUptake,
        Takedown,
    )
