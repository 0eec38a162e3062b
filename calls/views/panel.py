"""The panel and the staff's tools (issue 18 §4–5): screening, flags and meta-reviews of one proposal, and the call's
panel page (chairs, meta-reviews to write, recommendations). Each refused form comes back with what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calls.forms_panel import ChairForm, FlagForm, MetaReviewForm, ScreeningForm
from calls.models import MetaReview, PanelChair, Proposal
from calls.selectors import calls_managed_by, is_official, proposals_visible_to
from calls.services import panel as services
from hub.forms import apply_validation_error
from hub.versioning import StaleEdit


def panel_city_context(request, proposal: Proposal, *, bound: dict | None = None) -> dict:
    """What the city's proposal page adds for the panel: screening, the meta-review and flags (three queries)."""
    bound = bound or {}
    meta = MetaReview.objects.filter(proposal=proposal).select_related("author").first()
    return {
        "can_screen": proposal.screening == Proposal.Screening.PENDING and proposal.status in services.SCREENABLE,
        "screening_form": bound.get("screen") or ScreeningForm(),
        "meta_review": meta,
        "flags": list(services.flags_visible_to(request.user).filter(proposal=proposal)),
        "flag_form": bound.get("flag") or FlagForm(),
    }


def desk_panel_columns(user, rows: list[dict], columns: list[str]) -> list[dict]:
    """The desk's panel columns for the rows of one page: recommendations (two queries) and flags (one), only when
    shown."""
    ids = [row["proposal"].pk for row in rows]
    if "recommendations" in columns:
        recommendations = services.recommendations_for(ids)
        for row in rows:
            row["recommendations"] = recommendations[row["proposal"].pk]
    if "flags" in columns:
        by_proposal: dict[int, list] = {}
        for flag in services.flags_visible_to(user).filter(proposal_id__in=ids).order_by("label"):
            by_proposal.setdefault(flag.proposal_id, []).append(flag)
        for row in rows:
            row["flags"] = by_proposal.get(row["proposal"].pk, [])
    return rows


def _screenable_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    if not calls_managed_by(request.user).filter(pk=proposal.call_id).exists():
        raise Http404
    return proposal


@login_required
@require_http_methods(["GET", "POST"])
def proposal_screen(request, pk: int):
    """Screen a proposal: eligible, or ineligible with a reason the team reads."""
    proposal = _screenable_proposal(request, pk)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_screen(
                proposal=proposal, by=request.user, eligible=form.eligible, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "already_screened":
                messages.error(request, " ".join(error.messages))
                return redirect("proposal_detail", pk=proposal.pk)
            apply_validation_error(form, error)
        else:
            if form.eligible:
                messages.success(
                    request, _("“%(title)s” is eligible; it can go to review.") % {"title": proposal.title}
                )
            else:
                messages.success(
                    request,
                    _("“%(title)s” is ineligible and declined. We are emailing the team your reason.")
                    % {"title": proposal.title},
                )
            return redirect("proposal_detail", pk=proposal.pk)
    return render(
        request,
        "calls/panel/screen.html",
        {"proposal": proposal, "form": form, "can_screen": panel_city_context(request, proposal)["can_screen"]},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def flag_add(request, pk: int):
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    if not services.can_flag(request.user, proposal):
        raise Http404
    can_share = is_official(request.user, proposal.call.organisation_id)
    form = FlagForm(request.POST, can_share=can_share)
    if form.is_valid():
        try:
            services.flag_add(
                proposal=proposal,
                by=request.user,
                label=form.cleaned_data["label"],
                note=form.cleaned_data["note"],
                shared=form.cleaned_data.get("shared", False),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Flag added."))
            return redirect(_back(request, proposal))
    return render(
        request,
        "calls/panel/flag_form.html",
        {"proposal": proposal, "form": form, "back_url": _back(request, proposal)},
        status=400,
    )


@login_required
@require_POST
def flag_remove(request, pk: int, flag_id: int):
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    if services.flag_remove(flag_id=flag_id, proposal=proposal, by=request.user):
        messages.success(request, _("Flag removed."))
    else:
        messages.info(request, _("That flag was already removed."))
    return redirect(_back(request, proposal))


def _back(request, proposal: Proposal) -> str:
    """Back to the review page for a reviewer, to the proposal page otherwise."""
    assignment = request.POST.get("assignment", "")
    if assignment.isascii() and assignment.isdigit():
        if proposal.review_assignments.filter(pk=int(assignment), reviewer=request.user).exists():
            return reverse("review_assignment", args=[int(assignment)])
    return reverse("proposal_detail", args=[proposal.pk])


@login_required
@require_http_methods(["GET", "POST"])
def meta_review(request, pk: int):
    """The chair reads the submitted reviews of one proposal and writes the panel's meta-review."""
    proposal = get_object_or_404(services.proposals_for_chair(request.user), pk=pk)
    existing = MetaReview.objects.filter(proposal=proposal).select_related("author").first()
    problem = services.meta_review_problem(proposal)
    if request.method == "POST":
        form = MetaReviewForm(request.POST, versioned=existing)
        if form.is_valid():
            try:
                services.meta_review_save(
                    proposal=proposal,
                    by=request.user,
                    summary=form.cleaned_data["summary"],
                    recommendation=form.cleaned_data["recommendation"],
                    edit_version=form.cleaned_data.get("edit_version"),
                )
            except StaleEdit as stale:
                form.show_conflict(stale.current)
                existing = stale.current
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The meta-review is saved. The city reads it beside the scores."))
                return redirect("meta_review", pk=proposal.pk)
    else:
        initial = {"summary": existing.summary, "recommendation": existing.recommendation} if existing else {}
        form = MetaReviewForm(initial=initial, versioned=existing)
    call = proposal.call
    context = {
        "proposal": proposal,
        "call": call,
        "reviews": services.submitted_reviews(proposal.pk),
        "criteria": list(call.criteria.all()),
        "meta_review": existing,
        "form": form,
        "problem": problem,
        # A reviewer who chairs sees the title only on a blind call, never the team.
        "is_city": is_official(request.user, call.organisation_id),
    }
    status = 409 if form.conflict else (400 if form.errors else 200)
    return render(request, "calls/panel/meta_review.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def call_panel(request, call_id: int):
    """The call's panel: its chairs (the city appoints reviewers), and per proposal the reviews' recommendations and
    the meta-review, with a link to write it. For the city's officials and the call's chairs."""
    managed = calls_managed_by(request.user).filter(pk=call_id).first()
    call = managed or get_object_or_404(
        services.calls_chaired_by(request.user).select_related("organisation"), pk=call_id
    )
    is_city = managed is not None
    form = ChairForm(request.POST or None, candidates=services.chair_candidates(call)) if is_city else None
    if request.method == "POST":
        if not is_city:
            raise PermissionDenied
        if request.POST.get("action") == "remove":
            chair_id = request.POST.get("chair", "")
            if chair_id.isascii() and chair_id.isdigit():
                services.chair_remove(call=call, chair_id=int(chair_id), by=request.user)
                messages.success(request, _("The chair was removed."))
            return redirect("call_panel", call_id=call.pk)
        form = ChairForm(request.POST, candidates=services.chair_candidates(call))
        if form.is_valid():
            try:
                chair = services.chair_appoint(call=call, user=form.cleaned_data["reviewer"], by=request.user)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request, _("%(name)s now chairs the panel of this call.") % {"name": chair.user.display_name}
                )
                return redirect("call_panel", call_id=call.pk)
    proposals = list(services.proposals_for_chair(request.user).filter(call=call).order_by("title", "pk"))
    recommendations = services.recommendations_for([p.pk for p in proposals])
    rows = [{"proposal": p, **recommendations[p.pk]} for p in proposals]
    return render(
        request,
        "calls/panel/call_panel.html",
        {
            "call": call,
            "is_city": is_city,
            "chairs": list(PanelChair.objects.filter(call=call).select_related("user")),
            "form": form,
            "rows": rows,
        },
        status=400 if form is not None and form.errors else 200,
    )
