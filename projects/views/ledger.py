"""Impact ledger pages: a decision's public page (/results/uptake/<id>/) with its implementation trail and the
series of the indicators it intends to move, and the forms its city's officials keep it with.

The forms answer 404 to anyone who does not keep the record (``selectors.uptake_for_official``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.forms import apply_validation_error
from hub.private_files import private_file_response
from hub.versioning import StaleEdit
from projects.forms.ledger import EntryForm, ImplementationForm
from projects.models import ImplementationStatus
from projects.selectors import ledger as selectors
from projects.services import ledger as services

INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")


def uptake_detail(request, pk: int):
    """The decision, the partnership and result that informed it, its trail and its indicators' series."""
    uptake = selectors.uptake_for_page(pk)
    if uptake is None:
        raise Http404
    series = selectors.indicator_series(uptake)
    for item in series:
        item.svg = mark_safe(item.svg)  # noqa: S308 — every text in the SVG is escaped by charts
    can_keep, _reason = services.can_keep(request.user, uptake)
    return TemplateResponse(
        request,
        "projects/uptake/uptake_detail.html",
        {
            "uptake": uptake,
            "result": uptake.result,
            "partnership": uptake.result.partnership,
            "response": getattr(uptake.result, "city_response", None),
            "entries": list(uptake.entries.all()),
            "series": series,
            "can_keep": can_keep,
            "statuses": ImplementationStatus,
        },
    )


def _kept(request, pk: int):
    uptake = selectors.uptake_for_official(request.user, pk)
    if uptake is None:
        raise Http404
    return uptake


@login_required
@require_http_methods(["GET", "POST"])
def implementation_edit(request, pk: int):
    uptake = _kept(request, pk)
    initial = {
        "implementation_status": uptake.implementation_status,
        "progress": uptake.progress,
        "department": uptake.department,
        "indicators": list(uptake.indicators.all()),
    }
    form = ImplementationForm(request.POST if request.method == "POST" else None, initial=initial, versioned=uptake)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.implementation_update(uptake=uptake, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            status = 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The implementation of this decision is updated."))
            return redirect(uptake.get_absolute_url())
    return TemplateResponse(
        request, "projects/uptake/implementation_form.html", {"uptake": uptake, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request, pk: int):
    uptake = _kept(request, pk)
    initial = {"implementation_status": uptake.implementation_status, "progress": uptake.progress}
    bound = request.method == "POST"
    form = EntryForm(
        request.POST if bound else None, request.FILES if bound else None, initial=initial, versioned=uptake
    )
    status = 400 if bound else 200
    if bound and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.entry_add(uptake=uptake, by=request.user, upload=data.pop("file"), **data)
        except PermissionDenied:
            raise Http404 from None
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            status = 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The step is added to the implementation trail."))
            return redirect(uptake.get_absolute_url())
    return TemplateResponse(request, "projects/uptake/entry_form.html", {"uptake": uptake, "form": form}, status=status)


def entry_file(request, pk: int, entry_id: int):
    """The evidence file of a step of a public record's trail."""
    entry = selectors.entry_for_download(pk, entry_id)
    if entry is None:
        raise Http404
    try:
        return private_file_response(
            entry.file,
            filename=entry.original_name,
            content_type=entry.content_type or "application/octet-stream",
            as_attachment=entry.content_type not in INLINE_TYPES,
        )
    except FileNotFoundError:
        raise Http404 from None
