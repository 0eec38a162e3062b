"""Saved searches and alerts: /dashboard/alerts/ for their owner, and signed unsubscribe links for anyone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from calls import alerts
from calls.forms_alerts import SavedSearchChangeForm, SavedSearchForm
from calls.models import SavedSearch


def _rows(searches: list[SavedSearch]) -> list[dict]:
    """Each saved search with its source and what it filters, described with one lookup per vocabulary."""
    rows = []
    by_source: dict[str, list[SavedSearch]] = {}
    for saved_search in searches:
        by_source.setdefault(saved_search.source, []).append(saved_search)
    facts = {}
    for key, group in by_source.items():
        source = alerts.alert_source(key)
        if source is not None:
            facts.update(zip([s.pk for s in group], source.describe_many([s.query for s in group]), strict=True))
    for saved_search in searches:
        source = alerts.alert_source(saved_search.source)
        rows.append(
            {
                "search": saved_search,
                "source": source,
                "facts": facts.get(saved_search.pk, []),
                "browse_url": source.browse_url(saved_search.query) if source else "",
            }
        )
    return rows


@login_required
def alert_list(request):
    searches = list(alerts.saved_searches_of(request.user))
    saved = {(s.source, s.query) for s in searches}
    suggestions = [
        suggestion
        for source in alerts.alert_sources()
        if (suggestion := source.suggestion(request.user)) and (source.key, suggestion.query) not in saved
    ]
    return render(
        request,
        "calls/alerts/alert_list.html",
        {
            "rows": _rows(searches),
            "suggestions": suggestions,
            "limit": alerts.MAX_SAVED_SEARCHES,
            "at_limit": len(searches) >= alerts.MAX_SAVED_SEARCHES,
            "frequencies": SavedSearch.Frequency.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_create(request):
    """Save a filter (from /calls/, /partnerships/ or a profile suggestion); errors keep what was typed."""
    source = alerts.alert_source(request.POST.get("source") or request.GET.get("source") or "calls")
    if request.method == "POST":
        form = SavedSearchForm(request.POST)
        if form.is_valid():
            try:
                saved_search = alerts.saved_search_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Saved “%(name)s”. We will email you about new matches: %(frequency)s.")
                    % {"name": saved_search.name, "frequency": saved_search.get_frequency_display().lower()},
                )
                return redirect("alerts_list")
    else:
        query = source.normalise(request.GET) if source else ""
        form = SavedSearchForm(
            initial={
                "source": source.key if source else "",
                "query": query,
                "name": source.default_name(query) if source and query else "",
            }
        )
    query = form.data.get("query", "") if form.is_bound else form.initial.get("query", "")
    return render(
        request,
        "calls/alerts/alert_form.html",
        {
            "form": form,
            "source": source,
            "facts": source.describe(source.normalise(QueryDict(query))) if source else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_edit(request, pk: int):
    saved_search = get_object_or_404(alerts.saved_searches_of(request.user), pk=pk)
    form = SavedSearchChangeForm(request.POST or None, instance=saved_search)
    if request.method == "POST" and form.is_valid():
        alerts.saved_search_update(saved_search=saved_search, **form.cleaned_data)
        messages.success(
            request,
            _("“%(name)s” now emails you: %(frequency)s.")
            % {"name": saved_search.name, "frequency": saved_search.get_frequency_display().lower()},
        )
        return redirect("alerts_list")
    source = alerts.alert_source(saved_search.source)
    return render(
        request,
        "calls/alerts/alert_edit.html",
        {
            "form": form,
            "search": saved_search,
            "source": source,
            "facts": source.describe(saved_search.query) if source else [],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_delete(request, pk: int):
    saved_search = get_object_or_404(alerts.saved_searches_of(request.user), pk=pk)
    if request.method == "POST":
        alerts.saved_search_delete(saved_search=saved_search)
        messages.success(
            request, _("Deleted “%(name)s”. You will get no more emails about it.") % {"name": saved_search.name}
        )
        return redirect("alerts_list")
    return render(request, "calls/alerts/alert_delete.html", {"search": saved_search})


def _private(response: HttpResponse) -> HttpResponse:
    """Unsubscribe pages carry a token in their address: keep it out of caches and of Referer headers sent to other sites."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" would make the form POST Origin: null
    response["X-Robots-Tag"] = "noindex"
    return response


def _bad_token(request) -> HttpResponse:
    return _private(render(request, "calls/alerts/unsubscribe_invalid.html", status=400))


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: confirm which alerts the signed link stops; POST: delete them. No sign-in needed."""
    try:
        searches = list(alerts.searches_for_token(token))
    except signing.BadSignature:
        return _bad_token(request)
    if request.method == "POST":
        alerts.unsubscribe(token)
        return _private(render(request, "calls/alerts/unsubscribe_done.html", {"searches": searches}))
    return _private(render(request, "calls/alerts/unsubscribe_confirm.html", {"searches": searches}))


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a form; the signed token is the authority.
@require_POST
def unsubscribe_one_click(request, token: str):
    try:
        alerts.unsubscribe(token)
    except signing.BadSignature:
        return _bad_token(request)
    return _private(HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8"))
