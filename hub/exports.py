"""CSV exports of the public lists, declared by the apps that own them (``hub`` imports none of them).

An app answers the ``exports`` Wagtail hook (``hub/hooks.py``) with its ``Export`` declarations: its columns (with the description the bulk download's README prints), what its
list page shows for a set of filters (``listed(params)``: the page's own selector/FilterSet, in the page's order),
and the open data API's public queryset and serialiser (``objects``, ``serialize``), so that a CSV column is an API
field: nested objects are flattened to ``field_subfield`` and lists joined with "; ". A row is written only for an
object that both the page and the API show; everything else (reading in chunks, ordering, flattening) lives here.
"""

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.test import RequestFactory

from wagtail import hooks

CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "
# In a list of objects, the first of these keys present names each item.
ITEM_KEYS = ("slug", "code", "language", "name", "title", "id", "number")


def export_url_name(key: str) -> str:
    """The URL name of the page export ``key`` (its route is declared with ``hub.views_exports.export_path``)."""
    return f"{key}_export_csv"


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Export:
    key: str  # the file name without ".csv", in the bulk zip and in the page export; names its URL
    title: str
    description: str
    list_path: str  # the public list page, e.g. "/calls/"
    columns: tuple[Column, ...]
    listed: Callable[[Mapping], QuerySet]  # filters (a QueryDict or {}) -> what the page lists, in its order
    objects: Callable[[], QuerySet]  # the open data API's public objects, with what ``serialize`` reads
    serialize: Callable[[HttpRequest, Any], dict]  # the open data API's serialiser
    licence: str = "CC BY 4.0"
    order: int = 100

    @property
    def url_name(self) -> str:
        return export_url_name(self.key)

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def rows(self, params: Mapping) -> Iterator[Any]:
        """The public objects the page lists with these filters (every page), in its order, ``CHUNK_SIZE`` at a time.

        The page's ids are streamed; each chunk is read from the API's queryset in one query plus one per prefetch,
        so that memory and the number of queries do not grow with the rows, whatever the page orders by.
        """
        listed = self.listed(params).prefetch_related(None)  # only the ids: what a page card shows is not read
        ids = listed.values_list("pk", flat=True).iterator(chunk_size=CHUNK_SIZE)
        objects = self.objects()  # built once: a Wagtail ``public()`` queryset looks up restrictions when created
        while chunk := list(islice(ids, CHUNK_SIZE)):
            found = objects.in_bulk(chunk)
            yield from (found[pk] for pk in chunk if pk in found)

    def lines(self, request: HttpRequest, params: Mapping) -> Iterator[list[Any]]:
        """One list of cells per public object."""
        names = self.header
        for obj in self.rows(params):
            flat = flatten(self.serialize(request, obj))
            yield [flat.get(name, "") for name in names]


def exports() -> list[Export]:
    """Every app's exports (answers of the ``exports`` hook), in the order of their ``order``, then key."""
    declared = {export.key: export for hook in hooks.get_hooks("exports") for export in hook()}
    return sorted(declared.values(), key=lambda e: (e.order, e.key))


def get_export(key: str) -> Export:
    """The export named ``key``; ``KeyError`` when no app declares it."""
    return {export.key: export for export in exports()}[key]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        key = next((k for k in ITEM_KEYS if value.get(k) not in (None, "")), None)
        return _cell(value[key]) if key else ""
    return str(value)


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """An API object as CSV cells: ``{"city": {"id": 3}}`` gives ``city_id``; lists are joined with "; "."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}_"))
        elif isinstance(value, list | tuple):
            flat[name] = LIST_SEPARATOR.join(_cell(item) for item in value)
        else:
            flat[name] = _cell(value)
    return flat


def site_request() -> HttpRequest:
    """A request for the public site's address, so that serialisers build absolute URLs outside a request."""
    base = settings.SITE_BASE_URL
    secure = base.startswith("https://")
    host = base.split("://", 1)[-1].split("/", 1)[0]
    return RequestFactory().get("/", HTTP_HOST=host, secure=secure)
