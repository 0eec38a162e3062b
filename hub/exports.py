"""CSV exports of the public lists, registered by the apps that own them (``hub`` imports none of them).

An ``Export`` names its columns (with the description the bulk download's README prints), the public queryset
filtered exactly as its list page (``rows(params)`` calls the page's own selector/FilterSet), and the open data
API's serialiser, so that a CSV column is an API field: nested objects are flattened to ``field_subfield`` and
lists joined with "; ".
"""

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.test import RequestFactory

CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "
# In a list of objects, the first of these keys present names each item.
ITEM_KEYS = ("slug", "code", "language", "name", "title", "id")


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Export:
    key: str  # the file name without ".csv", in the bulk zip and in the page export
    title: str
    description: str
    list_path: str  # the public list page, e.g. "/calls/"
    url_name: str  # the page export's URL name
    columns: tuple[Column, ...]
    rows: Callable[[Mapping], QuerySet]  # filters (a QueryDict or {}) -> public objects, with their prefetches
    serialize: Callable[[HttpRequest, Any], dict]  # the open data API's serialiser
    licence: str = "CC BY 4.0"
    order: int = 100

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def lines(self, request: HttpRequest, params: Mapping) -> Iterator[list[Any]]:
        """One list of cells per public object, read in chunks (prefetches run once per chunk)."""
        names = self.header
        for obj in self.rows(params).iterator(chunk_size=CHUNK_SIZE):
            flat = flatten(self.serialize(request, obj))
            yield [flat.get(name, "") for name in names]


_exports: dict[str, Export] = {}


def register_export(export: Export) -> None:
    _exports[export.key] = export


def get_export(key: str) -> Export:
    return _exports[key]


def exports() -> list[Export]:
    return sorted(_exports.values(), key=lambda e: (e.order, e.key))


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
