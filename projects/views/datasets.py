"""Dataset pages: the faceted list, a dataset's page with preview and JSON-LD, downloads, upload and editing,
access requests and their decisions, and the DCAT catalogue."""

import json
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub.csv import csv_lines
from hub.forms import apply_validation_error
from hub.versioning import StaleEdit
from projects import datasets_io, suppression
from projects.dcat import dataset_iri, dcat_catalogue, dcat_dataset
from projects.forms.datasets import (
    AccessDecisionForm,
    AccessRequestForm,
    DatasetEditForm,
    DatasetUploadForm,
    SchemaFormSet,
    metadata_initial,
    schema_initial,
)
from projects.forms.results import TakedownForm
from projects.models import DataAccessRequest, Dataset, Disaggregation, Partnership
from projects.selectors import citations as citation_selectors
from projects.selectors import datasets as selectors
from projects.services import datasets as services
from projects.services import takedowns
from projects.usage import record_view
from projects.usage import summary as usage_summary
from projects.views.transparency import takedown_notice_response

PREVIEW_ROWS = 20


def dataset_list(request):
    """/data/datasets/: published datasets with facets, chips, an empty state and pages."""
    listing = selectors.DATASETS.listing(request.GET)
    return render(request, "projects/datasets/dataset_list.html", listing.context())


def _taken_down(request, dataset: Dataset):
    """HTTP 410 with the takedown's public reason (the shared notice), wherever the dataset's URLs lead."""
    takedown = takedowns.takedown_for(dataset)
    if takedown is not None:
        return takedown_notice_response(request, takedown=takedown, object_kind=_("dataset"))
    return render(request, "projects/datasets/taken_down.html", {"dataset": dataset}, status=410)


def _dataset_for(request, slug: str, *, detail: bool = False) -> Dataset:
    queryset = selectors.dataset_detail_for(request.user) if detail else selectors.datasets_visible_to(request.user)
    return get_object_or_404(queryset, slug=slug)


def _managed(request, slug: str) -> Dataset:
    """A dataset the user manages (research team); 404 for anyone who cannot see it, 403 for other members."""
    dataset = _dataset_for(request, slug)
    allowed, reason = services.can_manage_datasets(request.user, dataset.partnership)
    if not allowed:
        raise PermissionDenied(reason)
    return dataset


def _detail_context(request, dataset: Dataset, *, request_form=None) -> dict:
    user = request.user
    member = selectors.is_member(user, dataset.partnership_id)
    can_manage, _reason = services.can_manage_datasets(user, dataset.partnership)
    threshold = datasets_io.threshold_of(dataset)
    columns = datasets_io.header_of(dataset)
    preview = []
    if dataset.is_open or member:
        label = suppression.label()
        preview = [
            [row.get(c, "") for c in columns]
            for row in datasets_io.public_rows(dataset, limit=PREVIEW_ROWS, suppressed=label, threshold=threshold)
        ]
    allowed, full, _request, why = services.download_access(user, dataset)
    can_request, request_reason = services.can_request_access(user, dataset)
    if request_form is None and can_request:
        request_form = AccessRequestForm()
    return {
        "dataset": dataset,
        "columns": columns,
        "preview": preview,
        "threshold": threshold,
        "suppressed_label": suppression.label(),
        "has_counts": bool(datasets_io.count_columns(dataset)),
        "can_manage": can_manage,
        "can_take_down": takedowns.can_take_down(user, dataset)[0],
        "is_member": member,
        "can_download": allowed,
        "full_download": full,
        "download_reason": why,
        "can_request": can_request or request_form is not None,
        "request_reason": request_reason,
        "my_request": selectors.access_request_of(user, dataset),
        "request_form": request_form,
        "disaggregation_labels": _disaggregation_labels(dataset),
        "usage": usage_summary(dataset, with_months=member),
        # Like ``json_script``: no markup at all inside the JSON-LD element, so no text can end it early.
        "stable_url": dataset_iri(dataset),
        **citation_selectors.dataset_cite_context(dataset),
        "jsonld": json.dumps(dcat_dataset(dataset), ensure_ascii=False)
        .replace("<", "\\u003C")
        .replace(">", "\\u003E")
        .replace("&", "\\u0026"),
    }


def dataset_detail(request, slug: str):
    dataset = _dataset_for(request, slug, detail=True)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    context = _detail_context(request, dataset)
    if dataset.status == Dataset.Status.PUBLISHED:
        record_view(dataset)
    return render(request, "projects/datasets/dataset_detail.html", context)


def _disaggregation_labels(dataset: Dataset) -> list[str]:

    labels = dict(Disaggregation.choices)
    return [str(labels.get(key, key)) for key in dataset.disaggregations or []]


def _download(request, slug: str, fmt: str):
    dataset = _dataset_for(request, slug)
    return download_response(request, dataset, served=dataset, fmt=fmt, filename=f"{dataset.slug}.{fmt}")


def download_response(request, dataset: Dataset, *, served: Dataset, fmt: str, filename: str):
    """The rows of ``served`` (the dataset, or one of its versions) under ``dataset``'s access rules."""
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    allowed, full, access_request, reason = services.download_access(request.user, dataset)
    if not allowed:
        if dataset.status != Dataset.Status.PUBLISHED:
            raise Http404
        raise PermissionDenied(reason)
    services.download_record(dataset=dataset, user=request.user, format=fmt, access_request=access_request)
    threshold = datasets_io.threshold_of(served)
    columns = datasets_io.header_of(served)
    if fmt == "csv":
        placeholder = suppression.label()
        rows = (
            datasets_io.iter_rows(served)
            if full
            else datasets_io.public_rows(served, suppressed=placeholder, threshold=threshold)
        )
        # Formulas neutralised and CRLF line ends (RFC 4180) for every reader, the research team included.
        body = csv_lines(columns, ([row.get(c, "") for c in columns] for row in rows), data=True)
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        rows = datasets_io.iter_rows(served) if full else datasets_io.public_rows(served, threshold=threshold)
        kinds = {c["name"]: c.get("type", "string") for c in served.schema or []}
        response = StreamingHttpResponse(_json_rows(rows, columns, kinds), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    if not dataset.is_open:
        response["Cache-Control"] = "private, no-store"
    return response


def _json_rows(rows, columns: list[str], kinds: dict[str, str]):
    """A JSON array of row objects, streamed in batches; suppressed counts are null."""
    yield "["
    first = True
    while True:
        batch = list(islice(rows, 500))
        if not batch:
            break
        parts = [
            json.dumps({c: datasets_io.typed(row.get(c), kinds.get(c, "string")) for c in columns}, ensure_ascii=False)
            for row in batch
        ]
        yield ("" if first else ",\n") + ",\n".join(parts)
        first = False
    yield "]\n"


def dataset_download_csv(request, slug: str):
    return _download(request, slug, "csv")


def dataset_download_json(request, slug: str):
    return _download(request, slug, "json")


def dataset_jsonld(request, slug: str):
    dataset = get_object_or_404(selectors.dataset_detail_for(None).filter(status=Dataset.Status.PUBLISHED), slug=slug)
    return JsonResponse(
        dcat_dataset(dataset), content_type="application/ld+json", json_dumps_params={"ensure_ascii": False}
    )


def catalog_jsonld(request):
    """/data/catalog.jsonld: a DCAT-AP catalogue of every public dataset."""
    return JsonResponse(
        dcat_catalogue(selectors.catalog_datasets()),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False},
    )


# --- Upload and editing -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dataset_new(request, slug: str):
    """Step 1: upload a CSV with its metadata; the service reads, normalises and checks it."""
    partnership = get_object_or_404(Partnership.objects.with_member(request.user), slug=slug)
    allowed, reason = services.can_manage_datasets(request.user, partnership)
    if not allowed:
        raise PermissionDenied(reason)
    form = DatasetUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            try:
                dataset = services.dataset_upload(
                    partnership=partnership, by=request.user, upload=form.cleaned_data["file"], data=data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is uploaded as a draft: %(rows)s rows. Check the columns below, then publish.")
                    % {"title": dataset.title, "rows": dataset.row_count},
                )
                return redirect("dataset_edit", slug=dataset.slug)
        status = 400
    return render(
        request, "projects/datasets/dataset_new.html", {"partnership": partnership, "form": form}, status=status
    )


def _schema_from(formset) -> list[dict]:
    return [{k: f.cleaned_data.get(k) for k in ("name", "type", "description", "is_count")} for f in formset.forms]


PUBLISH_BUTTON = "publish"


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request, slug: str):
    """Step 2 and later edits: metadata, the schema (types, descriptions, counts) and the identifier findings.

    One form: "Save changes" saves it, "Publish dataset" saves it and then publishes, so nothing typed is lost.
    """
    dataset = _managed(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    if request.method == "POST":
        return _save(request, dataset, publish=PUBLISH_BUTTON in request.POST)
    formset = SchemaFormSet(initial=schema_initial(dataset), prefix="schema")
    form = DatasetEditForm(initial=metadata_initial(dataset), versioned=dataset, schema=formset)
    return _render_edit(request, dataset, form, formset)


def _render_edit(request, dataset: Dataset, form, formset, *, status: int = 200):
    return render(
        request,
        "projects/datasets/dataset_edit.html",
        {
            "dataset": dataset,
            "form": form,
            "formset": formset,
            "columns": list(formset.forms),
            "findings": dataset.identifier_columns,
            "threshold": datasets_io.threshold_of(dataset),
            "publish_button": PUBLISH_BUTTON,
        },
        status=status,
    )


def _save(request, dataset: Dataset, *, publish: bool):
    """Save the edit form (and publish it when asked); a stale form gets both versions side by side (409)."""
    formset = SchemaFormSet(request.POST, prefix="schema")
    form = DatasetEditForm(request.POST, versioned=dataset, schema=formset)
    form_valid = form.is_valid()
    if not (formset.is_valid() and form_valid):
        return _render_edit(request, dataset, form, formset, status=400)
    schema = form.cleaned_data.get("schema") or _schema_from(formset)
    save = services.dataset_update_and_publish if publish else services.dataset_update
    try:
        saved = save(
            dataset=dataset,
            by=request.user,
            data=form.cleaned_data,
            schema=schema,
            edit_version=form.cleaned_data["edit_version"],
        )
    except StaleEdit as stale:
        form.show_conflict(stale.current)
        return _render_edit(request, stale.current, form, formset, status=409)
    except ValidationError as error:
        apply_validation_error(form, error)
        return _render_edit(request, dataset, form, formset, status=400)
    if publish:
        messages.success(request, _("Your changes are saved and “%(title)s” is published.") % {"title": saved.title})
        return redirect(saved.get_absolute_url())
    messages.success(request, _("Changes saved."))
    return redirect("dataset_edit", slug=dataset.slug)


@login_required
@require_POST
def dataset_publish(request, slug: str):
    """Publish a draft. A post of the edit form (it carries its version) is saved first, then published."""
    dataset = _managed(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    if "edit_version" in request.POST:
        return _save(request, dataset, publish=True)
    try:
        services.dataset_publish(dataset=dataset, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("dataset_edit", slug=dataset.slug)
    messages.success(request, _("“%(title)s” is published.") % {"title": dataset.title})
    return redirect(dataset.get_absolute_url())


@login_required
def partnership_datasets(request, slug: str):
    """A partnership's datasets, drafts included, for its members."""
    partnership = get_object_or_404(Partnership.objects.with_member(request.user), slug=slug)
    can_manage, _reason = services.can_manage_datasets(request.user, partnership)
    datasets = selectors.datasets_of_partnership(partnership, request.user)
    return render(
        request,
        "projects/datasets/partnership_datasets.html",
        {"partnership": partnership, "datasets": datasets, "can_manage": can_manage},
    )


# --- Access requests ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def dataset_request(request, slug: str):
    dataset = _dataset_for(request, slug, detail=True)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_create(
                dataset=dataset,
                by=request.user,
                purpose=form.cleaned_data["purpose"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your request is sent. You will get an email when the research team decides."))
            return redirect(dataset.get_absolute_url())
    # Re-render the page with the bound form, so what was typed stays.
    context = _detail_context(request, dataset, request_form=form)
    return render(request, "projects/datasets/dataset_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_requests(request, slug: str):
    """The research team's list of access requests, with approve and refuse."""
    dataset = _managed(request, slug)
    errors = {}
    if request.method == "POST":
        access_request = get_object_or_404(DataAccessRequest, pk=request.POST.get("request") or 0, dataset=dataset)
        form = AccessDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.access_request_decide(
                    access_request=access_request,
                    by=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["decision_note"],
                )
            except ValidationError as error:
                errors[access_request.pk] = error.messages
            else:
                messages.success(
                    request,
                    _("Decision saved; %(name)s is told by email.") % {"name": access_request.requester.display_name},
                )
                return redirect("dataset_requests", slug=dataset.slug)
        else:
            errors[access_request.pk] = [e for errs in form.errors.values() for e in errs]
    access_requests = list(selectors.access_requests_for(dataset))
    for access_request in access_requests:
        access_request.errors = errors.get(access_request.pk, [])
        access_request.typed_note = request.POST.get("decision_note", "") if access_request.errors else ""
    return render(
        request,
        "projects/datasets/dataset_requests.html",
        {
            "dataset": dataset,
            "access_requests": access_requests,
            "downloads": dataset.downloads.select_related("user")[:50],
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_take_down(request, slug: str):
    """A coordinator takes a published dataset down with a public reason; everyone else is refused."""
    dataset = _dataset_for(request, slug)
    if dataset.status == Dataset.Status.TAKEN_DOWN:
        return _taken_down(request, dataset)
    allowed, reason = takedowns.can_take_down(request.user, dataset)
    if not allowed:
        raise PermissionDenied(reason)
    form = TakedownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            takedowns.take_down(obj=dataset, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The dataset was taken down; the decision is listed on the transparency page."))
            return redirect(dataset.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/datasets/dataset_take_down.html", {"dataset": dataset, "form": form}, status=status
    )
