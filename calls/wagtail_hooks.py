"""Calls in the Wagtail admin: "Use as template", "Cancel call", no deleting calls that have proposals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem

from calls.forms_admin import CancelCallForm
from calls.forms_public import UseAsTemplateForm
from calls.models import ResearchCall
from calls.selectors import calls_public, official_city_pages
from calls.services.calls import call_cancel, call_use_as_template, can_manage_call


def use_as_template_view(request, pk: int):
    """An official picks their city; a draft copy of the published call is created there."""
    source = get_object_or_404(calls_public(), pk=pk)
    city_pages = official_city_pages(request.user).order_by("title")
    if not city_pages.exists():
        raise PermissionDenied
    form = UseAsTemplateForm(request.POST or None, city_pages=city_pages, initial={"city_page": city_pages.first()})
    if request.method == "POST" and form.is_valid():
        try:
            call = call_use_as_template(source=source, city_page=form.cleaned_data["city_page"], by=request.user)
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("A draft copy of “%(title)s” was created for %(city)s. Set its dates, then submit it for moderation.")
                % {"title": source.title, "city": form.cleaned_data["city_page"].title},
            )
            return redirect("wagtailadmin_pages:edit", call.pk)
    return TemplateResponse(request, "calls/call_use_as_template.html", {"source": source, "form": form})


def cancel_call_view(request, pk: int):
    """Officials of the call's city (or coordinators) cancel it with a public reason."""
    call = get_object_or_404(ResearchCall.objects.select_related("organisation"), pk=pk)
    if not can_manage_call(request.user, call):
        raise PermissionDenied
    form = CancelCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call_cancel(call=call, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("“%(title)s” is cancelled. Everyone who started a proposal is told by email.")
                % {"title": call.title},
            )
            return redirect("wagtailadmin_explore", call.get_parent().pk)
    return TemplateResponse(request, "calls/call_cancel.html", {"call": call, "form": form})


@hooks.register("register_admin_urls")
def register_call_admin_urls():
    return [
        path("calls/<int:pk>/use-as-template/", use_as_template_view, name="calls_use_as_template"),
        path("calls/<int:pk>/cancel/", cancel_call_view, name="calls_cancel"),
    ]


def _memo(user, key, compute):
    """Remember a permission answer on the user for this request: listings ask it once per row."""
    cache = user.__dict__.setdefault("_calls_admin_permissions", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _call_buttons(page, user, priority: int):
    if not isinstance(page, ResearchCall):
        return
    organisation_id = page.organisation_id
    reusable = page.live and _memo(
        user,
        ("template", organisation_id),
        lambda: official_city_pages(user).exclude(organisation_id=organisation_id).exists(),
    )
    if reusable:
        yield MenuItem(
            gettext_lazy("Use as template"),
            reverse("calls_use_as_template", args=[page.pk]),
            icon_name="copy",
            priority=priority,
        )
    cancellable = page.cancelled_at is None and page.awarded_at is None
    if cancellable and _memo(user, ("manage", organisation_id), lambda: can_manage_call(user, page)):
        yield MenuItem(
            gettext_lazy("Cancel call"),
            reverse("calls_cancel", args=[page.pk]),
            icon_name="cross",
            priority=priority + 1,
        )


@hooks.register("register_page_header_buttons")
def call_header_buttons(page, user, view_name, next_url=None):
    yield from _call_buttons(page.specific_deferred if not isinstance(page, ResearchCall) else page, user, 80)


@hooks.register("register_page_listing_more_buttons")
def call_listing_buttons(page, user, next_url=None):
    yield from _call_buttons(page.specific_deferred if not isinstance(page, ResearchCall) else page, user, 80)


@hooks.register("before_delete_page")
def refuse_deleting_call_with_proposals(request, page):
    if isinstance(page, ResearchCall) and page.proposals.exists():
        messages.error(
            request,
            _(
                "“%(title)s” has proposals, so it cannot be deleted. Cancel the call instead: its reason is shown publicly."
            )
            % {"title": page.title},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_serve_page")
def serve_call_page(page, request, serve_args, serve_kwargs):
    """Call pages add status, time left, credits, profile match and consultation to their context."""
    if isinstance(page, ResearchCall):
        from calls.views.public import serve_call

        return serve_call(request, page)
    return None


@hooks.register("register_log_actions")
def register_call_log_actions(actions):
    actions.register_action("calls.cancel", gettext_lazy("Cancel call"), gettext_lazy("Call cancelled"))
    actions.register_action("calls.close_early", gettext_lazy("Close call early"), gettext_lazy("Call closed early"))
    actions.register_action(
        "calls.use_as_template", gettext_lazy("Use as template"), gettext_lazy("Started from another city's call")
    )
