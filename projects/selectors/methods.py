"""Reads of the methods library: live, public method pages and what used each method (public things only)."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from calls.selectors import calls_public
from hub.translation import originals
from projects.models import MethodPage, MethodTool, Partnership, Result

USED_BY_LIMIT = 6


def method_pages_public() -> QuerySet[MethodPage]:
    """Live method pages readers may see, alphabetically."""
    return originals(MethodPage.objects.live().public()).select_related("method").order_by("title")


def _usage_count(queryset: QuerySet) -> Coalesce:
    """How many of ``queryset`` are tagged with the outer method page's method (a correlated subquery)."""
    counted = (
        queryset.filter(methods=OuterRef("method_id"))
        .order_by()
        .values("methods")
        .annotate(n=Count("pk", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def method_pages_with_usage() -> QuerySet[MethodPage]:
    """The /methods/ listing: each method page with how many public calls, partnerships and results used it."""
    return method_pages_public().annotate(
        calls_count=_usage_count(calls_public()),
        partnerships_count=_usage_count(Partnership.objects.public()),
        results_count=_usage_count(Result.objects.public()),
    )


def method_tools(page: MethodPage) -> list[MethodTool]:
    """The page's templates and tools, with their documents (one query)."""
    return list(page.tools.select_related("document"))


def method_usage(page: MethodPage, *, limit: int = USED_BY_LIMIT) -> dict:
    """'Used by': the newest public calls, partnerships and results tagged with the method, capped, with totals.

    Seven queries whatever the usage; nothing when the page is not linked to a vocabulary method.
    """
    empty = {"method": None, "calls": [], "calls_count": 0, "partnerships": [], "partnerships_count": 0, "results": []}
    if page.method_id is None:
        return {**empty, "results_count": 0}
    calls = calls_public().filter(methods=page.method_id).defer_streamfields().order_by("-first_published_at", "-pk")
    partnerships = Partnership.objects.public().filter(methods=page.method_id).select_related("city")
    results = Result.objects.public().filter(methods=page.method_id).select_related("partnership")
    return {
        "method": page.method,
        "calls": list(calls[:limit]),
        "calls_count": calls.count(),
        "partnerships": list(partnerships[:limit]),
        "partnerships_count": partnerships.count(),
        "results": list(results[:limit]),
        "results_count": results.count(),
    }


def methods_for_choice() -> QuerySet[MethodPage]:
    """Live method pages a partnership may propose a tool for."""
    return originals(MethodPage.objects.live()).order_by("title")
