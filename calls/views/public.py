"""Public views of calls: the /calls/ listing, a call page's extras, the consultation, feeds' data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls import deadlines
from calls.filters import CALLS, PAGE_SIZE, Sort
from calls.forms_public import ConsultationCommentForm, ModerationForm, UptakeForm
from calls.matching import selectors as matching
from calls.models import ConsultationComment, ResearchCall
from calls.selectors import (
    calls_public,
    consultation_comments_for_city,
    consultation_comments_public,
    is_official,
    official_city_pages,
)
from calls.services.calls import (
    can_comment,
    can_manage_call,
    consultation_comment_moderate,
    consultation_comment_post,
    consultation_comment_respond,
)
from hub.facets import query_without
from profiles.models import ResearcherProfile

CALL_TEMPLATE = "calls/research_call_page.html"


def calls_index_context(request) -> dict:
    """Everything /calls/ shows: the filtered, paginated calls, facets with counts and active filters."""
    params = request.GET
    now = timezone.now()
    listing = CALLS.listing(params, now=now)
    profile = _researcher_profile(request.user)
    by_fit = params.get("sort") == Sort.FIT and profile is not None
    if by_fit:
        # cached_property: the page ordered by fit replaces the one in the listing's order, which is never read.
        listing.page = _calls_by_fit(profile, listing.filter.qs, params.get("page"))
    feed_query = query_without(params, "sort")
    return listing.context(
        page_name="calls",
        feed_query=f"?{feed_query}" if feed_query else "",
        now=now,
        can_sort_by_fit=profile is not None,
        sort_by_fit=by_fit,
        fit_unavailable=params.get("sort") == Sort.FIT and profile is None,
    )


def _researcher_profile(user) -> ResearcherProfile | None:
    if not user.is_authenticated:
        return None
    return ResearcherProfile.objects.filter(user=user).select_related("user").first()


def _calls_by_fit(profile, queryset, page_number):
    """One page of the filtered calls ordered by fit for the researcher, each with its ``fit`` (reasons)."""
    rows = queryset.order_by().values_list("pk", "closes_at")
    ordered = matching.order_by_fit(profile, [pk for pk, _closes in rows], dict(rows))
    page = Paginator(ordered, PAGE_SIZE).get_page(page_number)
    objects = {c.pk: c for c in queryset.filter(pk__in=list(page.object_list)).prefetch_related("themes")}
    page.object_list = [objects[pk] for pk in page.object_list if pk in objects]
    matching.fits_for_calls(profile, page.object_list)
    return page


def _start_url(call: ResearchCall) -> str:
    return reverse("proposal_start", args=[call.pk]) if call.pk else ""


def call_page_context(request, call: ResearchCall, *, comment_form=None) -> dict:
    """What a call page shows beyond its own fields: status, time left, credits, match, consultation."""
    user = request.user
    now = timezone.now()
    status = call.status_at(now)
    public = calls_public()
    context = {
        "call_status": status,
        "accepts_submissions": call.accepts_submissions(now=now),
        "start_url": _start_url(call),
        "time_left": deadlines.humanize_time_left(deadlines.time_left(call.closes_at, now)),
        "reused_from": public.filter(pk=call.template_source_id).first() if call.template_source_id else None,
        "reused_by": list(public.filter(template_source=call).order_by("first_published_at")) if call.pk else [],
        "profile_match": None,
    }
    profile = getattr(user, "researcher_profile", None) if user.is_authenticated else None
    if profile is not None:
        context["profile_match"], context["profile_hints"] = matching.call_page_match(profile, call)
    saved = call.pk is not None  # an unsaved call is being previewed in the admin
    manager = saved and user.is_authenticated and can_manage_call(user, call)
    context["can_manage"] = manager
    context["template_cities"] = (
        list(official_city_pages(user).exclude(organisation_id=call.organisation_id))
        if saved and user.is_authenticated
        else []
    )
    if call.consultation_opens_at and saved:
        allowed, reason = can_comment(user, call)
        context.update(
            {
                "consultation_comments": list(consultation_comments_public(call)),
                "can_comment": allowed,
                "cannot_comment_reason": reason,
                "comment_form": comment_form or (ConsultationCommentForm() if allowed else None),
                "pending_comments": consultation_comments_for_city(call)
                .filter(status=ConsultationComment.Status.PENDING)
                .count()
                if manager
                else 0,
            }
        )
    return context


def serve_call(request, call: ResearchCall, **extra):
    """Render a call page with its extras (used by the page hook and to re-show a form with errors)."""
    context = call.get_context(request)
    context.update(call_page_context(request, call, **extra))
    return TemplateResponse(request, CALL_TEMPLATE, context)


def _public_call(pk: int) -> ResearchCall:
    return get_object_or_404(calls_public(), pk=pk)


@login_required
@require_POST
def consultation_comment(request, pk: int):
    """A signed-in, eligible reader comments on the call's draft questions."""
    call = _public_call(pk)
    form = ConsultationCommentForm(request.POST)
    if form.is_valid():
        try:
            consultation_comment_post(call=call, author=request.user, body=form.cleaned_data["body"])
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(f"{call.url}#consultation")
        except ValidationError as error:
            for message in error.messages:
                form.add_error("body", message)
        else:
            messages.success(request, _("Thank you. Your comment will appear once the city has reviewed it."))
            return redirect(f"{call.url}#consultation")
    response = serve_call(request, call, comment_form=form)
    response.status_code = 400
    return response


def _managed_call(request, pk: int) -> ResearchCall:
    call = get_object_or_404(ResearchCall.objects.select_related("organisation"), pk=pk)
    if not (request.user.is_authenticated and can_manage_call(request.user, call)):
        raise Http404
    return call


@login_required
def consultation_manage(request, pk: int):
    """The city's view of every comment on its call: publish, reject, record uptake."""
    call = _managed_call(request, pk)
    comments = consultation_comments_for_city(call)
    return TemplateResponse(
        request,
        "calls/consultation_manage.html",
        {
            "call": call,
            "comments": comments,
            "moderation_form": ModerationForm(),
            "uptake_form": UptakeForm(),
            "is_city_official": is_official(request.user, call.organisation_id),
        },
    )


@login_required
@require_POST
def consultation_moderate(request, pk: int, comment_pk: int):
    call = _managed_call(request, pk)
    comment = get_object_or_404(ConsultationComment.objects.select_related("call"), pk=comment_pk, call=call)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("call_consultation_manage", pk=call.pk)
    publish = form.cleaned_data["decision"] == "publish"
    try:
        consultation_comment_moderate(
            comment=comment, by=request.user, publish=publish, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("call_consultation_manage", pk=call.pk)
    messages.success(request, _("The comment is published.") if publish else _("The comment will not be published."))
    return redirect("call_consultation_manage", pk=call.pk)


@login_required
@require_POST
def consultation_respond(request, pk: int, comment_pk: int):
    call = _managed_call(request, pk)
    comment = get_object_or_404(ConsultationComment.objects.select_related("call"), pk=comment_pk, call=call)
    form = UptakeForm(request.POST)
    if form.is_valid():
        try:
            consultation_comment_respond(
                comment=comment,
                by=request.user,
                uptake=form.cleaned_data["uptake"],
                response=form.cleaned_data["response"],
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Your response is saved and shown with the comment."))
    else:
        messages.error(request, _("Choose whether the comment was taken up."))
    return redirect("call_consultation_manage", pk=call.pk)
