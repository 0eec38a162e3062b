"""The city's review desk (manage, ranking, export) and the reviewer's pages."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from calls.forms_reviews import DecisionForm, DeclarationForm, InfoRequestForm, ReviewerAssignForm, ScoreForm
from calls.models import ReviewAssignment
from calls.selectors import (
    assignments_of,
    call_scores,
    calls_managed_by,
    proposals_for_review_desk,
    proposals_visible_to,
    sealed_proposal_count,
)
from calls.services import reviews as services
from calls.services.proposals import local_deadline_text
from hub.csv import csv_safe
from hub.forms import apply_validation_error


def _sealed_until(call):
    return call.full_proposal_closes_at if call.two_stage and call.full_proposal_closes_at else call.closes_at


@login_required
@require_http_methods(["GET", "POST"])
def call_manage(request, call_id: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=call_id)
    proposals = list(proposals_for_review_desk(request.user, call))
    bound: dict[tuple[int, str], object] = {}
    if request.method == "POST":
        proposal_id = request.POST.get("proposal", "")
        if not (proposal_id.isascii() and proposal_id.isdigit()):
            raise Http404
        proposal = get_object_or_404(proposals_for_review_desk(request.user, call), pk=int(proposal_id))
        action = request.POST.get("action")
        prefix = f"p{proposal.pk}"
        if action == "assign":
            form = ReviewerAssignForm(request.POST, prefix=prefix, time_zone=call.time_zone)
            if form.is_valid():
                try:
                    assignment = services.review_assign(
                        proposal=proposal,
                        reviewer_email=form.cleaned_data["reviewer_email"],
                        by=request.user,
                        due_at=form.due_at,
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    # The same words whether or not the address has an account.
                    messages.success(
                        request,
                        _("We will email %(email)s an invitation to review “%(title)s”.")
                        % {"email": assignment.email, "title": proposal.title},
                    )
                    return redirect("call_manage", call_id=call.pk)
            bound[(proposal.pk, "assign")] = form
        elif action == "request_info":
            form = InfoRequestForm(request.POST, prefix=f"{prefix}-info")
            if form.is_valid():
                try:
                    services.proposal_request_info(
                        proposal=proposal, by=request.user, message=form.cleaned_data["message"]
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    messages.success(
                        request,
                        _("The team of “%(title)s” was asked for more information.") % {"title": proposal.title},
                    )
                    return redirect("call_manage", call_id=call.pk)
            bound[(proposal.pk, "request_info")] = form
    scores = call_scores(call, [p.pk for p in proposals])
    rows = []
    for p in proposals:
        rows.append(
            {
                "proposal": p,
                "score": scores[p.pk],
                "assign_form": bound.get((p.pk, "assign"))
                or ReviewerAssignForm(prefix=f"p{p.pk}", time_zone=call.time_zone),
                "info_form": bound.get((p.pk, "request_info")) or InfoRequestForm(prefix=f"p{p.pk}-info"),
                "can_assign": p.status in services.ASSIGNABLE,
                "can_request_info": p.status in services.INFO_REQUESTABLE,
            }
        )
    return render(
        request,
        "calls/city_manage.html",
        {
            "call": call,
            "rows": rows,
            "sealed_count": sealed_proposal_count(request.user, call),
            "sealed_until": _sealed_until(call),
        },
        status=400 if bound else 200,
    )


SORTS = {
    "score": lambda row: (row["score"].weighted is None, -(row["score"].weighted or 0)),
    "title": lambda row: row["proposal"].title.lower(),
    "reviews": lambda row: -row["score"].reviews,
}


@login_required
@require_http_methods(["GET", "POST"])
def call_ranking(request, call_id: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=call_id)
    decidable = proposals_for_review_desk(request.user, call).filter(status__in=services.DECIDABLE)
    award_problem = services.award_problem(call)
    form = DecisionForm(
        request.POST or None, proposals=decidable, two_stage=call.two_stage, award_open=not award_problem
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["proposals"])
        action = form.cleaned_data["action"]
        try:
            decided = services.call_decide(
                call=call, by=request.user, message=form.cleaned_data["message"], **{action: chosen}
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            labels = dict(DecisionForm.ACTIONS)
            messages.success(
                request,
                _("%(action)s: %(titles)s. The teams are told by email.")
                % {"action": labels[action], "titles": ", ".join(f"“{p.title}”" for p in decided)},
            )
            return redirect("call_ranking", call_id=call.pk)
    criteria = list(call.criteria.all())
    proposals = list(proposals_for_review_desk(request.user, call))
    scores = call_scores(call, [p.pk for p in proposals])
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "score"
    rows = sorted(
        ({"proposal": p, "score": scores[p.pk], "decidable": p.status in services.DECIDABLE} for p in proposals),
        key=SORTS[sort],
    )
    checked = {str(pk) for pk in request.POST.getlist("proposals")}
    return render(
        request,
        "calls/city_ranking.html",
        {
            "call": call,
            "criteria": criteria,
            "rows": rows,
            "form": form,
            "sort": sort,
            "checked": checked,
            "sealed_count": sealed_proposal_count(request.user, call),
            "sealed_until": _sealed_until(call),
            "award_problem": award_problem,
            "can_close_early": not services.close_early_problem(call),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_close_early(request, call_id: int):
    """Confirm, then close the call before its deadline: says how many drafts it cuts off and that they are told."""
    call = get_object_or_404(calls_managed_by(request.user), pk=call_id)
    allowed, reason = services.can_run_review(request.user, call)
    if not allowed:
        raise PermissionDenied(reason)
    problem = services.close_early_problem(call)
    if request.method == "POST":
        try:
            cut_off = services.call_close_early(call=call, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if problem:
                messages.info(request, _("This call is already closed; nothing changed."))
            elif not cut_off:
                messages.success(request, _("The call is closed; no drafts were waiting. You can now award proposals."))
            else:
                messages.success(
                    request,
                    ngettext(
                        "The call is closed. We are emailing the team of %(count)s unsubmitted draft. "
                        "You can now award proposals.",
                        "The call is closed. We are emailing the teams of %(count)s unsubmitted drafts. "
                        "You can now award proposals.",
                        len(cut_off),
                    )
                    % {"count": len(cut_off)},
                )
        return redirect("call_ranking", call_id=call.pk)
    deadline = services.final_deadline(call)
    return render(
        request,
        "calls/call_close_early.html",
        {
            "call": call,
            "problem": problem,
            "cut_off_count": len(services.proposals_cut_off_by_closing(call)) if not problem else 0,
            "deadline_text": local_deadline_text(deadline, call.time_zone),
        },
    )


@login_required
def call_export(request, call_id: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=call_id)
    criteria = list(call.criteria.all())
    proposals = list(proposals_for_review_desk(request.user, call))
    scores = call_scores(call, [p.pk for p in proposals])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{slugify(call.title)[:60] or 'call'}-proposals-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        ["id", "title", "lead", "team", "countries", "budget", "currency", "status", "version"]
        + [f"mean: {c.name}" for c in criteria]
        + ["weighted score", "reviews"]
    )
    for p in proposals:
        score = scores[p.pk]
        team = [m for m in p.team.all() if m.is_lead or m.status == m.Status.ACCEPTED]
        means = {s.criterion_id: s.mean for s in score.criteria}
        row = [
            p.pk,
            p.title,
            p.lead.display_name,
            "; ".join(m.name for m in team),
            "; ".join(sorted({m.country.code for m in team if m.country_id})),
            p.budget if p.budget is not None else "",
            call.currency,
            p.get_status_display(),
            p.latest_number or "",
        ]
        row += ["" if means.get(c.pk) is None else f"{means[c.pk]:.2f}" for c in criteria]
        row += ["" if score.weighted is None else f"{score.weighted:.2f}", score.reviews]
        writer.writerow([csv_safe(cell) for cell in row])
    return response


@login_required
def review_list(request):
    assignments = (
        assignments_of(request.user).select_related("proposal__call__organisation", "version").order_by("-created_at")
    )
    return render(request, "calls/review_list.html", {"assignments": assignments})


def _team_for_reviewer(content: dict, blind: bool) -> list[dict]:
    if not blind:
        return content.get("team", [])
    # Blind review: roles, countries and career stage only; no names, affiliations or emails.
    return [
        {"role": m.get("role"), "country": m.get("country"), "early_career": m.get("early_career")}
        for m in content.get("team", [])
    ]


@login_required
@require_http_methods(["GET", "POST"])
def review_assignment(request, pk: int):
    assignment = get_object_or_404(assignments_of(request.user), pk=pk)
    call = assignment.proposal.call
    context = {"assignment": assignment, "call": call, "blind": call.blind_review}
    if assignment.status == ReviewAssignment.Status.INVITED:
        context["declaration_form"] = DeclarationForm()
        return render(request, "calls/review_declare.html", context)
    if assignment.status not in (ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED):
        return render(request, "calls/review_declare.html", context)
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=assignment.proposal_id)
    version = proposal.versions.filter(is_withdrawn=False).order_by("-number").first()
    criteria = list(call.criteria.all())
    allowed, reason = services.can_score(assignment)
    if request.method == "POST" and not allowed:
        messages.error(request, reason)
        return redirect("review_assignment", pk=assignment.pk)
    if request.method == "POST":
        form = ScoreForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                services.review_submit(
                    assignment=assignment, by=request.user, scores=form.scores, comments=form.cleaned_data["comments"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Your review was saved. You can update it until the city decides."))
                return redirect("review_assignment", pk=assignment.pk)
    else:
        form = ScoreForm(initial=ScoreForm.initial_from(assignment), criteria=criteria)
    content = version.content if version else {}
    context.update(
        {
            "proposal": proposal,
            "version": version,
            "content": content,
            "team": _team_for_reviewer(content, call.blind_review),
            "form": form,
            "can_score": allowed,
            "cannot_score_reason": reason,
            "outdated": assignment.version_id is not None
            and version is not None
            and assignment.version_id != version.pk,
        }
    )
    return render(request, "calls/review_assignment.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def review_declare(request, pk: int):
    assignment = get_object_or_404(assignments_of(request.user), pk=pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.review_declare(
                assignment=assignment,
                by=request.user,
                has_conflict=form.has_conflict,
                statement=form.cleaned_data["statement"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "already_answered":
                # A second answer (double click, another tab): say so on the page that shows the first one.
                messages.error(request, " ".join(error.messages))
                return redirect("review_assignment", pk=assignment.pk)
            apply_validation_error(form, error)
        else:
            if form.has_conflict:
                messages.success(request, _("Thank you. The city will assign someone else."))
            else:
                messages.success(request, _("Thank you. You can now read the proposal and score it."))
            return redirect("review_assignment", pk=assignment.pk)
    return render(
        request,
        "calls/review_declare.html",
        {
            "assignment": assignment,
            "call": assignment.proposal.call,
            "blind": assignment.proposal.call.blind_review,
            "declaration_form": form,
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_invitation(request, token):
    """The link of a reviewer's invitation email: its address's owner, signed in, takes it up and declares."""
    assignment = get_object_or_404(ReviewAssignment.objects.select_related("proposal__call__organisation"), token=token)
    problem = services.review_invitation_problem(assignment, request.user)
    if not problem and assignment.reviewer_id == request.user.pk:
        return redirect("review_assignment", pk=assignment.pk)
    if request.method == "POST" and not problem:
        try:
            services.review_invitation_take(assignment=assignment, user=request.user)
        except PermissionDenied as error:
            problem = str(error)
        else:
            return redirect("review_assignment", pk=assignment.pk)
    return render(
        request,
        "calls/review_invitation.html",
        {"assignment": assignment, "call": assignment.proposal.call, "problem": problem},
        status=403 if problem else 200,
    )
