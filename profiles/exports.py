"""CSV exports of /researchers/ (public fields only, per ``profiles.visibility``), /organisations/ and /cities/.

``EXPORTS`` answers the ``exports`` hook (profiles/wagtail_hooks.py)."""

from hub.exports import Column, Export
from profiles import visibility
from profiles.api import (
    cities_for_api,
    organisations_for_api,
    researchers_for_api,
    serialize_city,
    serialize_organisation,
    serialize_researcher,
)
from profiles.filters import ResearcherFilter
from profiles.selectors import city_pages_public, organisations_public

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


CITY_COLUMNS = (
    Column("id", "Stable identifier of the city page (as in the open data API)."),
    Column("url", "Absolute URL of the city's page."),
    Column("title", "Name of the city or region as its page shows it."),
    Column("slug", "Short name of the city in its URL."),
    Column("intro", "What the city does for human rights, in two sentences."),
    Column("organisation_id", "Id of the city's organisation (organisations.csv)."),
    Column("organisation_name", "Name of that organisation."),
    Column("organisation_slug", "Short name of that organisation in its URL."),
    Column("city", "City where the organisation is based."),
    Column("country_code", "ISO 3166-1 alpha-2 code of its country."),
    Column("country_name", "Name of its country."),
    Column("population", "Population."),
    Column("hr_city_declaration_year", "Year the city declared itself a human-rights city, if it did."),
    Column("hr_city_declaration_url", "Link to that declaration, if any."),
    Column("last_published_at", "When the city's page was last published (ISO 8601)."),
)


def organisations_listed(params):
    """The verified organisations /organisations/ shows with these filters, by name."""
    return organisations_public(filters=params).qs


def researchers_listed(params):
    """The researchers /researchers/ shows an anonymous visitor with these filters, in its order (by last name).

    Filters on a personal field match only the profiles that show that field publicly (``viewer=None``)."""
    listed = visibility.profiles_visible_to(None).filter(is_public=True)
    return ResearcherFilter(params, queryset=listed, viewer=None).qs


def cities_listed(params):
    """The live city pages /cities/ shows (it has no filters), by name."""
    return city_pages_public()


EXPORTS = (
    Export(
        key="researchers",
        title="Researchers",
        description="Researchers listed in the public directory, with only the fields each made public.",
        list_path="/researchers/",
        columns=RESEARCHER_COLUMNS,
        listed=researchers_listed,
        objects=researchers_for_api,
        serialize=serialize_researcher,
        order=20,
    ),
    Export(
        key="organisations",
        title="Organisations",
        description="Verified organisations: cities and regions, universities, human-rights institutions, NGOs.",
        list_path="/organisations/",
        columns=ORGANISATION_COLUMNS,
        listed=organisations_listed,
        objects=organisations_for_api,
        serialize=serialize_organisation,
        order=30,
    ),
    Export(
        key="cities",
        title="Cities",
        description="Live pages of the verified cities and regional governments.",
        list_path="/cities/",
        columns=CITY_COLUMNS,
        listed=cities_listed,
        objects=cities_for_api,
        serialize=serialize_city,
        order=35,
    ),
)
