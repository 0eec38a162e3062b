"""``/search/``: one box over every public type, with facets; the backend is the interface's business."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from hub.search.forms import SearchForm
from hub.search.interface import Query, search


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
