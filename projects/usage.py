"""Counting views and downloads per object and month, without storing anything about the person."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from projects.models import UsageMonth


def _month(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()).replace(day=1)


def record(obj, *, field: str, today: dt.date | None = None) -> None:
    """Add one to ``views`` or ``downloads`` of the object's current month (an UPDATE, or an INSERT once)."""
    assert field in {"views", "downloads"}
    content_type = ContentType.objects.get_for_model(obj)
    month = _month(today)
    lookup = {"content_type": content_type, "object_id": obj.pk, "month": month}
    if UsageMonth.objects.filter(**lookup).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            UsageMonth.objects.create(**lookup, **{field: 1})
    except IntegrityError:  # another request created the row first
        UsageMonth.objects.filter(**lookup).update(**{field: F(field) + 1})


def record_view(obj) -> None:
    record(obj, field="views")


def record_download(obj) -> None:
    record(obj, field="downloads")


def monthly(obj) -> list[UsageMonth]:
    """Every month with usage of the object, oldest first."""
    content_type = ContentType.objects.get_for_model(obj)
    return list(UsageMonth.objects.filter(content_type=content_type, object_id=obj.pk).order_by("month"))


def totals(obj) -> dict[str, int]:
    content_type = ContentType.objects.get_for_model(obj)
    sums = UsageMonth.objects.filter(content_type=content_type, object_id=obj.pk).aggregate(
        views=Sum("views"), downloads=Sum("downloads")
    )
    return {"views": sums["views"] or 0, "downloads": sums["downloads"] or 0}


@dataclass
class Usage:
    totals: dict[str, int]
    months: list


def summary(obj, *, with_months: bool) -> Usage:
    """Totals for everyone; the months too for the object's partnership members (one query either way)."""
    if not with_months:
        return Usage(totals(obj), [])
    months = monthly(obj)
    return Usage({"views": sum(m.views for m in months), "downloads": sum(m.downloads for m in months)}, months)
