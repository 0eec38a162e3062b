"""Demo impact ledger (clearly marked as demo; idempotent): the demo decisions get an implementation status and a
responsible department, and the first decision whose city publishes indicator values gets a dated implementation
trail with evidence and names the indicators it intends to move (its page then charts them with the decision date).

A decision that already has a trail is left as it is.
"""

import datetime as dt
import random

from django.db.models import Count
from django.utils import timezone

from projects.models import ImplementationEntry, ImplementationStatus, Indicator, Observation, PolicyUptake

DEMO = "Demo content: this step is illustrative and was not entered by the city."

STATES = [
    (ImplementationStatus.IN_PROGRESS, 40, "Department of Housing"),
    (ImplementationStatus.DONE, 100, "Department of Social Affairs"),
    (ImplementationStatus.PLANNED, 0, "Statistics Office"),
    (ImplementationStatus.ABANDONED, 15, "Housing Department"),
]

TRAIL = [
    (0.15, ImplementationStatus.PLANNED, 5, "The council mandated the housing department to prepare the measure.", ""),
    (
        0.5,
        ImplementationStatus.IN_PROGRESS,
        25,
        "Two tenancy counsellors were hired; counselling before eviction started in three districts.",
        "https://example.org/demo/counselling-started",
    ),
    (
        0.9,
        ImplementationStatus.IN_PROGRESS,
        40,
        "First annual report: 212 households counselled, 61 evictions avoided (figures of the city's social services).",
        "https://example.org/demo/first-annual-report",
    ),
]


def _day(start: dt.date, end: dt.date, share: float) -> dt.date:
    return start + dt.timedelta(days=int(max(0, (end - start).days) * share))


def seed(*, rng: random.Random, stdout) -> None:
    today = timezone.localdate()
    uptakes = list(PolicyUptake.objects.filter(description__contains="Demo content").order_by("pk"))
    statuses = trails = 0
    for index, uptake in enumerate(uptakes):
        if uptake.entries.exists() or uptake.implementation_status != ImplementationStatus.PLANNED or uptake.department:
            continue
        status, progress, department = STATES[index % len(STATES)]
        PolicyUptake.objects.filter(pk=uptake.pk).update(
            implementation_status=status, progress=progress, department=department
        )
        statuses += 1
    observed = (
        Observation.objects.filter(disaggregation_key="")
        .values("city_id", "indicator_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("city_id", "indicator_id")
    )
    by_city: dict[int, list[int]] = {}
    for row in observed:
        by_city.setdefault(row["city_id"], []).append(row["indicator_id"])
    for uptake in uptakes:
        if uptake.city_id not in by_city:
            continue
        if ImplementationEntry.objects.filter(uptake=uptake).exists():
            break  # already seeded
        indicators = list(Indicator.objects.filter(pk__in=by_city[uptake.city_id]).order_by("title")[:2])
        uptake.indicators.set(indicators)
        for share, status, progress, text, link in TRAIL:
            ImplementationEntry.objects.create(
                uptake=uptake,
                date=_day(uptake.date, today, share),
                text=f"{text}\n\n{DEMO}",
                link=link,
                status=status,
                progress=progress,
                recorded_by=uptake.recorded_by,
            )
        PolicyUptake.objects.filter(pk=uptake.pk).update(
            implementation_status=ImplementationStatus.IN_PROGRESS, progress=40, department="Department of Housing"
        )
        trails += 1
        break
    stdout.write(
        f"Demo impact ledger: {statuses} implementation statuses set and {trails} implementation trail created."
    )
