"""DCAT-AP 3.0.1 descriptions of datasets and of the catalogue, as JSON-LD.

They conform to the official SHACL shapes (tests/projects/test_dcat_shacl.py validates them): themes are
``skos:Concept`` IRIs of the site's own concept schemes (hub/skos.py), places are ``dct:Location`` IRIs
(countries from the EU country authority table, cities on the site), media types are IANA IRIs and file
types the EU's, access rights the EU access-right vocabulary, and every node says its class. Every address
of the site is absolute on ``SITE_BASE_URL``; numbers and dates are never localised.
"""

import datetime as dt

from django.urls import reverse
from django.utils import translation

import pycountry

from hub import skos
from hub.public_address import absolute_url
from projects.models import Dataset

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

LICENCE_URLS = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
}
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHTS = {
    Dataset.AccessLevel.OPEN: "PUBLIC",
    Dataset.AccessLevel.ON_REQUEST: "RESTRICTED",
    Dataset.AccessLevel.CLOSED: "NON_PUBLIC",
}
# (URL name, label, IANA media type, EU file type)
DOWNLOADS = (
    ("dataset_download_csv", "CSV", "text/csv", "CSV"),
    ("dataset_download_json", "JSON", "application/json", "JSON"),
)
CATALOGUE_PUBLISHER = "Bridges"


def _text(value: str) -> dict:
    """A literal in the language the site writes its content in."""
    return {"@value": value, "@language": "en"}


def _date(value: dt.date | None) -> dict | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return {"@value": value.astimezone(dt.UTC).replace(microsecond=0).isoformat(), "@type": "xsd:dateTime"}
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _document(path: str) -> dict:
    return {"@id": absolute_url(path), "@type": "foaf:Document"}


def licence_node(licence: str) -> dict:
    return {
        "@id": LICENCE_URLS.get(licence) or f"https://spdx.org/licenses/{licence}.html",
        "@type": "dct:LicenseDocument",
    }


def country_location(country) -> dict:
    """A country as the EU's authority table names it (ISO 3166-1 alpha-3)."""
    code3 = country.code3 or getattr(pycountry.countries.get(alpha_2=country.code), "alpha_3", "")
    iri = (
        f"{EU_AUTHORITY}country/{code3.upper()}" if code3 else absolute_url(f"/vocabularies/countries/#{country.code}")
    )
    return {"@id": iri, "@type": "dct:Location", "skos:prefLabel": _text(country.name)}


def city_location(organisation) -> dict:
    """The city a partnership works with: a place named on the city's own page of the site."""
    return {
        "@id": absolute_url(organisation.get_absolute_url()) + "#place",
        "@type": "dct:Location",
        "skos:prefLabel": _text(organisation.city or organisation.name),
    }


def publisher_of(partnership) -> dict:
    return {
        "@id": absolute_url(partnership.get_absolute_url()) + "#agent",
        "@type": "foaf:Agent",
        "foaf:name": partnership.title,
        "foaf:homepage": _document(partnership.get_absolute_url()),
    }


def catalogue_publisher() -> dict:
    return {
        "@id": absolute_url("/") + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": CATALOGUE_PUBLISHER,
        "foaf:homepage": _document("/"),
    }


def access_rights(dataset: Dataset) -> dict:
    """The EU access-right concept for the dataset's access level, with the site's own wording."""
    return {
        "@id": f"{EU_AUTHORITY}access-right/{ACCESS_RIGHTS[dataset.access_level]}",
        "@type": "dct:RightsStatement",
        "rdfs:label": _text(str(dataset.get_access_level_display())),
    }


def _distributions(dataset: Dataset, landing: str) -> list[dict]:
    """Open data: a CSV and a JSON download. On request: one distribution reached through the dataset's page,
    where access is requested. Closed: none (its description is all that is public)."""
    licence = licence_node(dataset.licence)
    rights = access_rights(dataset)
    if dataset.is_open:
        return [
            {
                "@id": absolute_url(reverse(name, args=[dataset.slug])) + "#distribution",
                "@type": "dcat:Distribution",
                "dct:title": f"{dataset.title} ({label})",
                "dcat:accessURL": {"@id": landing},
                "dcat:downloadURL": {"@id": absolute_url(reverse(name, args=[dataset.slug]))},
                "dcat:mediaType": {
                    "@id": f"http://www.iana.org/assignments/media-types/{media}",
                    "@type": "dct:MediaType",
                },
                "dct:format": {"@id": f"{EU_AUTHORITY}file-type/{file_type}", "@type": "dct:MediaTypeOrExtent"},
                "dct:license": licence,
                "dct:rights": rights,
            }
            for name, label, media, file_type in DOWNLOADS
        ]
    if dataset.access_level == Dataset.AccessLevel.ON_REQUEST and dataset.status == Dataset.Status.PUBLISHED:
        return [
            {
                "@id": landing + "#on-request",
                "@type": "dcat:Distribution",
                "dct:title": f"{dataset.title} (on request)",
                "dct:description": _text(
                    "The data is shared with approved requests: ask for access on the dataset's page."
                ),
                "dcat:accessURL": {"@id": landing},
                "dcat:mediaType": {
                    "@id": "http://www.iana.org/assignments/media-types/text/csv",
                    "@type": "dct:MediaType",
                },
                "dct:license": licence,
                "dct:rights": rights,
            }
        ]
    return []


def dcat_dataset(dataset: Dataset, *, with_context: bool = True) -> dict:
    """The DCAT-AP / schema.org description of a dataset; downloads are listed only for open datasets.

    Reads the dataset's partnership (and its city), themes, SDG targets (with goals) and countries: prefetch them.
    """
    with translation.override("en"):
        return _dcat_dataset(dataset, with_context=with_context)


def dataset_iri(dataset: Dataset) -> str:
    """The dataset's stable address: its page on ``SITE_BASE_URL``, the same in every language."""
    with translation.override("en"):
        return absolute_url(dataset.get_absolute_url())


def _dcat_dataset(dataset: Dataset, *, with_context: bool) -> dict:
    url = dataset_iri(dataset)
    partnership = dataset.partnership
    spatial = [country_location(c) for c in dataset.countries.all()]
    if partnership.city_id:
        spatial.append(city_location(partnership.city))
    entry = {
        "@type": ["dcat:Dataset", "schema:Dataset"],
        "@id": url,
        "dct:identifier": url,
        "dct:title": dataset.title,
        "dct:description": dataset.description,
        "dct:license": licence_node(dataset.licence),
        "dct:publisher": publisher_of(partnership),
        "dcat:landingPage": {"@id": url, "@type": "foaf:Document"},
        "dct:accessRights": access_rights(dataset),
        "dct:provenance": (
            {"@type": "dct:ProvenanceStatement", "rdfs:label": _text(dataset.provenance)}
            if dataset.provenance
            else None
        ),
        "dcat:keyword": list(dataset.disaggregations or []),
        "dcat:theme": [skos.theme_concept(t, full=False) for t in dataset.themes.all()]
        + [skos.sdg_target_concept(t, full=False) for t in dataset.sdg_targets.all()],
        "dct:spatial": spatial,
        "dct:issued": _date(dataset.published_at),
        "dct:modified": _date(dataset.updated_at),
        "schema:variableMeasured": [
            {
                "@type": "schema:PropertyValue",
                "schema:name": c["name"],
                "schema:description": c.get("description", ""),
                "schema:unitText": c.get("type"),
            }
            for c in dataset.schema or []
        ],
    }
    if dataset.period_start or dataset.period_end:
        period = {"@type": "dct:PeriodOfTime"}
        if dataset.period_start:
            period["dcat:startDate"] = _date(dataset.period_start)
        if dataset.period_end:
            period["dcat:endDate"] = _date(dataset.period_end)
        entry["dct:temporal"] = period
    entry["dcat:distribution"] = _distributions(dataset, url)
    entry = {key: value for key, value in entry.items() if value not in (None, [], "")}
    if with_context:
        entry = {"@context": DCAT_CONTEXT, **entry}
    return entry


def dcat_catalogue(datasets) -> dict:
    """/data/catalog.jsonld: the catalogue of ``datasets`` (every public one), with its publisher and taxonomies."""
    datasets = list(datasets)
    with translation.override("en"):
        entries = [_dcat_dataset(d, with_context=False) for d in datasets]
        catalogue = {
            "@context": DCAT_CONTEXT,
            "@type": "dcat:Catalog",
            "@id": absolute_url(reverse("dataset_catalog")),
            "dct:title": "Bridges open data catalogue",
            "dct:description": "Datasets published by partnerships of local governments and researchers on Bridges.",
            "dct:publisher": catalogue_publisher(),
            "foaf:homepage": _document(reverse("dataset_list")),
            "dct:language": {"@id": f"{EU_AUTHORITY}language/ENG", "@type": "dct:LinguisticSystem"},
            "dcat:themeTaxonomy": [skos.scheme_node(skos.THEMES), skos.scheme_node(skos.SDG)],
            "dcat:dataset": entries,
        }
        modified = max((d.updated_at for d in datasets if d.updated_at), default=None)
        if modified:
            catalogue["dct:modified"] = _date(modified)
    return catalogue
