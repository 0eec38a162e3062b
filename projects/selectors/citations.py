"""The facts a citation needs, read from a result's or dataset's published versions (see ``projects.citations``)."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.public_address import absolute_url
from projects.citations import Citable, Creator, VersionLink, formatted
from projects.models import Dataset, DatasetVersion, Result, ResultVersion

# The DataCite test prefix: a deployment sets its own (``DATACITE_PREFIX``) before it mints anything.
DATACITE_TEST_PREFIX = "10.5072"


def publisher() -> str:
    return getattr(settings, "CITATION_PUBLISHER", "") or settings.WAGTAIL_SITE_NAME


def datacite_prefix() -> str:
    return getattr(settings, "DATACITE_PREFIX", "") or DATACITE_TEST_PREFIX


def result_version_url(result: Result, number: int) -> str:
    return absolute_url(reverse("result_version", args=[result.slug, number]))


def dataset_version_url(dataset: Dataset, number: int) -> str:
    return absolute_url(reverse("dataset_version", args=[dataset.slug, number]))


def result_citable(result: Result, version: ResultVersion, numbers: list[int]) -> Citable:
    """One version of a result; ``numbers`` are all its published version numbers (for related identifiers)."""
    snap = version.snapshot
    date = dt.date.fromisoformat(snap["publication_date"]) if snap.get("publication_date") else None
    partnership = result.partnership
    return Citable(
        key=f"bridges-result-{result.pk}-v{version.number}",
        kind=snap.get("kind") or result.kind,
        title=snap.get("title") or version.title,
        creators=tuple(
            Creator(name=a.get("name", ""), affiliation=a.get("affiliation", ""), orcid=a.get("orcid", ""))
            for a in snap.get("authors", [])
        ),
        publisher=publisher(),
        url=result_version_url(result, version.number),
        version=version.number,
        date=date or timezone.localdate(version.published_at),
        doi=snap.get("doi", ""),
        abstract=snap.get("abstract", ""),
        language=snap.get("language", ""),
        licence=snap.get("licence", ""),
        resource_label=str(Result.Kind(snap.get("kind") or result.kind).label),
        container=partnership.title if partnership.is_public else "",
        versions=tuple(VersionLink(n, result_version_url(result, n)) for n in sorted(numbers)),
        accessed=timezone.localdate(),
    )


def result_doi_to_mint(result: Result, version: ResultVersion) -> str:
    """The record's own DOI, or the one this deployment would register for this version."""
    return version.snapshot.get("doi") or f"{datacite_prefix()}/bridges.result.{result.pk}.v{version.number}"


def dataset_creators(dataset: Dataset) -> tuple[Creator, ...]:
    """The authors of the result it belongs to, else the partnership (an organisational creator)."""
    if dataset.result_id and dataset.result.status == Result.Status.PUBLISHED:
        latest = dataset.result.versions.order_by("-number").first()
        if latest is not None:
            return tuple(
                Creator(name=a.get("name", ""), affiliation=a.get("affiliation", ""), orcid=a.get("orcid", ""))
                for a in latest.snapshot.get("authors", [])
            )
    return (Creator(name=dataset.partnership.title, organisation=True),)


def dataset_citable(dataset: Dataset, version: DatasetVersion, numbers: list[int]) -> Citable:
    published = version.confirmed_at or dataset.published_at or dataset.created_at
    return Citable(
        key=f"bridges-dataset-{dataset.pk}-v{version.number}",
        kind="dataset",
        title=dataset.title,
        creators=dataset_creators(dataset),
        publisher=publisher(),
        url=dataset_version_url(dataset, version.number),
        version=version.number,
        date=timezone.localdate(published) if published else None,
        doi=dataset.doi,
        abstract=dataset.description,
        licence=dataset.licence,
        resource_label="Dataset",
        container=dataset.partnership.title if dataset.partnership.is_public else "",
        versions=tuple(VersionLink(n, dataset_version_url(dataset, n)) for n in sorted(numbers)),
        accessed=timezone.localdate(),
    )


def dataset_doi_to_mint(dataset: Dataset, version: DatasetVersion) -> str:
    return dataset.doi or f"{datacite_prefix()}/bridges.dataset.{dataset.pk}.v{version.number}"


def confirmed_versions(dataset: Dataset):
    """A dataset's confirmed versions, newest first."""
    return dataset.versions.filter(number__isnull=False).order_by("-number")


def cite_links(name: str, args: list) -> list[dict]:
    """The "Cite" downloads of one version, each with its label (URL name ``name`` with ``args`` + the format)."""
    labels = {
        "bib": _("BibTeX"),
        "ris": _("RIS (EndNote, Zotero, Mendeley)"),
        "csl.json": _("CSL-JSON"),
        "txt": _("Plain text"),
        "datacite.xml": _("DataCite XML (metadata for a DOI)"),
    }
    return [{"url": reverse(name, args=[*args, fmt]), "label": label, "fmt": fmt} for fmt, label in labels.items()]


def result_cite_context(result: Result) -> dict:
    """What a result's page shows of its versions and citation: two queries whatever the number of versions."""
    if result.status != Result.Status.PUBLISHED or not result.version_number:
        return {"versions": [], "citation": "", "cite_links": []}
    versions = list(result.versions.defer("snapshot").order_by("-number"))
    latest = result.versions.filter(number=result.version_number).first()
    if latest is None:
        return {"versions": versions, "citation": "", "cite_links": []}
    record = result_citable(result, latest, [v.number for v in versions])
    return {
        "versions": versions,
        "citation": formatted(record),
        "cite_links": cite_links("result_cite", [result.slug]),
    }


def dataset_cite_context(dataset: Dataset) -> dict:
    """What a dataset's page shows of its versions and citation (one query, plus the creators' if from a result)."""
    versions = list(confirmed_versions(dataset))
    if dataset.status != Dataset.Status.PUBLISHED:
        return {"versions": versions, "citation": "", "cite_links": []}
    current = next((v for v in versions if v.number == dataset.version_number), None)
    if current is None:
        return {"versions": versions, "citation": "", "cite_links": []}
    record = dataset_citable(dataset, current, [v.number for v in versions])
    return {
        "versions": versions,
        "citation": formatted(record),
        "cite_links": cite_links("dataset_cite", [dataset.slug]),
    }
