"""Reads of what research teams imported about a city, for that city's officials only.

An official sees every value imported about their city, from published, draft and taken-down datasets alike, with
its source and partnership: a city learns what is said about it before the public does. Small counts stay hidden
here as in public (the officials are not the data's owners), decided per table by the public pages' rule.
"""

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from calls.selectors import official_organisation_ids
from profiles.models import Organisation, User
from projects import suppression
from projects.models import Observation
from projects.selectors.indicators import cell_threshold, hidden_positions

IMPORTED = Q(observations__source_dataset__isnull=False)


@dataclass(frozen=True)
class ImportedValue:
    """One imported observation as an official sees it: hidden when it is (or would reveal) a small count."""

    observation: Observation
    hidden: bool


def official_cities_with_imports(*, user: User) -> QuerySet[Organisation]:
    """The verified governments the user is an official of, with how many values were imported about each."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(pk__in=official_organisation_ids(user))
        .annotate(imported=Count("observations", filter=IMPORTED), last_import=Max("observations__imported_at"))
        .order_by("name")
    )


def city_for_imports(*, user: User, slug: str) -> Organisation | None:
    """The city whose imports the user may see (they are its official), else None: others get a 404."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Organisation.objects.filter(pk__in=official_organisation_ids(user), slug=slug).first()


def city_imports(*, organisation: Organisation) -> QuerySet[Observation]:
    """Every value imported from a dataset about the city, newest import first, grouped by indicator and source."""
    return (
        Observation.objects.filter(city=organisation, source_dataset__isnull=False)
        .select_related("indicator", "source_dataset", "source_dataset__partnership", "partnership")
        .order_by("-imported_at", "indicator__title", "source_dataset_id", "-period_start", "disaggregation_key", "pk")
    )


def imported_values(*, organisation: Organisation, observations: list[Observation]) -> list[ImportedValue]:
    """A page of ``city_imports`` with small counts hidden, decided on each whole table the page touches.

    A table is one indicator, period and source: its breakdowns and total are published together, so a hidden cell
    must not follow from the others by subtraction, whichever page they are on (one query for the tables).
    """
    groups = {(o.indicator_id, o.period, o.source_dataset_id) for o in observations}
    if not groups:
        return []
    site = suppression.effective_threshold(None)
    match = Q()
    for indicator_id, period, source_id in groups:
        match |= Q(indicator_id=indicator_id, period=period, source_dataset_id=source_id)
    tables: dict[tuple, list[Observation]] = {}
    for cell in Observation.objects.filter(match, city=organisation).select_related("indicator").order_by("pk"):
        tables.setdefault((cell.indicator_id, cell.period, cell.source_dataset_id), []).append(cell)
    hidden: set[int] = set()
    for cells in tables.values():
        positions = hidden_positions(
            [
                (
                    c.disaggregation,
                    c.value,
                    cell_threshold(
                        value_is_count=c.indicator.value_is_count, imported=c.suppression_threshold, site=site
                    ),
                )
                for c in cells
            ]
        )
        hidden.update(cells[i].pk for i in positions)
    return [ImportedValue(observation=o, hidden=o.pk in hidden) for o in observations]
