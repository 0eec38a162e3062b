"""Reads of policy uptake: city responses and the decisions results informed, for public results only.

The trail a reader follows is research → response → decision → indicator change: every read here
starts from ``Result.objects.public()`` so that drafts, embargoed and taken-down results never show.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.facets import FacetedList, FacetFilterSet, WholeNumberFilter, related
from hub.models import Theme
from profiles.models import Membership
from projects.models import (
    CityResponse,
    ImplementationStatus,
    Indicator,
    Observation,
    Partnership,
    PolicyUptake,
    Result,
)

PAGE_SIZE = 20
STANCES = [s for s in CityResponse.Stance if s != CityResponse.Stance.PENDING] + [CityResponse.Stance.PENDING]


def public_results(*, today: dt.date | None = None) -> QuerySet[Result]:
    """Public results of partnerships that have a commissioning city: those that get a response."""
    return Result.objects.public(today=today).filter(partnership__city__isnull=False)


def result_for_response(slug: str) -> Result | None:
    """A public result with its partnership and city, for the response and uptake forms."""
    return public_results().select_related("partnership", "partnership__city").filter(slug=slug).first()


def uptake_of_result(result: Result, pk: int) -> PolicyUptake | None:
    return PolicyUptake.objects.filter(result=result, pk=pk).select_related("result").first()


def days_between(start: dt.date | None, end: dt.date) -> int | None:
    return (end - start).days if start else None


@dataclass
class ResultUptake:
    """What the result page shows: the response (or how long it has been pending) and the uptake records."""

    result: Result
    response: CityResponse | None
    uptakes: list[PolicyUptake]
    today: dt.date

    @property
    def is_pending(self) -> bool:
        return self.response is None or self.response.stance == CityResponse.Stance.PENDING

    @property
    def pending_days(self) -> int | None:
        return days_between(self.result.public_since, self.today) if self.is_pending else None

    @property
    def days_to_respond(self) -> int | None:
        if self.response is None or self.response.responded_at is None:
            return None
        return days_between(self.result.public_since, timezone.localdate(self.response.responded_at))

    @property
    def was_updated(self) -> bool:
        """Edited after its first date (a minute's grace for the save that created it)."""
        response = self.response
        if response is None:
            return False
        first = response.responded_at
        return first is not None and (response.updated_at - first) > dt.timedelta(minutes=1)


def result_uptake(result: Result, *, today: dt.date | None = None) -> ResultUptake:
    """The response and uptake records of one result (two queries)."""
    today = today or timezone.localdate()
    response = CityResponse.objects.filter(result=result).select_related("city").first()
    uptakes = list(PolicyUptake.objects.filter(result=result).select_related("result"))
    return ResultUptake(result, response, uptakes, today)


@dataclass
class PartnershipUptake:
    """What the partnership page shows: each public result's stance and the decisions they informed."""

    results: list[Result]
    uptakes: list[PolicyUptake]
    stances: list[dict] = field(default_factory=list)


def _stance_of(result: Result) -> str:
    response = getattr(result, "city_response", None)
    return response.stance if response else CityResponse.Stance.PENDING


def _result_with_response(result: Result, today: dt.date) -> Result:
    result.stance = _stance_of(result)
    result.stance_label = CityResponse.Stance(result.stance).label
    result.pending_days = days_between(result.public_since, today) if result.stance == "pending" else None
    return result


def stance_counts(results: list[Result]) -> list[dict]:
    counts = {s.value: 0 for s in STANCES}
    for result in results:
        counts[result.stance] += 1
    return [{"stance": s.value, "label": s.label, "count": counts[s.value]} for s in STANCES if counts[s.value]]


def partnership_uptake(partnership: Partnership, *, today: dt.date | None = None) -> PartnershipUptake:
    """Public results of the partnership with their responses, and every uptake record of them (two queries)."""
    today = today or timezone.localdate()
    results = [
        _result_with_response(r, today)
        for r in public_results(today=today).filter(partnership=partnership).select_related("city_response")
    ]
    uptakes = list(PolicyUptake.objects.filter(result__in=[r.pk for r in results]).select_related("result"))
    return PartnershipUptake(results, uptakes, stance_counts(results))


def city_uptake(organisation_id: int, *, limit: int = 5, today: dt.date | None = None) -> dict:
    """The city's responses (counts per stance, pending ones with their age) and latest uptake records (two queries)."""
    today = today or timezone.localdate()
    results = [
        _result_with_response(r, today)
        for r in public_results(today=today)
        .filter(partnership__city_id=organisation_id)
        .select_related("city_response")
        .order_by("published_at", "pk")
    ]
    pending = [r for r in results if r.stance == CityResponse.Stance.PENDING]
    uptakes = list(
        uptakes_public().filter(city_id=organisation_id).select_related("result")[: limit + 1],
    )
    return {
        "implementation": implementation_counts(organisation_id),
        "results_count": len(results),
        "stances": stance_counts(results),
        "pending": pending[:limit],
        "more_pending": len(pending) > limit,
        "uptakes": uptakes[:limit],
        "more_uptakes": len(uptakes) > limit,
    }


def implementation_counts(organisation_id: int) -> list[dict]:
    """The city's decisions summed by implementation status, in the statuses' order (one query)."""
    found = dict(
        uptakes_public()
        .filter(city_id=organisation_id)
        .order_by()
        .values_list("implementation_status")
        .annotate(n=Count("pk"))
    )
    return [
        {"status": s.value, "label": s.label, "count": found[s.value]}
        for s in ImplementationStatus
        if found.get(s.value)
    ]


def uptakes_public() -> QuerySet[PolicyUptake]:
    """Uptake records of public results, newest decision first."""
    return PolicyUptake.objects.filter(result__in=public_results().values("pk"))


class UptakeFilter(FacetFilterSet):
    """Facets of /results/uptake/; unknown values are ignored rather than refused."""

    city = django_filters.CharFilter(field_name="city__slug", label=_("City"))
    kind = django_filters.ChoiceFilter(choices=PolicyUptake.Kind.choices, label=_("Kind of decision"))
    year = WholeNumberFilter(field_name="date__year", max_value=9999, label=_("Year"))
    theme = django_filters.CharFilter(method="filter_theme", label=_("Human-rights theme"))
    status = django_filters.ChoiceFilter(
        field_name="implementation_status", choices=ImplementationStatus.choices, label=_("Implementation")
    )
    indicator = django_filters.CharFilter(method="filter_indicator", label=_("Indicator it intends to move"))

    class Meta:
        model = PolicyUptake
        fields: list[str] = []

    def filter_theme(self, queryset, name, value):
        # A subquery keeps one row per record without DISTINCT on the whole row.
        return queryset.filter(result__in=Result.objects.filter(themes__slug=value).values("pk"))

    def filter_indicator(self, queryset, name, value):
        # Through the link table: one row per record, whatever the number of indicators it names.
        through = PolicyUptake.indicators.through.objects.filter(indicator__slug=value)
        return queryset.filter(pk__in=through.values("policyuptake_id"))


def uptake_list_rows(queryset: QuerySet[PolicyUptake]) -> QuerySet[PolicyUptake]:
    """What each row of the list shows: city, result with its partnership, response and themes."""
    return queryset.select_related("city", "result", "result__partnership", "result__city_response").prefetch_related(
        Prefetch("result__themes", queryset=Theme.objects.only("pk", "name", "slug", "translations")),
        Prefetch("indicators", queryset=Indicator.objects.only("pk", "slug", "title").order_by("title")),
    )


UPTAKE = FacetedList(
    key="policy_uptake",
    filterset=UptakeFilter,
    base=uptakes_public,
    facets=(
        "city",
        "kind",
        "status",
        "year",
        related("theme", "result__themes__slug", "result__themes__name"),
        related("indicator", "indicators__slug", "indicators__title"),
    ),
    chips=("indicator", "kind", "status", "year", "theme", "city"),  # most narrowing first
    page_size=PAGE_SIZE,
    rows=uptake_list_rows,
)
FACETS = UPTAKE.facet_names


uptakes_filtered = UPTAKE.filtered


def add_trail(rows) -> list[PolicyUptake]:
    """Give each record ``response`` and ``indicator_links`` (two queries for the whole page).

    ``indicator_links``: first the indicators the decision intends to move (prefetched by ``uptake_list_rows``,
    ``intended``), then those of the result's themes for which the city has observations, each with the URL of
    the indicator page filtered for the city, so that a reader can look for the indicator change.
    """
    rows = list(rows)
    theme_ids = {t.pk for u in rows for t in u.result.themes.all()}
    city_ids = {u.city_id for u in rows}
    pairs: dict[tuple[int, int], list[Indicator]] = {}
    if theme_ids and city_ids:
        observed = (
            Observation.objects.filter(city_id__in=city_ids, indicator__theme_id__in=theme_ids)
            .values_list("city_id", "indicator_id")
            .distinct()
            .order_by()
        )
        observed = list(observed)
        indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={i for _c, i in observed})}
        for city_id, indicator_id in observed:
            indicator = indicators[indicator_id]
            pairs.setdefault((city_id, indicator.theme_id), []).append(indicator)
    for uptake in rows:
        uptake.response = getattr(uptake.result, "city_response", None)
        intended = list(uptake.indicators.all())
        found: dict[int, Indicator] = {}
        for theme in uptake.result.themes.all():
            for indicator in pairs.get((uptake.city_id, theme.pk), []):
                found[indicator.pk] = indicator
        for indicator in intended:
            found.pop(indicator.pk, None)
        uptake.indicator_links = [
            {"indicator": i, "url": f"{i.get_absolute_url()}?city={uptake.city.slug}", "intended": True}
            for i in intended
        ] + [
            {"indicator": i, "url": f"{i.get_absolute_url()}?city={uptake.city.slug}", "intended": False}
            for i in sorted(found.values(), key=lambda i: i.title)
        ]
    return rows


@dataclass
class UptakeSummary:
    """Across the hub: responses to public results by stance, and the median days a city took to respond."""

    results_count: int
    stances: list[dict]
    median_days_to_respond: float | None
    uptakes_count: int


def uptake_summary(*, today: dt.date | None = None) -> UptakeSummary:
    """Counts per stance (no response counts as pending) and the median days to respond (two queries)."""
    today = today or timezone.localdate()
    results = [_result_with_response(r, today) for r in public_results(today=today).select_related("city_response")]
    days = []
    for result in results:
        response = getattr(result, "city_response", None)
        if response and response.responded_at and result.public_since:
            days.append(max(0, (timezone.localdate(response.responded_at) - result.public_since).days))
    return UptakeSummary(
        results_count=len(results),
        stances=stance_counts(results),
        median_days_to_respond=statistics.median(days) if days else None,
        uptakes_count=uptakes_public().count(),
    )


def results_awaiting_response(user, *, limit: int = 10, today: dt.date | None = None) -> tuple[list[Result], int]:
    """Public results commissioned by the user's cities that the city has not responded to (newest first)."""

    if not getattr(user, "is_authenticated", False):
        return [], 0
    cities = Membership.objects.filter(user=user, status=Membership.Status.APPROVED).values("organisation_id")
    queryset = (
        public_results(today=today)
        .filter(partnership__city_id__in=cities)
        .filter(Q(city_response__isnull=True) | Q(city_response__stance=CityResponse.Stance.PENDING))
        .select_related("partnership", "partnership__city")
        .order_by("-published_at", "-pk")
    )
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) if len(rows) <= limit else queryset.count()
