"""Calls in the Wagtail admin ("Use as template", "Cancel call", no deleting calls that have proposals), and what
calls answers to the hooks of lower layers (hub/hooks.py lists them): home page numbers and latest calls, calls per
city, city page sections, dashboard panels, personal data, exports, the calls alert source."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem

from calls import alerts, contributions, dashboard, exports, panel_dashboard, panel_personal_data, personal_data
from calls.forms_admin import CancelCallForm
from calls.forms_public import UseAsTemplateForm
from calls.matching import contributions as matching
from calls.models import ResearchCall
from calls.selectors import calls_public, official_city_pages
from calls.services import retention
from calls.services.calls import call_cancel, call_use_as_template, can_manage_call
from calls.views.public import serve_call
from hub.registry import DashboardSection


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
        return serve_call(request, page)
    return None


@hooks.register("register_log_actions")
def register_call_log_actions(actions):
    actions.register_action("calls.cancel", gettext_lazy("Cancel call"), gettext_lazy("Call cancelled"))
    actions.register_action("calls.close_early", gettext_lazy("Close call early"), gettext_lazy("Call closed early"))
    actions.register_action(
        "calls.use_as_template", gettext_lazy("Use as template"), gettext_lazy("Started from another city's call")
    )
    actions.register_action(
        "calls.desk_bulk", gettext_lazy("Bulk action on proposals"), gettext_lazy("Bulk action on proposals")
    )


# --- What calls answers to the hooks of lower layers (hub/hooks.py) ----------------------------------------------

hooks.register("home_stats", contributions.open_calls_stat, order=10)
hooks.register("home_latest", contributions.latest_calls, order=10)
hooks.register("activity_measures", contributions.calls_per_city, order=10)
hooks.register("city_page_sections", contributions.city_calls, order=10)
hooks.register("city_page_sections", matching.city_peers, order=90)
hooks.register("dashboard_sections", matching.calls_for_you, order=15)
hooks.register("dashboard_sections", alerts.dashboard_section, order=30)
# Panel (issue 18 §5): the task list with counts, first on the dashboard.
hooks.register("dashboard_sections", panel_dashboard.task_list, order=5)
hooks.register("dashboard_tasks", panel_dashboard.reviews_due, order=10)
hooks.register("dashboard_tasks", panel_dashboard.to_screen, order=20)
hooks.register("dashboard_tasks", panel_dashboard.decisions_pending, order=30)
hooks.register("dashboard_tasks", panel_dashboard.meta_reviews_to_write, order=40)
hooks.register("personal_data", panel_personal_data.personal_data)
hooks.register("anonymise_proposal", retention.forget_panel_notes)
hooks.register("anonymise_proposal", retention.forget_discussion)
hooks.register("personal_data", personal_data.personal_data)
hooks.register("alert_sources", alerts.CallsSource, order=10)


@hooks.register("dashboard_sections", order=10)
def official_dashboard(user):
    context = dashboard.official_context(user)
    return None if context is None else DashboardSection("calls_official", "calls/dashboard_official.html", context)


@hooks.register("dashboard_sections", order=20)
def researcher_dashboard(user):
    context = dashboard.researcher_context(user)
    return None if context is None else DashboardSection("calls_researcher", "calls/dashboard_researcher.html", context)


@hooks.register("exports")
def calls_exports():
    return exports.EXPORTS


@hooks.register("not_exported_models")
def private_calls_models():
    """Proposals, reviews, alerts …: saving them keeps the bulk download fresh."""
    return exports.NOT_EXPORTED
