"""Policy uptake pages: /results/uptake/ for everyone, and the commissioning city's response and uptake forms.

The forms answer 404 to anyone who is not an official of the commissioning city, so that they do
not advertise what exists behind them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hub.forms import apply_validation_error
from hub.versioning import StaleEdit
from projects.forms.uptake import ResponseForm, UptakeDeleteForm, UptakeEditForm, UptakeForm
from projects.models import CityResponse, Result
from projects.selectors import uptake as selectors
from projects.services import uptake as services


def uptake_list(request):
    listing = selectors.UPTAKE.listing(request.GET)
    return TemplateResponse(
        request,
        "projects/uptake/uptake_list.html",
        listing.context(rows=selectors.add_trail(listing.page.object_list), summary=selectors.uptake_summary()),
    )


def _result_for_city(request, slug: str) -> Result:
    """The public result, if the user is an official of its commissioning city; 404 for everyone else."""
    result = selectors.result_for_response(slug)
    if result is None:
        raise Http404
    allowed, _reason = services.can_respond(request.user, result)
    if not allowed:
        raise Http404
    return result


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request, slug: str):
    result = _result_for_city(request, slug)
    response = CityResponse.objects.filter(result=result).first()
    initial = (
        {"stance": response.stance, "reasons": response.reasons, "reply": response.reply}
        if response
        else {"stance": CityResponse.Stance.PENDING}
    )
    # No response yet: the form is on the blank version, which the first save of any official moves on.
    versioned = response or CityResponse(
        result=result, city=result.partnership.city, edit_version=services.RESPONSE_BLANK_VERSION
    )
    form = ResponseForm(request.POST if request.method == "POST" else None, initial=initial, versioned=versioned)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.response_save(result=result, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            response, status = stale.current, 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The city's response is published beside the result."))
            return redirect(result.get_absolute_url())
    return TemplateResponse(
        request,
        "projects/uptake/response_form.html",
        {"result": result, "response": response, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def uptake_new(request, slug: str):
    result = _result_for_city(request, slug)
    form = UptakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.uptake_create(result=result, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The decision is recorded and shown with the result."))
            return redirect(result.get_absolute_url())
    return TemplateResponse(
        request,
        "projects/uptake/uptake_form.html",
        {"result": result, "form": form, "uptake": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def uptake_edit(request, slug: str, pk: int):
    result = _result_for_city(request, slug)
    uptake = selectors.uptake_of_result(result, pk)
    if uptake is None:
        raise Http404
    initial = {f: getattr(uptake, f) for f in ("kind", "title", "date", "body", "link", "description")}
    form = UptakeEditForm(request.POST if request.method == "POST" else None, initial=initial, versioned=uptake)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.uptake_update(uptake=uptake, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except StaleEdit as stale:
            form.show_conflict(stale.current)
            status = 409
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The decision record is updated."))
            return redirect(result.get_absolute_url())
    return TemplateResponse(
        request,
        "projects/uptake/uptake_form.html",
        {"result": result, "form": form, "uptake": uptake},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def uptake_delete(request, slug: str, pk: int):
    result = _result_for_city(request, slug)
    uptake = selectors.uptake_of_result(result, pk)
    if uptake is None:
        raise Http404
    form = UptakeDeleteForm(request.POST if request.method == "POST" else None, versioned=uptake)
    status, changed = 200, False
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.uptake_delete(uptake=uptake, by=request.user, edit_version=form.cleaned_data["edit_version"])
            except PermissionDenied:
                raise Http404 from None
            except StaleEdit as stale:
                # Someone changed the record after this page was opened: show what it says now and ask again.
                uptake, changed, status = stale.current, True, 409
                form = UptakeDeleteForm(versioned=uptake)
            else:
                messages.success(request, _("The decision record “%(title)s” is removed.") % {"title": uptake.title})
                return redirect(result.get_absolute_url())
    return TemplateResponse(
        request,
        "projects/uptake/uptake_delete.html",
        {"result": result, "uptake": uptake, "form": form, "changed": changed},
        status=status,
    )
