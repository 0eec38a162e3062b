"""Versions and citations: a result's and a dataset's earlier versions at their own addresses, the "Cite"
downloads (BibTeX, RIS, CSL-JSON, formatted text, DataCite XML), and a dataset's new-file flow.

Each view reads the record through the same visibility as its page: a draft or embargoed result is a 404,
a taken-down record shows the takedown notice on every version, and an old dataset file is downloadable
under the dataset's access rules (restricted stays restricted).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.forms import apply_validation_error
from hub.public_address import absolute_url
from projects import citations
from projects.forms.datasets import DatasetVersionForm
from projects.models import Dataset, DatasetVersion, Result, ResultVersion
from projects.selectors import citations as cite
from projects.selectors import results as result_selectors
from projects.services import datasets as dataset_services
from projects.services import versions as services
from projects.views.datasets import _dataset_for, _taken_down, download_response
from projects.views.results import _result_or_notice

# format → (file extension, content type)
FORMATS = {
    "bib": ("bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "csl.json": ("csl.json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    "txt": ("txt", "text/plain; charset=utf-8"),
    "datacite.xml": ("datacite.xml", "application/vnd.datacite.datacite+xml; charset=utf-8"),
}


def _body(record: citations.Citable, fmt: str, *, doi: str) -> str | bytes:
    if fmt == "bib":
        return citations.bibtex(record)
    if fmt == "ris":
        return citations.ris(record)
    if fmt == "csl.json":
        return citations.csl_json_text(record)
    if fmt == "txt":
        return citations.formatted(record) + "\n"
    return citations.datacite_xml(record, doi=doi)


def _citation_response(record: citations.Citable, fmt: str, *, doi: str, stem: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    extension, content_type = FORMATS[fmt]
    response = HttpResponse(_body(record, fmt, doi=doi), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}-v{record.version}.{extension}"'
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Results ---------------------------------------------------------------------------------------------------


def _public_result(request, slug: str):
    """(result, None) for a published result the user may read; (None, notice) when taken down; else 404.

    Embargoed results are visible to their research team only (the page's own queryset); drafts have no version.
    """
    result, notice = _result_or_notice(request, slug, result_selectors.result_page_queryset(request.user))
    if notice is not None:
        return None, notice
    if result.status != Result.Status.PUBLISHED or not result.version_number:
        raise Http404
    return result, None


def result_version(request, slug: str, number: int):
    """/results/<slug>/v/<n>/: a version as it was published, with a banner pointing to the latest."""
    result, notice = _public_result(request, slug)
    if notice is not None:
        return notice
    version = get_object_or_404(ResultVersion.objects.select_related("published_by"), result=result, number=number)
    versions = services.result_versions(result)
    snapshot = version.snapshot
    record = cite.result_citable(result, version, [v.number for v in versions])
    files = [f for f in result.files.all() if f.pk in set(snapshot.get("files", []))]
    return render(
        request,
        "projects/results/result_version.html",
        {
            "result": result,
            "version": version,
            "snapshot": snapshot,
            "is_latest": version.number == result.version_number,
            "canonical_url": absolute_url(
                result.get_absolute_url() if version.number == result.version_number else request.path
            ),
            "publication_date": record.date,
            "versions": versions,
            "files": files,
            "citation": citations.formatted(record),
            "cite_links": cite.cite_links("result_version_cite", [result.slug, version.number]),
        },
    )


def _result_cite(request, slug: str, fmt: str, number: int | None):
    result, notice = _public_result(request, slug)
    if notice is not None:
        return notice
    versions = services.result_versions(result)
    if not versions:
        raise Http404
    wanted = number or result.version_number
    version = get_object_or_404(ResultVersion, result=result, number=wanted)
    record = cite.result_citable(result, version, [v.number for v in versions])
    return _citation_response(record, fmt, doi=cite.result_doi_to_mint(result, version), stem=result.slug)


def result_cite(request, slug: str, fmt: str):
    return _result_cite(request, slug, fmt, None)


def result_version_cite(request, slug: str, number: int, fmt: str):
    return _result_cite(request, slug, fmt, number)


# --- Datasets --------------------------------------------------------------------------------------------------


def _published_dataset(request, slug: str):
    dataset = _dataset_for(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return None, _taken_down(request, dataset)
    return dataset, None


def _dataset_version(dataset: Dataset, number: int) -> DatasetVersion:
    return get_object_or_404(DatasetVersion.objects.select_related("created_by"), dataset=dataset, number=number)


def dataset_version(request, slug: str, number: int):
    """/data/datasets/<slug>/v/<n>/: one file of the dataset, its columns, what changed, its downloads."""
    dataset, notice = _published_dataset(request, slug)
    if notice is not None:
        return notice
    version = _dataset_version(dataset, number)
    versions = list(cite.confirmed_versions(dataset))
    allowed, _full, _request, reason = dataset_services.download_access(request.user, dataset)
    record = cite.dataset_citable(dataset, version, [v.number for v in versions])
    return render(
        request,
        "projects/datasets/dataset_version.html",
        {
            "dataset": dataset,
            "version": version,
            "versions": versions,
            "is_latest": version.number == dataset.version_number,
            "can_download": allowed,
            "download_reason": reason,
            "citation": citations.formatted(record),
            "cite_links": cite.cite_links("dataset_version_cite", [dataset.slug, version.number]),
        },
    )


def _dataset_version_download(request, slug: str, number: int, fmt: str):
    dataset = _dataset_for(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    version = _dataset_version(dataset, number)
    served = services.as_dataset(version)
    return download_response(request, dataset, served=served, fmt=fmt, filename=f"{dataset.slug}-v{number}.{fmt}")


def dataset_version_download_csv(request, slug: str, number: int):
    return _dataset_version_download(request, slug, number, "csv")


def dataset_version_download_json(request, slug: str, number: int):
    return _dataset_version_download(request, slug, number, "json")


def _dataset_cite(request, slug: str, fmt: str, number: int | None):
    dataset, notice = _published_dataset(request, slug)
    if notice is not None:
        return notice
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Http404
    versions = list(cite.confirmed_versions(dataset))
    wanted = number or dataset.version_number
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise Http404
    record = cite.dataset_citable(dataset, version, [v.number for v in versions])
    return _citation_response(record, fmt, doi=cite.dataset_doi_to_mint(dataset, version), stem=dataset.slug)


def dataset_cite(request, slug: str, fmt: str):
    return _dataset_cite(request, slug, fmt, None)


def dataset_version_cite(request, slug: str, number: int, fmt: str):
    return _dataset_cite(request, slug, fmt, number)


# --- A new file for a dataset (the research team) ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dataset_version_new(request, slug: str):
    """Upload a new file: it is read and checked, then waits while the team reads the schema difference."""
    dataset = _dataset_for(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    allowed, reason = services.can_add_version(request.user, dataset)
    if not allowed:
        raise PermissionDenied(reason)
    form = DatasetVersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dataset_version_upload(
                    dataset=dataset, by=request.user, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return redirect("dataset_version_review", slug=dataset.slug)
        status = 400
    pending = dataset.versions.filter(number__isnull=True).first()
    return render(
        request,
        "projects/datasets/dataset_version_new.html",
        {"dataset": dataset, "form": form, "pending": pending},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_version_review(request, slug: str):
    """The waiting file's schema difference; "Confirm" makes it the current version, "Discard" drops it."""
    dataset = _dataset_for(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    allowed, reason = services.can_add_version(request.user, dataset)
    if not allowed:
        raise PermissionDenied(reason)
    pending = dataset.versions.filter(number__isnull=True).first()
    if request.method == "POST":
        if pending is None:
            messages.error(request, _("This file was already confirmed or discarded."))
            return redirect(dataset.get_absolute_url())
        try:
            if "discard" in request.POST:
                services.dataset_version_discard(version=pending, by=request.user)
                messages.success(request, _("The new file was discarded; the current version is unchanged."))
                return redirect(dataset.get_absolute_url())
            version = services.dataset_version_confirm(version=pending, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("dataset_version_review", slug=dataset.slug)
        messages.success(
            request,
            _("Version %(number)s is now the current file. The earlier versions stay downloadable.")
            % {"number": version.number},
        )
        return redirect(dataset.get_absolute_url())
    if pending is None:
        return redirect("dataset_version_new", slug=dataset.slug)
    return render(
        request,
        "projects/datasets/dataset_version_review.html",
        {"dataset": dataset, "pending": pending, "diff": pending.schema_diff},
    )
