"""Demo city responses and policy uptake for the demo's published results (clearly marked as demo).

Most public results get a response (accepted, partly accepted, not accepted, each with reasons); every
fourth stays pending so that the pending notice shows. Accepted and partly accepted results get uptake
records. Idempotent: a result that already has a response, or an uptake record with the same title, is
left as it is.
"""

import datetime as dt
import random

from django.utils import timezone

from profiles.models import Membership
from projects.models import CityResponse, PolicyUptake, Result

DEMO = "Demo content: this record is illustrative and was not entered by the city."

RESPONSES = [
    (
        CityResponse.Stance.ACCEPTED,
        "The findings match what our social services see. We accept the recommendations and will report on "
        "their implementation in the next annual human-rights report.",
        "",
    ),
    (
        CityResponse.Stance.PARTLY,
        "We accept the recommendations on information and counselling. The proposed rent cap for municipal "
        "housing is outside the city's competence and is referred to the regional government.",
        "The city thanks the research team. Where our view differs, we have explained why; we remain open to "
        "discuss the evidence at the next human-rights council meeting.",
    ),
    (
        CityResponse.Stance.NOT_ACCEPTED,
        "The sample covers two districts only, and the city considers it too small to change the allocation "
        "rules city-wide. We will commission a follow-up study covering all districts.",
        "We respect the researchers' independence and their right to publish. Our reservations concern the "
        "scope of the sample, not the quality of the work.",
    ),
    None,  # left pending
]

UPTAKES = [
    (
        PolicyUptake.Kind.PLAN,
        "Municipal Housing Plan 2025–2030, measure 4.2",
        "City council",
        "https://example.org/demo/housing-plan-2025-2030",
        "Measure 4.2 (counselling before eviction) takes over the study's first recommendation.",
    ),
    (
        PolicyUptake.Kind.BUDGET,
        "2025 budget line 231.48 for eviction prevention",
        "City council, budget committee",
        "",
        "A new budget line funds two additional tenancy counsellors, as the study recommended.",
    ),
    (
        PolicyUptake.Kind.SERVICE,
        "Accessibility service at district offices",
        "Department of social affairs",
        "https://example.org/demo/accessibility-service",
        "Sign-language interpretation on request and step-free access in all district offices.",
    ),
    (
        PolicyUptake.Kind.DECISION,
        "Council resolution on municipal data disaggregated by age and disability",
        "City council",
        "",
        "The statistics office publishes housing data disaggregated by age and disability from 2026.",
    ),
    (
        PolicyUptake.Kind.REGULATION,
        "Allocation guidelines for municipal housing, revised",
        "Housing department",
        "",
        "Waiting-list points for persons at risk of homelessness, following the study's findings.",
    ),
]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _day_between(rng: random.Random, start: dt.date, end: dt.date, at_most: int) -> dt.date:
    span = max(0, min((end - start).days, at_most))
    return start + dt.timedelta(days=rng.randint(0, span)) if span else start


def seed(*, rng: random.Random, stdout) -> None:
    today = timezone.localdate()
    results = list(
        Result.objects.public(today=today)
        .filter(partnership__city__isnull=False)
        .select_related("partnership", "partnership__city", "city_response")
        .order_by("pk")
    )
    responses = uptakes = 0
    next_uptake = 0
    for index, result in enumerate(results):
        city = result.partnership.city
        official = (
            Membership.objects.filter(organisation=city, status=Membership.Status.APPROVED)
            .select_related("user")
            .order_by("-role", "pk")
            .first()
        )
        by = official.user if official else None
        since = result.public_since or today
        response = getattr(result, "city_response", None)
        plan = RESPONSES[index % len(RESPONSES)]
        if response is None and plan is not None:
            stance, reasons, reply = plan
            day = _day_between(rng, since, today, at_most=60)
            response = CityResponse.objects.create(
                result=result,
                city=city,
                stance=stance,
                reasons=f"{reasons}\n\n{DEMO}",
                reply=f"{reply}\n\n{DEMO}" if reply else "",
                responded_at=_at(day),
                responded_by=by,
            )
            # A seeded response was not updated after its date.
            CityResponse.objects.filter(pk=response.pk).update(updated_at=_at(day))
            responses += 1
        if response is None or response.stance not in (CityResponse.Stance.ACCEPTED, CityResponse.Stance.PARTLY):
            continue
        for _n in range(2):
            kind, title, body, link, description = UPTAKES[next_uptake % len(UPTAKES)]
            next_uptake += 1
            _uptake, created = PolicyUptake.objects.get_or_create(
                result=result,
                title=title,
                defaults={
                    "city": city,
                    "kind": kind,
                    "date": _day_between(rng, timezone.localdate(response.responded_at or _at(since)), today, 90),
                    "body": body,
                    "link": link,
                    "description": f"{description}\n\n{DEMO}",
                    "recorded_by": by,
                },
            )
            uptakes += created
    stdout.write(f"Demo policy uptake: {responses} responses and {uptakes} uptake records created.")
