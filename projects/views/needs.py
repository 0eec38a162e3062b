"""Research needs: /needs/ for everyone, posting for signed-in people, the city's answer for its officials, and
moderation for network coordinators (their forms and the report queue answer 404 to everybody else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub.forms import apply_validation_error
from projects.forms.needs import AnswerForm, CommentForm, HideForm, NeedForm, ReportForm, TopicForm
from projects.models import ModerationReport
from projects.selectors import needs as selectors
from projects.services import needs as services
from projects.services.takedowns import takedown_for
from projects.views.transparency import takedown_notice_response


def need_list(request):
    listing = selectors.NEEDS.listing(request.GET)
    return TemplateResponse(request, "projects/needs/need_list.html", listing.context(rows=listing.page.object_list))


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request):
    cities = services.need_cities()
    organisations = services.posting_organisations(request.user)
    initial = {"city": request.GET.get("city", "")[:200]}
    form = NeedForm(request.POST or None, initial=initial, cities=cities, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your research need is published. Others can now endorse it."))
            return redirect(need.get_absolute_url())
    return TemplateResponse(
        request, "projects/needs/need_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _need(pk: int):
    need = selectors.need_for_page(pk)
    if need is None:
        raise Http404
    return need


def _detail(request, need, *, comment_form=None, topic_form=None, status=200):
    if need.hidden_at is not None:
        takedown = takedown_for(need)
        if takedown is not None:
            return takedown_notice_response(request, takedown=takedown, object_kind=_("research need"))
        raise Http404
    page = selectors.need_page(need, request.user)
    return TemplateResponse(
        request,
        "projects/needs/need_detail.html",
        {
            "need": need,
            "page": page,
            "comment_form": comment_form or CommentForm(),
            "topic_form": topic_form or TopicForm(initial={"kind": page.my_topic.kind} if page.my_topic else None),
            "can_answer": services.can_answer(request.user, need)[0],
            "can_moderate": services.can_moderate(request.user),
        },
        status=status,
    )


def need_detail(request, pk: int):
    return _detail(request, _need(pk))


@login_required
@require_POST
def need_endorse(request, pk: int):
    need = _need(pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.need_withdraw_endorsement(need=need, by=request.user)
            messages.success(request, _("Your endorsement is withdrawn."))
        else:
            _endorsement, created = services.need_endorse(need=need, by=request.user)
            if created:
                messages.success(request, _("You endorse this need."))
            else:
                messages.info(request, _("You already endorse this need."))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{need.get_absolute_url()}#endorse")


@login_required
@require_POST
def need_comment(request, pk: int):
    need = _need(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment, created = services.comment_add(need=need, by=request.user, body=form.cleaned_data["body"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if created:
                messages.success(request, _("Your comment is published."))
            return redirect(f"{need.get_absolute_url()}#comment-{comment.pk}")
    return _detail(request, need, comment_form=form, status=400)


@login_required
@require_POST
def need_topic(request, pk: int):
    need = _need(pk)
    if request.POST.get("action") == "remove":
        services.topic_remove(need=need, by=request.user)
        messages.success(request, _("The need is no longer listed as your topic."))
        return redirect(f"{need.get_absolute_url()}#topics")
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            services.topic_mark(need=need, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The need is listed as your topic."))
            return redirect(f"{need.get_absolute_url()}#topics")
    return _detail(request, need, topic_form=form, status=400)


def _need_for_city(request, pk: int):
    """The need, if the user is an official of its city; 404 for everyone else."""
    need = _need(pk)
    if not services.can_answer(request.user, need)[0]:
        raise Http404
    return need


@login_required
@require_http_methods(["GET", "POST"])
def need_answer(request, pk: int):
    need = _need_for_city(request, pk)
    initial = {"status": need.status if need.is_answered else None, "answer": need.answer}
    initial.update(covered_by_url=need.covered_by_url, seen_status=need.status)
    form = AnswerForm(request.POST or None, initial=initial)
    status, conflict = (400 if request.method == "POST" else 200), None
    if request.method == "POST" and form.is_valid():
        try:
            services.need_answer(need=need, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except services.AnswerConflict as error:
            conflict, status = error.current, 409
            data = request.POST.copy()
            data["seen_status"] = conflict.status
            form = AnswerForm(data, initial=initial)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Another official answered this need while you were writing (it now says “%(status)s”). "
                    "Your text is kept below: check their answer, then save again to replace it."
                )
                % {"status": conflict.get_status_display()},
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The city's answer is published on the need."))
            return redirect(need.get_absolute_url())
    return TemplateResponse(
        request, "projects/needs/answer_form.html", {"need": need, "form": form, "conflict": conflict}, status=status
    )


@login_required
@require_POST
def need_call(request, pk: int):
    """An official turns the need into a draft call and lands in the Wagtail editor to finish it."""
    need = _need_for_city(request, pk)
    try:
        call, created = services.need_to_call(need=need, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    if created:
        messages.success(
            request,
            _("A draft call “%(title)s” was created from the need. Set its dates and budget, then submit it.")
            % {"title": call.title},
        )
    else:
        messages.info(request, _("This need already has a call: “%(title)s”.") % {"title": call.title})
    return redirect(reverse("wagtailadmin_pages:edit", args=[call.pk]))


def _coordinator(request) -> None:
    if not services.can_moderate(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def need_hide(request, pk: int):
    _coordinator(request)
    need = _need(pk)
    if need.hidden_at is not None:
        raise Http404
    return _hide(request, obj=need, need=need, hide=services.need_hide, kwarg="need")


@login_required
@require_http_methods(["GET", "POST"])
def comment_hide(request, pk: int):
    _coordinator(request)
    comment = selectors.comment_public(pk)
    if comment is None:
        raise Http404
    return _hide(request, obj=comment, need=comment.need, hide=services.comment_hide, kwarg="comment")


def _hide(request, *, obj, need, hide, kwarg: str):
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hide(**{kwarg: obj}, by=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("It is hidden; the reason is listed on the transparency page."))
            return redirect(reverse("moderation_queue") if request.POST.get("next") == "queue" else "transparency")
    return TemplateResponse(
        request,
        "projects/needs/hide_form.html",
        {"obj": obj, "need": need, "kind": kwarg, "form": form, "next": request.GET.get("next", "")[:10]},
        status=400 if request.method == "POST" else 200,
    )


REPORT_KINDS = {
    "need": lambda pk: selectors.needs_public().filter(pk=pk).first(),
    "comment": selectors.comment_public,
    "consultation": selectors.consultation_comment_public,
}


def _back(obj) -> str:
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    return obj.call.url or "/"


@login_required
@require_http_methods(["GET", "POST"])
def report(request, kind: str, pk: int):
    """Any signed-in person reports a public need or comment; only coordinators ever see the report."""
    find = REPORT_KINDS.get(kind)
    obj = find(pk) if find else None
    if obj is None:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _report, created = services.report_create(obj=obj, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if created:
                messages.success(request, _("Thank you. A network coordinator will look at your report."))
            else:
                messages.info(request, _("You have already reported this; a network coordinator will look at it."))
            return redirect(_back(obj))
    return TemplateResponse(
        request,
        "projects/needs/report_form.html",
        {"obj": obj, "kind": kind, "form": form, "back": _back(obj)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def moderation_queue(request):
    """Open reports for network coordinators (private: 404 for everyone else)."""
    _coordinator(request)
    return TemplateResponse(request, "projects/needs/moderation_queue.html", {"items": selectors.reports_open()})


@login_required
@require_POST
def report_dismiss(request, pk: int):
    _coordinator(request)
    found = ModerationReport.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    services.report_dismiss(report=found, by=request.user)
    messages.success(request, _("The reports are dismissed; nothing public changed."))
    return redirect("moderation_queue")
