"""CSV exports of /partnerships/ and /results/ and their files in the bulk download."""

from hub.bulk import connect_rebuild_signals
from hub.exports import Column, Export, register_export
from projects.api import _partnership, _partnerships, _result, _results
from projects.models import Partnership, Result
from projects.selectors.partnerships import partnerships_filtered
from projects.selectors.results import results_filtered

TERMS = (
    Column("themes", 'Human-rights theme slugs, separated by "; ".'),
    Column("sdg_targets", 'SDG target codes (e.g. 11.3), separated by "; ".'),
    Column("methods", 'Research method slugs, separated by "; ".'),
    Column("groups", 'Groups-in-focus slugs, separated by "; ".'),
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
    Column("city_id", "Id of the city or region (organisations.csv)."),
    Column("city_name", "Name of the city or region."),
    Column("city_slug", "Short name of the city or region in its URL."),
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
    Column("partnership_id", "Id of the partnership that produced it (partnerships.csv)."),
    Column("partnership_slug", "Short name of that partnership."),
    Column("partnership_title", "Title of that partnership."),
    Column("authors", 'Author names, in order, separated by "; ".'),
    *TERMS,
    Column("city_response_city_id", "Id of the city that replied to the result."),
    Column("city_response_city_name", "Name of that city."),
    Column("city_response_city_slug", "Short name of that city."),
    Column("city_response_stance", "The city's stance: pending, accepted, partly accepted, rejected …"),
    Column("city_response_reasons", "The city's reasons."),
    Column("city_response_reply", "The city's reply."),
    Column("city_response_responded_at", "When the city replied (ISO 8601)."),
    Column("updated_at", "When it was last changed (ISO 8601)."),
)


def partnership_rows(params):
    """The public partnerships /partnerships/ shows with these filters, by id."""
    filterset, _facets = partnerships_filtered(params, with_facets=False)
    return _partnerships().filter(pk__in=filterset.qs.values("pk")).order_by("pk")


def result_rows(params):
    """The public results (published, past any embargo) /results/ shows with these filters, by id."""
    filterset, _facets = results_filtered(params, with_facets=False)
    return _results().filter(pk__in=filterset.qs.values("pk")).order_by("pk")


def register() -> None:
    register_export(
        Export(
            key="partnerships",
            title="Partnerships",
            description="Public partnerships between cities and researchers.",
            list_path="/partnerships/",
            url_name="partnership_list_csv",
            columns=PARTNERSHIP_COLUMNS,
            rows=partnership_rows,
            serialize=_partnership,
            order=40,
        )
    )
    register_export(
        Export(
            key="results",
            title="Results",
            description="Published results of the partnerships (embargoed ones once their embargo ends).",
            list_path="/results/",
            url_name="result_list_csv",
            columns=RESULT_COLUMNS,
            rows=result_rows,
            serialize=_result,
            licence="CC BY 4.0 for the descriptions; each result's own licence is in `licence`",
            order=50,
        )
    )


def connect_signals() -> None:
    """Rebuild the bulk download when any exported type changes (every app's public types, listed here at the top)."""
    from calls.models import ResearchCall
    from profiles.models import Organisation, ResearcherProfile

    connect_rebuild_signals(ResearchCall, Organisation, ResearcherProfile, Partnership, Result)
