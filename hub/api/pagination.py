"""Page pagination, ``updated_since`` and the envelope every list endpoint returns."""

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ninja import Field, Schema
from pydantic import create_model

from hub.api.params import IsoDateTime
from hub.public_address import absolute_url

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class ListParams(Schema):
    """Parameters every list endpoint accepts."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})."
    )


class HarvestParams(ListParams):
    """List parameters of types with an update timestamp."""

    updated_since: IsoDateTime | None = Field(
        None,
        description="ISO 8601 date-time (e.g. 2026-01-31T00:00:00Z): only items changed at or after it. "
        "Without a time zone, UTC is assumed.",
    )


def since(value: dt.datetime | None) -> dt.datetime | None:
    """The moment in UTC (naive datetimes are UTC); one beyond the calendar's ends is its first or last moment."""
    if value is None:
        return None
    if not timezone.is_aware(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        return (dt.datetime.min if value.year == dt.MINYEAR else dt.datetime.max).replace(tzinfo=dt.UTC)


def page_schema(item: type, name: str) -> type:
    """The list envelope for ``item``: ``{count, page, page_size, pages, next, previous, results}``."""
    return create_model(
        name,
        __base__=Schema,
        count=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        pages=(int, ...),
        next=(str | None, None),
        previous=(str | None, None),
        results=(list[item], ...),
    )


def page_link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return absolute_url(f"{request.path}?{params.urlencode()}")


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    params: ListParams,
    serialize: Callable[[Any], dict],
    *,
    prepare: Callable[[list], Iterable] | None = None,
) -> dict:
    """One page of ``queryset`` (already ordered by a stable key), serialised; ``prepare`` may annotate the page."""
    count = queryset.count()
    size = params.page_size
    pages = max(1, math.ceil(count / size))
    offset = (params.page - 1) * size
    items = list(queryset[offset : offset + size]) if offset < count else []
    if prepare is not None:
        items = list(prepare(items))
    return {
        "count": count,
        "page": params.page,
        "page_size": size,
        "pages": pages,
        "next": page_link(request, params.page + 1) if params.page < pages else None,
        "previous": page_link(request, params.page - 1) if 1 < params.page <= pages else None,
        "results": [serialize(item) for item in items],
    }
