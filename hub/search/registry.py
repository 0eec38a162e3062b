"""What is searchable: the answers of the ``search_types`` Wagtail hook (``hub/hooks.py``), which each app's
``<app>/documents.py`` registers (``register``; documents modules are imported from ``HubConfig.ready``).

A :class:`SearchType` names a model, the queryset that is its *public* rule (the only objects
that may ever be indexed) and a function that turns one public object into an :class:`Entry`:
the text and facet values that search may show to anyone. Nothing else is ever indexed.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import strip_tags
from django.utils.module_loading import autodiscover_modules

from wagtail import hooks

# The facets of /search/, in display order; an entry's facets use these keys.
FACETS: tuple[str, ...] = ("type", "theme", "sdg", "method", "country", "language", "year")


@dataclass(frozen=True)
class Entry:
    """The public, searchable face of one object."""

    title: str
    url: str
    body: str = ""
    language: str = ""
    year: int | None = None
    # facet name → values (theme slugs, SDG goal numbers, method slugs, ISO country and language codes)
    facets: dict[str, list[str]] = field(default_factory=dict)

    def facet_values(self, kind: str) -> dict[str, list[str]]:
        """Every facet including type, language and year, de-duplicated, in a stable order."""
        values = {name: sorted({str(v) for v in vals if v not in (None, "")}) for name, vals in self.facets.items()}
        values["type"] = [kind]
        if self.language:
            values["language"] = sorted({*values.get("language", []), self.language})
        if self.year:
            values["year"] = [str(self.year)]
        return {name: values[name] for name in FACETS if values.get(name)}


@dataclass(frozen=True)
class SearchType:
    """A searchable kind of object: its public queryset and how to index one object of it."""

    kind: str
    label: str
    label_plural: str
    model: type[models.Model]
    public: Callable[[], models.QuerySet]
    to_entry: Callable[[Any], Entry]
    # The elasticsearch-dsl Document class of this type (``hub.search.elastic.BridgesDocument`` subclass).
    document: type | None = None
    # Many-to-many fields whose changes must re-index the object (themes set after the first save).
    m2m_fields: tuple[str, ...] = ()
    # Wagtail pages are re-indexed on publish/unpublish as well as on save.
    is_page: bool = False
    order: int = 100


def register(search_type: SearchType) -> SearchType:
    """Answer the ``search_types`` hook with ``search_type`` (its ``order`` is the hook's order)."""
    hooks.register("search_types", lambda: [search_type], order=search_type.order)
    return search_type


def types() -> list[SearchType]:
    """Every searchable type (answers of the ``search_types`` hook), by ``order`` then kind."""
    found = {t.kind: t for hook in hooks.get_hooks("search_types") for t in hook()}
    return sorted(found.values(), key=lambda t: (t.order, t.kind))


def get(kind: str) -> SearchType | None:
    return next((t for t in types() if t.kind == kind), None)


def types_for(instance: models.Model) -> list[SearchType]:
    """The types an object belongs to (a page counts for its specific class)."""
    return [t for t in types() if isinstance(instance, t.model)]


def autodiscover() -> None:
    """Import ``<app>.documents`` of every installed app (like the admin's autodiscover)."""
    autodiscover_modules("documents")


# ---- helpers for the apps' ``to_entry`` functions -------------------------------------------------

_SPACE = re.compile(r"\s+")


def plain(*parts: Any) -> str:
    """Tags stripped and whitespace collapsed: rich text and StreamField data become searchable text."""
    texts = []
    for part in parts:
        if part is None:
            continue
        if hasattr(part, "raw_data"):  # a StreamValue: walk its stored JSON, no template rendering
            part = " ".join(_strings(list(part.raw_data)))
        texts.append(strip_tags(str(part)))
    return _SPACE.sub(" ", " ".join(texts)).strip()


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("type", "id"):
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def sdg_goals(targets: Iterable[Any]) -> list[str]:
    """SDG goal numbers of SDG targets ("11.1" → "11"), read from their codes."""
    return sorted({str(t.code).split(".")[0] for t in targets}, key=int)


def url_of(obj: Any, fallback: str) -> str:
    """``obj.get_absolute_url()``, or ``fallback`` while the app's URL pattern is not there yet."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return fallback
