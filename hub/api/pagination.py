"""Page pagination of every list endpoint (ninja's ``@paginate`` with ``PagePagination``) and its envelope."""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from ninja import Field, Schema
from ninja.pagination import PaginationBase

from hub.public_address import absolute_url

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class PageParams(Schema):
    """Parameters every list endpoint accepts."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})."
    )


@dataclass(frozen=True)
class Prepared:
    """A list endpoint's answer whose page needs a step once its items are known (``prepare`` gets the page's
    objects and returns what the response schema validates: annotated objects or dicts)."""

    queryset: QuerySet
    prepare: Callable[[list], Iterable]


def page_link(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return absolute_url(f"{request.path}?{params.urlencode()}")


def envelope(request: HttpRequest, params: PageParams, count: int, results: list) -> dict:
    """``{count, page, page_size, pages, next, previous, results}`` for one page of a list of ``count`` items."""
    pages = max(1, math.ceil(count / params.page_size))
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "pages": pages,
        "next": page_link(request, params.page + 1) if params.page < pages else None,
        "previous": page_link(request, params.page - 1) if 1 < params.page <= pages else None,
        "results": results,
    }


class PagePagination(PaginationBase):
    """``page`` and ``page_size`` in, the envelope out; the queryset must already be in a stable order."""

    Input = PageParams
    items_attribute = "results"

    class Output(Schema):
        count: int
        page: int
        page_size: int
        pages: int
        next: str | None = None
        previous: str | None = None
        results: list[Any]

    def paginate_queryset(self, queryset: Any, pagination: PageParams, request: HttpRequest, **params: Any) -> dict:
        prepare = None
        if isinstance(queryset, Prepared):
            queryset, prepare = queryset.queryset, queryset.prepare
        count = queryset.count()
        offset = (pagination.page - 1) * pagination.page_size
        items = list(queryset[offset : offset + pagination.page_size]) if offset < count else []
        if prepare is not None:
            items = list(prepare(items))
        return envelope(request, pagination, count, items)
