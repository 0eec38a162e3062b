"""The city's review desk (manage, ranking, export) and the reviewer's pages."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from calls.application_forms import blind_answers, questions_from
from calls.filters_desk import PAGE_SIZES, ProposalDeskFilter, page_of
from calls.forms_application import ReviewQuestionsForm
from calls.forms_panel import FlagForm
from calls.forms_reviews import DecisionForm, DeclarationForm, InfoRequestForm, ReviewerAssignForm, ScoreForm
from calls.models import ProposalVersion, ReviewAssignment, ReviewScore
from calls.review_numbers import population_spread
from calls.scoring import CriterionStats, ProposalScore
from calls.selectors import (
    assignments_of,
    call_scores,
    calls_managed_by,
    proposals_for_review_desk,
    proposals_visible_to,
    sealed_proposal_count,
)
from calls.services import panel
from calls.services import reviews as services
from calls.services.proposals import local_deadline_text
from calls.views.desk import BulkForm
from hub.csv import csv_safe
from hub.forms import apply_validation_error


def _sealed_until(call):
    return call.full_proposal_closes_at if call.two_stage and call.full_proposal_closes_at else call.closes_at


@login_required
@require_http_methods(["GET", "POST"])
def call_manage(request, call_id: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=call_id)
    # A page of cards at a time: the desk's table (calls.views.desk) finds and sorts them.
    page = Paginator(proposals_for_review_desk(request.user, call), MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = list(page.object_list)
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
            "page": page,
            "sealed_count": sealed_proposal_count(request.user, call),
            "sealed_until": _sealed_until(call),
        },
        status=400 if bound else 200,
    )


MANAGE_PAGE_SIZE = 25
# The ranking's sort links of before the desk, as the desk's sort keys.
RANKING_SORTS = {"score": "-score", "reviews": "-reviews", "title": "title"}


def ranking_rows(call, proposals: list) -> list[dict]:
    """Per proposal of the page: its score with each criterion's mean, spread and "not applicable" count, all
    computed in the database (one query for the page, whatever the number of reviews)."""
    criteria = list(call.criteria.all())
    stats: dict[tuple[int, int], dict] = {}
    rows = (
        ReviewScore.objects.filter(
            assignment__proposal_id__in=[p.pk for p in proposals],
            assignment__status=ReviewAssignment.Status.SUBMITTED,
        )
        .values("assignment__proposal_id", "criterion_id")
        .annotate(
            mean=Avg("score"),
            spread=population_spread("score"),
            given=Count("score"),
            not_applicable=Count("pk", filter=Q(score__isnull=True)),
        )
        .order_by()
    )
    for row in rows:
        stats[(row["assignment__proposal_id"], row["criterion_id"])] = row
    recommendations = panel.recommendations_for([p.pk for p in proposals])
    result = []
    for p in proposals:
        per_criterion = []
        for c in criteria:
            row = stats.get((p.pk, c.pk), {})
            given = row.get("given", 0)
            per_criterion.append(
                CriterionStats(
                    c.pk,
                    row.get("mean") if given else None,
                    row.get("spread") if given else None,
                    given,
                    row.get("not_applicable", 0),
                )
            )
        score = ProposalScore(p.pk, p.weighted, tuple(per_criterion), p.reviews_done)
        result.append(
            {
                "proposal": p,
                "score": score,
                "decidable": p.status in services.DECIDABLE,
                "recommendations": recommendations[p.pk],
            }
        )
    return result


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
    data = request.GET.copy()
    data["sort"] = RANKING_SORTS.get(data.get("sort", ""), data.get("sort") or "-score")
    filterset = ProposalDeskFilter(data, user=request.user, call=call)
    for problem in filterset.problems():
        messages.error(request, problem)
    page = page_of(filterset, request.GET.get("page"), rows=lambda q: q.select_related("lead"))
    checked = {str(pk) for pk in request.POST.getlist("proposals")}
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "calls/city_ranking.html",
        {
            "call": call,
            "criteria": list(call.criteria.all()),
            "rows": ranking_rows(call, page.object_list),
            "page": page,
            "filterset": filterset,
            "query": query.urlencode(),
            "page_sizes": PAGE_SIZES,
            "form": form,
            "bulk_form": BulkForm(call=call, ranking=True, auto_id="bulk_%s"),  # beside the ticked-rows form: own ids
            "sort": {v: k for k, v in RANKING_SORTS.items()}.get(filterset.sort_key, filterset.sort_key),
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
    answers = _latest_answers([p.pk for p in proposals])
    questions = _answer_columns(call, answers.values())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{slugify(call.title)[:60] or 'call'}-proposals-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        ["id", "title", "lead", "team", "countries", "budget", "currency", "status", "version"]
        + [f"mean: {c.name}" for c in criteria]
        + ["weighted score", "reviews"]
        + [f"answer: {label}" for _key, label in questions]
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
        shown = {a["key"]: a.get("display") or "" for a in answers.get(p.pk, [])}
        row += [shown.get(key, "") for key, _label in questions]
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _latest_answers(proposal_ids: list[int]) -> dict[int, list[dict]]:
    """Each proposal's answers as last submitted (a withdrawn version only when there is no other); one query."""
    latest: dict[int, tuple[bool, int, list]] = {}
    rows = ProposalVersion.objects.filter(proposal_id__in=proposal_ids).values_list(
        "proposal_id", "number", "is_withdrawn", "content__answers"
    )
    for proposal_id, number, withdrawn, answers in rows:
        rank = (not withdrawn, number, answers or [])
        if proposal_id not in latest or rank[:2] > latest[proposal_id][:2]:
            latest[proposal_id] = rank
    return {pk: rank[2] for pk, rank in latest.items()}


def _answer_columns(call, answer_lists) -> list[tuple[str, str]]:
    """The CSV's answer columns: the call's questions in form order (both stages), then questions answered in
    submitted versions that the form no longer has."""
    columns: dict[str, str] = {}
    for stream in (call.application_form, call.full_application_form):
        for q in questions_from(stream.get_prep_value()):
            if not q.is_heading:
                columns.setdefault(q.key, q.label)
    for answers in answer_lists:
        for answer in answers:
            columns.setdefault(answer["key"], answer.get("label") or answer["key"])
    return list(columns.items())


@login_required
def review_list(request):
    assignments = (
        assignments_of(request.user).select_related("proposal__call__organisation", "version").order_by("-created_at")
    )
    return render(
        request,
        "calls/review_list.html",
        {
            "assignments": assignments,
            # Panel (issue 18 §4): the calls whose panel the reviewer chairs.
            "chaired_calls": list(panel.calls_chaired_by(request.user).select_related("organisation")),
        },
    )


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
        questions_form = ReviewQuestionsForm.for_call(call, request.POST)
        questions_valid = questions_form.is_valid()
        if form.is_valid() and questions_valid:
            try:
                services.review_submit(
                    assignment=assignment,
                    by=request.user,
                    scores=form.scores,
                    comments=form.cleaned_data["comments"],
                    answers=questions_form.answers,
                    recommendation=form.cleaned_data["recommendation"],
                    confidence=form.cleaned_data["confidence"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Your review was saved. You can update it until the city decides."))
                return redirect("review_assignment", pk=assignment.pk)
    else:
        form = ScoreForm(initial=ScoreForm.initial_from(assignment), criteria=criteria)
        questions_form = ReviewQuestionsForm.for_call(call, initial=ReviewQuestionsForm.initial_from(assignment))
    content = version.content if version else {}
    if call.blind_review and content:
        content = {**content, "answers": blind_answers(content.get("answers"))}
    context.update(
        {
            "proposal": proposal,
            "version": version,
            "content": content,
            "team": _team_for_reviewer(content, call.blind_review),
            "form": form,
            "questions_form": questions_form,
            "can_score": allowed,
            "cannot_score_reason": reason,
            "outdated": assignment.version_id is not None
            and version is not None
            and assignment.version_id != version.pk,
            # Panel (issue 18 §4): the other reviews, once this one is in and if the call allows it.
            "other_reviews": panel.other_reviews_for(assignment),
            # Flags (issue 18 §5): a reviewer's own, private.
            "flags": list(panel.flags_visible_to(request.user).filter(proposal=proposal)),
            "flag_form": FlagForm(can_share=False),
        }
    )
    return render(
        request, "calls/review_assignment.html", context, status=400 if form.errors or questions_form.errors else 200
    )


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


@require_http_methods(["GET", "POST"])
def review_invitation(request, token):
    """The link of a reviewer's invitation email: its address's owner, signed in, takes it up and declares.

    Someone not signed in creates their account from the link, or signs in (calls.views.reviewer_matching)."""
    if not request.user.is_authenticated:
        return redirect("review_invitation_join", token=token)
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
