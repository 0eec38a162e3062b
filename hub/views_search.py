"""``/search/``: one box over every public type, with facets; the backend is the interface's business."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from wagtail.models import Page

from hub import translation
from hub.search import registry
from hub.search.forms import SearchForm
from hub.search.interface import Hit, Query, search
from hub.templatetags.i18n_links import path_in, unprefixed


def in_reader_language(hits: list[Hit]) -> None:
    """Each hit's link in the reader's language, and a page's title as its live translation has it (issue 16 §7):
    one query for the hits of one results page, none in English."""
    language = translation.active_language()
    for hit in hits:
        if hit.url.startswith("/"):
            hit.url = path_in(hit.url, language)
    target = translation.locale_id(language) if language != settings.LANGUAGE_CODE else None
    if target is None:
        return
    pages = {unprefixed(h.url): h for h in hits if getattr(registry.get(h.kind), "is_page", False)}
    root = Page.objects.filter(depth=2, locale_id=target).order_by("path").values_list("url_path", flat=True).first()
    if not pages or root is None:
        return
    by_path = {root + path.lstrip("/"): hit for path, hit in pages.items()}
    for url_path, title in Page.objects.filter(url_path__in=by_path, locale_id=target, live=True).values_list(
        "url_path", "title"
    ):
        by_path[url_path].title = escape(title)


def _without(params, name: str, value: str | None = None) -> str:
    kept = params.copy()
    kept.pop("page", None)
    if value is None:
        kept.pop(name, None)
    else:
        kept.setlist(name, [v for v in kept.getlist(name) if v != value])
    return kept.urlencode()


@require_GET
def search_view(request):
    """Search calls, cities, researchers, partnerships, results, data, indicators, methods and case studies."""
    form = SearchForm(request.GET)
    results = None
    chips = []
    if form.is_valid():
        data = form.cleaned_data
        query = Query(text=data["q"] or "", filters=data["filters"], page=data["page"] or 1)
        if not query.is_empty:
            results = search(query)
            in_reader_language(results.hits)
            labels = {(f.name, o.value): (f.label, o.label) for f in results.facets for o in f.options}
            for name, values in query.filters.items():
                for value in values:
                    facet_label, label = labels.get((name, value), (name, value))
                    chips.append({"label": facet_label, "value": label, "remove": _without(request.GET, name, value)})
    return TemplateResponse(
        request,
        "hub/search.html",
        {
            "form": form,
            "results": results,
            "chips": chips,
            "without_q": _without(request.GET, "q"),
            "ignored": form.cleaned_data.get("ignored", []) if form.is_valid() else [],
        },
    )
