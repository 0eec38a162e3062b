"""CSV exports of /organisations/ and /researchers/ (public fields only, per ``profiles.visibility``)."""

from hub.exports import Column, Export, register_export
from profiles.api import _organisation, _organisations, _researcher, _researchers
from profiles.filters import ResearcherFilter
from profiles.selectors import organisations_public

ORGANISATION_COLUMNS = (
    Column("id", "Stable identifier of the organisation (as in the open data API)."),
    Column("url", "Absolute URL of the organisation's page."),
    Column("name", "Name of the organisation."),
    Column("slug", "Short name of the organisation in its URL."),
    Column("kind", "Kind: city, region, university, nhri, ngo, network …"),
    Column("country_code", "ISO 3166-1 alpha-2 code of its country."),
    Column("country_name", "Name of its country."),
    Column("city", "City where it is based."),
    Column("website", "Its website."),
    Column("description", "Short description."),
    Column("logo", "Absolute URL of its logo, if any."),
    Column("population", "Population (cities and regions)."),
    Column("hr_city_declaration_year", "Year the city declared itself a human-rights city, if it did."),
    Column("networks", 'Slugs of the verified networks it belongs to, separated by "; ".'),
    Column("verified_at", "When Bridges verified the organisation (ISO 8601)."),
)

RESEARCHER_COLUMNS = (
    Column("id", "Stable identifier of the researcher's profile (as in the open data API)."),
    Column("name", "Display name."),
    Column("headline", "One-line description the researcher wrote."),
    Column("url", "Absolute URL of the public profile."),
    Column("themes", 'Human-rights theme slugs, separated by "; ".'),
    Column("sdg_targets", 'SDG target codes, separated by "; ".'),
    Column("methods", 'Research method slugs, separated by "; ".'),
    Column("groups", 'Groups-in-focus slugs, separated by "; ".'),
    Column("photo", "Absolute URL of the photo (empty unless the researcher made it public)."),
    Column("affiliation", "Affiliation (empty unless public)."),
    Column("orcid", "ORCID iD (empty unless public)."),
    Column("career_stage", "Career stage (empty unless public)."),
    Column(
        "countries", 'ISO 3166-1 alpha-2 codes of the countries they work in, "; "-separated (empty unless public).'
    ),
    Column("languages", 'ISO 639-1 codes of their working languages, "; "-separated (empty unless public).'),
    Column("bio", "Biography (empty unless public)."),
    Column("publications", 'Titles of selected publications, "; "-separated (empty unless public).'),
    Column("available", "true when open to new partnerships (empty unless public)."),
    Column("available_from", "Date from which they are available (empty unless public)."),
)


def organisation_rows(params):
    """The verified organisations /organisations/ shows with these filters, by id."""
    filterset = organisations_public(filters=params)
    return _organisations().filter(pk__in=filterset.qs.values("pk")).order_by("pk")


def researcher_rows(params):
    """The researchers /researchers/ shows an anonymous visitor with these filters (public fields only), by id."""
    queryset = _researchers().filter(is_public=True)
    return ResearcherFilter(params, queryset=queryset, viewer=None).qs.order_by("pk")


def register() -> None:
    register_export(
        Export(
            key="organisations",
            title="Organisations",
            description="Verified organisations: cities and regions, universities, human-rights institutions, NGOs.",
            list_path="/organisations/",
            url_name="organisation_list_csv",
            columns=ORGANISATION_COLUMNS,
            rows=organisation_rows,
            serialize=_organisation,
            order=30,
        )
    )
    register_export(
        Export(
            key="researchers",
            title="Researchers",
            description="Researchers listed in the public directory, with only the fields each made public.",
            list_path="/researchers/",
            url_name="researcher_list_csv",
            columns=RESEARCHER_COLUMNS,
            rows=researcher_rows,
            serialize=_researcher,
            order=20,
        )
    )
