"""The one search interface: a :class:`Query` goes in, :class:`Results` come out, whatever the backend.

``search(query)`` uses Elasticsearch when ``ELASTICSEARCH_URL`` is set and answers within
``ELASTICSEARCH_TIMEOUT``; when it cannot, it logs a warning and answers from the database backend
with ``fallback=True`` so that the page can say so. Views never branch on the backend.
"""

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from hub import aggregates, page_cache
from hub.forms import Facet, FacetOption
from hub.models import Country, Language, Method, SDGGoal, Theme
from hub.search import registry

logger = logging.getLogger("hub.search")
PAGE_SIZE = 20


@dataclass(frozen=True)
class Query:
    """What the reader asked: words, facet filters (facet → any of these values) and a page number."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not any(self.filters.values())

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class Hit:
    """One result card: type, title, link, marked snippet and the facet values to show."""

    kind: str
    kind_label: str
    title: SafeString
    url: str
    snippet: SafeString
    facets: dict[str, list[str]] = field(default_factory=dict)
    year: int | None = None


@dataclass
class Results:
    """One page of hits, the total, counts per facet value, and how the answer was produced."""

    query: Query
    hits: list[Hit]
    total: int
    facets: list[Facet]
    backend: str
    fallback: bool = False
    suggestion: str = ""
    # Broad database queries: facet counts are estimates and only the newest ``ranked_window``
    # matches are ranked and paged through.
    approximate: bool = False
    ranked_window: int = 0

    @cached_property
    def page(self):
        """A paginator page over the total whose items are this page's hits (for includes/pagination.html)."""
        pageable = min(self.total, self.ranked_window) if self.approximate else self.total
        return Paginator(_Window(pageable, self.query.offset, self.hits), self.query.page_size).get_page(
            self.query.page
        )


class _Window:
    """A sequence of length ``total`` that holds only the current page's items (Paginator slices it)."""

    def __init__(self, total: int, offset: int, items: list):
        self.total, self.offset, self.items = total, offset, items

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.items if index.start == self.offset else []
        return self.items[index - self.offset]


class Backend(Protocol):
    name: str

    def search(self, query: Query) -> Results: ...


class BackendUnavailable(Exception):
    """The backend could not answer (unreachable, timed out, refused): fall back."""


def elasticsearch_enabled() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def get_backend() -> Backend:
    if elasticsearch_enabled():
        from hub.search.elastic import ElasticsearchBackend  # cycle: elastic imports Query, Hit … from here

        return ElasticsearchBackend()
    return _database_backend()


def _database_backend() -> Backend:
    from hub.search.database import DatabaseBackend  # cycle: database imports Query, Hit … from here

    return DatabaseBackend()


def search(query: Query) -> Results:
    """Search with the configured backend; on failure, with the database and ``fallback=True``.

    Answers are the same for every reader (the index holds public fields only), so they are kept per
    until the index changes (``hub.aggregates``); a fallback answer is not kept: the next query tries the
    configured backend again."""
    backend = get_backend()
    filters = tuple(sorted((name, tuple(values)) for name, values in query.filters.items()))
    return aggregates.cached(
        "search",
        (backend.name, query.text, filters, query.page, query.page_size),
        lambda: _search_depending_on_the_index(backend, query),
        keep=lambda results: not results.fallback,
    )


def _search_depending_on_the_index(backend: Backend, query: Query) -> Results:
    page_cache.depends_on(page_cache.SEARCH)  # an Elasticsearch answer reads no table: declare the index
    return _search(backend, query)


def _search(backend: Backend, query: Query) -> Results:
    if backend.name == "database":
        return backend.search(query)
    try:
        return backend.search(query)
    except BackendUnavailable as error:
        logger.warning("Search fell back to the database backend: %s", error)
        results = _database_backend().search(query)
        results.fallback = True
        return results


def label_facets(counts: dict[str, dict[str, int]], filters: dict[str, list[str]]) -> list[Facet]:
    """Facets with human labels, most frequent values first, selected values always shown.

    One query per vocabulary that has values (constant in the number of entries).
    """
    lookups = {
        "theme": lambda values: dict(Theme.objects.filter(slug__in=values).values_list("slug", "name")),
        "method": lambda values: dict(Method.objects.filter(slug__in=values).values_list("slug", "name")),
        "country": lambda values: dict(Country.objects.filter(code__in=values).values_list("code", "name")),
        "language": lambda values: dict(Language.objects.filter(code__in=values).values_list("code", "name")),
        "sdg": lambda values: {
            str(g.number): f"{g.number}. {g.localized_short}"
            for g in SDGGoal.objects.filter(number__in=[int(v) for v in values if v.isascii() and v.isdigit()])
        },
        "type": lambda values: {t.kind: str(t.label_plural) for t in registry.types()},
    }
    titles = {
        "type": _("Type"),
        "theme": _("Human-rights theme"),
        "sdg": _("SDG goal"),
        "method": _("Method"),
        "country": _("Country"),
        "language": _("Language"),
        "year": _("Year"),
    }
    facets = []
    for name in registry.FACETS:
        values = dict(counts.get(name, {}))
        for selected in filters.get(name, []):
            values.setdefault(selected, 0)
        if not values:
            continue
        labels = lookups[name](list(values)) if name in lookups else {}
        if name == "year":
            ordered = sorted(values, reverse=True)
        elif name == "sdg":
            ordered = sorted(values, key=lambda v: int(v) if v.isascii() and v.isdigit() else 99)
        else:
            ordered = sorted(values, key=lambda v: (-values[v], labels.get(v, v)))
        options = [
            FacetOption(value=v, label=labels.get(v, v), count=values[v], selected=v in filters.get(name, []))
            for v in ordered
        ]
        facets.append(Facet(name=name, label=titles[name], options=options))
    return facets


def facet_labels_for_hits(hits: list[Hit], facets: list[Facet]) -> None:
    """Replace facet codes on cards by the labels already loaded for the sidebar (no extra queries)."""
    labels = {(f.name, o.value): o.label for f in facets for o in f.options}
    for hit in hits:
        hit.facets = {
            name: [labels.get((name, v), v) for v in values]
            for name, values in hit.facets.items()
            if name in ("theme", "country")
        }
