"""The city's desk: the proposal list (per call and across the city's calls), its CSV, bulk actions with their
confirmation and progress, saved views, and the action centre of one proposal.

Everything is reached through ``calls_managed_by`` and ``proposals_visible_to``: a reviewer, another city's official
or a team member gets a 404 on every page, file and action here; sealed proposals before the deadline are counted,
never listed.
"""

import csv
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calls.desk_rows import with_cells
from calls.filters_desk import COLUMNS, PAGE_SIZES, SORTS, ProposalDeskFilter, desk_counts, page_of, with_row_numbers
from calls.forms_reviews import InfoRequestForm, ReviewerAssignForm
from calls.models import DeskBulkRun, DeskView, Proposal, ReviewAssignment, ReviewScore, TeamMember
from calls.selectors import calls_managed_by, proposals_visible_to, sealed_proposal_count
from calls.services import desk as services
from calls.services import reviews as review_services
from calls.services.proposals import proposal_eligibility
from calls.tasks import run_desk_bulk_action
from calls.views.panel import desk_panel_columns, panel_city_context
from hub.csv import csv_safe
from hub.forms import apply_validation_error

Action = DeskBulkRun.Action
# Query parameters of the list that are not filters (kept out of saved views and of "previous / next").
NOT_FILTERS = ("page", "desk")


def _call_or_404(request, call_id: int | None):
    """The call of the desk (None: across the city's calls); 404 for anyone who is not one of its city's officials."""
    managed = calls_managed_by(request.user)
    if call_id is None:
        if not managed.exists():
            raise Http404
        return None
    return get_object_or_404(managed, pk=call_id)


def _filterset(request, call, data: QueryDict | None = None) -> ProposalDeskFilter:
    data = request.GET if data is None else data
    return ProposalDeskFilter(data, user=request.user, call=call)


def _list_query(data: QueryDict) -> str:
    """The list's filters and sort as a query string, without the page."""
    kept = data.copy()
    for key in NOT_FILTERS:
        kept.pop(key, None)
    return kept.urlencode()


def _list_url(call) -> str:
    return reverse("desk_call_list", args=[call.pk]) if call else reverse("desk_list")


def _sealed_count(request, call) -> int:
    if call is not None:
        return sealed_proposal_count(request.user, call)
    return (
        Proposal.objects.filter(
            call__in=calls_managed_by(request.user).filter(sealed=True).values("pk"),
            status__in=Proposal.SUBMITTED_STATES,
        )
        .exclude(pk__in=proposals_visible_to(request.user).values("pk"))
        .count()
    )


def _page_rows(proposals: list[Proposal], *, eligibility: bool) -> list[dict]:
    rows = []
    for p in proposals:
        team = [m for m in p.team.all() if m.is_lead or m.status == TeamMember.Status.ACCEPTED]
        rows.append(
            {
                "proposal": p,
                "countries": sorted({m.country.code for m in team if m.country_id}),
                "early_career": sum(1 for m in team if m.early_career),
                "team_size": len(team),
                "warnings": [c for c in proposal_eligibility(p) if not c.met] if eligibility else [],
            }
        )
    return rows


LIST_DEFERRED = (
    "summary",
    "methodology",
    "participation_plan",
    "data_management_plan",
    "ethics",
    "answers",
    "info_request",
    "outcome_message",
    "review_response",
    "screening_reason",
)


def _numbered(proposals, size: int = 500):
    """The proposals of an iterator with ``with_row_numbers`` applied per batch of ``size``."""
    batch = []
    for p in proposals:
        batch.append(p)
        if len(batch) == size:
            yield from with_row_numbers(batch)
            batch = []
    yield from with_row_numbers(batch)


def _with_rows(queryset, *, eligibility: bool):
    team = TeamMember.objects.select_related("country")
    if eligibility:
        team = team.prefetch_related("languages")
    # The call by prefetch, not by join: one instance of the (wide) call page shared by the page's rows instead of
    # one per row; the long texts of a proposal are not shown in the list.
    queryset = queryset.defer(*LIST_DEFERRED).select_related("lead")
    queryset = queryset.prefetch_related("call__organisation__country", Prefetch("team", team))
    return queryset.prefetch_related("call__required_languages") if eligibility else queryset


class BulkForm(forms.Form):
    """What a bulk action needs besides the proposals: a reviewer's address or a message to the teams."""

    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=Action.choices)
    reviewer_email = forms.EmailField(label=gettext_lazy("Reviewer's email address"), required=False)
    message = forms.CharField(
        label=gettext_lazy("Message to the teams"), required=False, max_length=3000, widget=forms.Textarea
    )

    def __init__(self, *args, call=None, ranking: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        choices = list(Action.choices)
        if call is not None and not call.two_stage:
            choices = [c for c in choices if c[0] != Action.INVITE]
        if ranking:
            choices = [c for c in choices if c[0] in services.DECISIONS]
        if call is not None and review_services.award_problem(call):
            # Before the deadline (or while awards are closed) the ranking offers closing early, never an award.
            choices = [c for c in choices if c[0] != Action.AWARD]
        self.fields["action"].choices = choices

    def clean(self):
        data = super().clean()
        if "action" in data:
            params = {k: data.get(k) or "" for k in ("reviewer_email", "message")}
            for field, problem in services.bulk_problem(action=data["action"], params=params, call=self.call).items():
                self.add_error(field, problem)
        return data

    @property
    def params(self) -> dict:
        action = self.cleaned_data["action"]
        if action == Action.ASSIGN:
            return {"reviewer_email": self.cleaned_data["reviewer_email"]}
        if action in (Action.DECLINE, Action.REQUEST_INFO) or action in services.DECISIONS:
            return {"message": self.cleaned_data.get("message", "")}
        return {}


# Columns sorted from the highest first when their header is clicked.
DESCENDING_FIRST = ("score", "spread", "reviews", "submitted", "version")


def _headers(columns: list[str], sort: str) -> list[dict]:
    """The table's headers: each sortable one a link to sort by it (again: the other way round)."""
    labels = dict(COLUMNS) | {"title": _("Title")}
    headers = []
    for key in ["title", *columns]:
        header = {"key": key, "label": labels[key], "param": "", "aria_sort": ""}
        if key in SORTS:
            if sort == key:
                header.update(param=f"-{key}", aria_sort="ascending")
            elif sort == f"-{key}":
                header.update(param=key, aria_sort="descending")
            else:
                header["param"] = f"-{key}" if key in DESCENDING_FIRST else key
        headers.append(header)
    return headers


def _render_list(request, call):
    filterset = _filterset(request, call)
    for problem in filterset.problems():
        messages.error(request, problem)
    columns = filterset.columns
    eligibility = "eligibility" in columns
    total, facets = desk_counts(filterset)
    page = page_of(
        filterset, request.GET.get("page"), rows=lambda q: _with_rows(q, eligibility=eligibility), count=total
    )
    query = _list_query(request.GET)
    views = DeskView.objects.filter(owner=request.user, call=call)
    return render(
        request,
        "calls/desk/list.html",
        {
            "call": call,
            "filterset": filterset,
            "facets": facets,
            "page": page,
            "rows": with_cells(
                desk_panel_columns(request.user, _page_rows(page.object_list, eligibility=eligibility), columns),
                columns,
            ),
            "columns": columns,
            "headers": _headers(columns, filterset.sort_key),
            "all_columns": COLUMNS,
            "page_sizes": PAGE_SIZES,
            "sort": filterset.sort_key,
            "query": query,
            "desk_param": str(call.pk) if call else "all",
            "views": views,
            "bulk_form": BulkForm(call=call),
            "sealed_count": _sealed_count(request, call),
            "list_url": _list_url(call),
        },
    )


@login_required
def desk_list(request):
    return _render_list(request, _call_or_404(request, None))


@login_required
def desk_call_list(request, call_id: int):
    return _render_list(request, _call_or_404(request, call_id))


@login_required
def desk_csv(request, call_id: int | None = None):
    """The list as CSV: the filters in force, or the proposals ticked (``ids``)."""
    call = _call_or_404(request, call_id)
    filterset = _filterset(request, call)
    queryset = filterset.ordered()
    ids = _ids(request.GET.getlist("ids"))
    if ids:
        queryset = queryset.filter(pk__in=ids)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(call.title)[:60] if call else "all-calls"
    response["Content-Disposition"] = f'attachment; filename="{name}-desk-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "call",
            "title",
            "lead",
            "team",
            "countries",
            "early-career members",
            "status",
            "version",
            "submitted",
            "reviews done",
            "reviews assigned",
            "mean score",
            "spread",
        ]
    )
    for p in _numbered(_with_rows(queryset, eligibility=False).iterator(chunk_size=500)):
        team = [m for m in p.team.all() if m.is_lead or m.status == TeamMember.Status.ACCEPTED]
        row = [
            p.pk,
            p.call.title,
            p.title,
            p.lead.display_name,
            "; ".join(m.name for m in team),
            "; ".join(sorted({m.country.code for m in team if m.country_id})),
            sum(1 for m in team if m.early_career),
            p.get_status_display(),
            p.latest_number or "",
            p.submitted_at.isoformat() if p.submitted_at else "",
            p.reviews_done,
            p.reviews_assigned,
            "" if p.weighted is None else f"{p.weighted:.2f}",
            "" if p.spread is None else f"{p.spread:.2f}",
        ]
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _ids(values) -> list[int]:
    return sorted({int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12})


def _resolve(request, call, data) -> tuple[list[int], str]:
    """The proposal ids a bulk request names, and its scope: ticked ones, the top N or all N matching the list."""
    scope = data.get("scope", "selected")
    filterset = _filterset(request, call, QueryDict(data.get("query", ""), mutable=True))
    ordered = filterset.ordered()
    if scope == "all":
        return list(ordered.values_list("pk", flat=True)[: services.MAX_BULK + 1]), scope
    if scope == "top":
        top = data.get("top", "")
        number = int(top) if top.isascii() and top.isdigit() and len(top) < 6 else 0
        return list(ordered.values_list("pk", flat=True)[:number]), scope
    ids = _ids(data.getlist("ids"))
    # Only what the official may see on this list: anything else is silently out of the selection.
    return list(ordered.filter(pk__in=ids).values_list("pk", flat=True)), "selected"


@login_required
@require_POST
def desk_bulk(request, call_id: int | None = None):
    """A bulk action's confirmation (first POST, from the list or the ranking), then its start (``confirm``)."""
    call = _call_or_404(request, call_id)
    ids, scope = _resolve(request, call, request.POST)
    ranking = request.POST.get("from") == "ranking"
    confirming = bool(request.POST.get("confirm"))
    # First the confirmation page, the action chosen on the list preselected; its own POST is then validated.
    form = BulkForm(
        request.POST if confirming else None,
        initial={"action": request.POST.get("action", "")},
        call=call,
        ranking=ranking,
    )
    back = _back_url(request, call, ranking)
    if not ids:
        messages.error(request, _("Choose at least one proposal, or all those matching the list."))
        return redirect(back)
    expected = request.POST.get("expected", "")
    if confirming and form.is_valid():
        if expected != str(len(ids)):
            messages.warning(
                request,
                _("The list changed since you looked: this now acts on %(count)s proposals. Confirm again.")
                % {"count": len(ids)},
            )
        else:
            try:
                run = services.bulk_prepare(
                    by=request.user,
                    call=call,
                    action=form.cleaned_data["action"],
                    proposal_ids=ids,
                    params=form.params,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                run_desk_bulk_action.enqueue(run.pk)
                return redirect(reverse("desk_bulk_run", args=[run.pk]) + "?" + urlencode({"back": back}))
    titles = list(Proposal.objects.filter(pk__in=ids[:10]).values_list("title", flat=True))
    return render(
        request,
        "calls/desk/bulk_confirm.html",
        {
            "call": call,
            "form": form,
            "count": len(ids),
            "ids": ids if scope == "selected" else [],
            "scope": scope,
            "top": request.POST.get("top", ""),
            "query": request.POST.get("query", ""),
            "titles": titles,
            "more": max(0, len(ids) - len(titles)),
            "ranking": ranking,
            "back": back,
            "action_label": dict(form.fields["action"].choices).get(request.POST.get("action"), ""),
        },
        status=400 if (confirming and form.errors) else 200,
    )


def _back_url(request, call, ranking: bool) -> str:
    query = request.POST.get("query", "")
    if ranking and call is not None:
        base = reverse("call_ranking", args=[call.pk])
    else:
        base = _list_url(call)
    return f"{base}?{query}" if query else base


@login_required
def desk_bulk_run(request, pk: int):
    """The progress of a bulk action (refreshing itself until done), then what it did and what it skipped."""
    run = get_object_or_404(DeskBulkRun.objects.select_related("call"), pk=pk, by=request.user)
    if not run.finished:
        done = cache.get(services.progress_key(run.pk))
        if done is not None:
            run.done = done
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    response = render(request, "calls/desk/bulk_run.html", {"run": run, "back": back or _list_url(run.call)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def desk_view_save(request, call_id: int | None = None):
    call = _call_or_404(request, call_id)
    query = request.POST.get("query", "")
    filterset = _filterset(request, call, QueryDict(query))
    try:
        view = services.view_save(
            owner=request.user,
            name=request.POST.get("name", ""),
            call=call,
            query=_list_query(QueryDict(query)),
            columns=filterset.columns,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    url = _list_url(call)
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def desk_view_delete(request, pk: int):
    view = get_object_or_404(DeskView.objects.select_related("call"), pk=pk, owner=request.user)
    call = view.call
    view.delete()
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect(_list_url(call))


# -- the proposal page as the city's action centre ---------------------------------------------------------------


class StatusForm(forms.Form):
    DECISIONS = [
        ("under_review", gettext_lazy("Mark as under review")),
        ("shortlist", gettext_lazy("Shortlist")),
        ("invite", gettext_lazy("Invite to submit a full proposal")),
        ("award", gettext_lazy("Award")),
        ("decline", gettext_lazy("Decline")),
    ]
    decision = forms.ChoiceField(label=gettext_lazy("New status"), choices=DECISIONS)
    message = forms.CharField(
        label=gettext_lazy("Message to the team"), required=False, max_length=3000, widget=forms.Textarea
    )

    def __init__(self, *args, two_stage: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not two_stage:
            self.fields["decision"].choices = [c for c in self.DECISIONS if c[0] != "invite"]


def _neighbours(request, proposal: Proposal) -> dict:
    """Previous and next proposal of the desk's list this page was opened from (its filters carried along)."""
    desk = request.GET.get("desk", "")
    if not desk:
        return {}
    if desk == "all":
        call = None
    elif desk.isascii() and desk.isdigit() and int(desk) == proposal.call_id:
        call = proposal.call
    else:
        return {}
    filterset = _filterset(request, call)
    ids = list(filterset.ordered().values_list("pk", flat=True))
    if proposal.pk not in ids:
        return {"list_url": f"{_list_url(call)}?{_list_query(request.GET)}"}
    index = ids.index(proposal.pk)
    carried = request.GET.urlencode()
    return {
        "list_url": f"{_list_url(call)}?{_list_query(request.GET)}",
        "previous_url": f"{reverse('proposal_detail', args=[ids[index - 1]])}?{carried}" if index > 0 else "",
        "next_url": f"{reverse('proposal_detail', args=[ids[index + 1]])}?{carried}" if index + 1 < len(ids) else "",
        "position": index + 1,
        "list_total": len(ids),
    }


NEXT_STEP = {
    Proposal.Status.SUBMITTED: gettext_lazy("Assign reviewers."),
    Proposal.Status.UNDER_REVIEW: gettext_lazy("Wait for the reviews, then shortlist, decline or award."),
    Proposal.Status.INFO_REQUESTED: gettext_lazy("The team is revising; it will submit a new version."),
    Proposal.Status.INVITED: gettext_lazy("The team is writing its full proposal."),
    Proposal.Status.SHORTLISTED: gettext_lazy("Award or decline once the call is closed."),
    Proposal.Status.AWARDED: gettext_lazy("Decided: awarded."),
    Proposal.Status.DECLINED: gettext_lazy("Decided: declined."),
}


def city_context(request, proposal: Proposal, *, bound: dict | None = None) -> dict:
    """What the proposal page shows the city: reviews with scores, eligibility, versions, the action panel and the
    way through the list it came from. A constant number of queries whatever the reviews and versions."""
    bound = bound or {}
    call = proposal.call
    criteria = list(call.criteria.all())
    assignments = list(
        ReviewAssignment.objects.filter(proposal=proposal)
        .select_related("reviewer", "version")
        .prefetch_related(Prefetch("scores", ReviewScore.objects.order_by("criterion__sort_order")))
        .order_by("created_at")
    )
    reviews = []
    for number, a in enumerate((a for a in assignments if a.status == ReviewAssignment.Status.SUBMITTED), start=1):
        by_criterion = {s.criterion_id: s.score for s in a.scores.all()}
        reviews.append(
            {
                "assignment": a,
                "label": _("Reviewer %(n)s") % {"n": number}
                if call.blind_review
                else (a.reviewer.display_name if a.reviewer_id else a.invited_address),
                "scores": [(c, by_criterion.get(c.pk)) for c in criteria],
            }
        )
    return {
        "desk": True,
        "criteria": criteria,
        "assignments": assignments,
        "reviews": reviews,
        "checks": proposal_eligibility(proposal),
        "next_step": NEXT_STEP.get(proposal.status, ""),
        "can_assign": proposal.status in review_services.ASSIGNABLE,
        "can_request_info": proposal.status in review_services.INFO_REQUESTABLE,
        "can_decide": proposal.status in review_services.DECIDABLE or proposal.status == Proposal.Status.SUBMITTED,
        "assign_form": bound.get("assign") or ReviewerAssignForm(time_zone=call.time_zone),
        "info_form": bound.get("request_info") or InfoRequestForm(),
        "status_form": bound.get("status") or StatusForm(two_stage=call.two_stage),
        "back_query": request.GET.urlencode(),
        **_neighbours(request, proposal),
        **panel_city_context(request, proposal, bound=bound),  # screening, meta-review, flags (issue 18 §4–5)
    }


def city_proposal(request, pk: int) -> Proposal:
    """A proposal of one of the user's cities' calls that they may see as its city; 404 otherwise."""
    proposal = get_object_or_404(
        proposals_visible_to(request.user)
        .select_related("call__organisation__country")
        .prefetch_related(
            Prefetch("team", TeamMember.objects.select_related("country", "user").prefetch_related("languages")),
            "milestones",
            "attachments",
            "methods",
            "call__required_languages",
        ),
        pk=pk,
    )
    if not calls_managed_by(request.user).filter(pk=proposal.call_id).exists():
        raise Http404
    return proposal
