"""Reads of indicators and observations with their visibility rule, the /data/indicators/ facets and the data gaps.

Indicators are public vocabulary. An observation is public when it has no source dataset or its source dataset is
published: figures imported from a draft dataset appear once the partnership publishes it, and disappear when a
dataset is taken down. Counts below the small-cell threshold are suppressed wherever they are shown.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import django_filters

from hub.forms import Facet, FacetOption
from hub.models import GroupAtRisk, Theme
from profiles.models import Organisation
from projects import suppression
from projects.models import Dataset, Disaggregation, Indicator, Observation

PAGE_SIZE = 20
MAX_SERIES = 8
CITY_SECTION_INDICATORS = 6
RECENT_YEARS = 2  # data at most this many years old counts as recent in the data-gap view

# Which disaggregation makes a group at risk visible in the data (recommendation 6).
GROUP_DISAGGREGATIONS: dict[str, tuple[str, ...]] = {
    "women-girls": ("sex", "gender"),
    "children": ("age_group",),
    "youth": ("age_group",),
    "older-persons": ("age_group",),
    "persons-with-disabilities": ("disability",),
    "migrants": ("migration_status",),
    "refugees-asylum-seekers": ("migration_status",),
    "internally-displaced": ("migration_status",),
    "minorities": ("ethnicity",),
    "roma": ("ethnicity",),
    "indigenous-peoples": ("ethnicity",),
    "lgbtiq": ("gender",),
    "homeless": ("household",),
    "poverty": ("income",),
}


def observations_public() -> QuerySet[Observation]:
    """Observations without a source dataset or from a published one."""
    return Observation.objects.filter(
        Q(source_dataset__isnull=True) | Q(source_dataset__status=Dataset.Status.PUBLISHED)
    )


def indicators_public() -> QuerySet[Indicator]:
    """Every indicator, with its theme and SDG indicator (indicators are public vocabulary)."""
    return Indicator.objects.select_related("theme", "sdg_indicator", "sdg_indicator__target__goal")


def threshold_for(indicator: Indicator) -> int | None:
    """The suppression threshold of an indicator whose values count people; None when nothing is suppressed."""
    return suppression.effective_threshold(None) if indicator.value_is_count else None


class IndicatorFilter(django_filters.FilterSet):
    """Facets of /data/indicators/; unknown values are ignored rather than refused."""

    q = django_filters.CharFilter(method="filter_q", label=gettext_lazy("Search titles and definitions"))
    theme = django_filters.CharFilter(field_name="theme__slug", label=gettext_lazy("Human-rights theme"))
    type = django_filters.ChoiceFilter(choices=Indicator.Type.choices, label=gettext_lazy("Type"))
    obligation = django_filters.ChoiceFilter(choices=Indicator.Obligation.choices, label=gettext_lazy("Obligation"))
    sdg = django_filters.NumberFilter(field_name="sdg_indicator__target__goal__number", label=gettext_lazy("SDG"))
    group = django_filters.CharFilter(field_name="groups__slug", label=gettext_lazy("Group at risk"), distinct=True)
    city = django_filters.CharFilter(method="filter_city", label=gettext_lazy("City with data"))

    class Meta:
        model = Indicator
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(definition__icontains=value))

    def filter_city(self, queryset, name, value):
        ids = observations_public().filter(city__slug=value).values("indicator_id")
        return queryset.filter(pk__in=ids)


FACETS = ("theme", "type", "obligation", "sdg", "group", "city")


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def _facet_rows(name: str, queryset: QuerySet) -> list[tuple[str, str, int]]:
    if name == "theme":
        rows = queryset.values("theme__slug", "theme__name").annotate(n=Count("pk")).order_by("theme__name")
        return [(r["theme__slug"], r["theme__name"], r["n"]) for r in rows]
    if name in ("type", "obligation"):
        labels = dict(Indicator.Type.choices if name == "type" else Indicator.Obligation.choices)
        rows = queryset.values(name).annotate(n=Count("pk")).order_by(name)
        return [(r[name], str(labels.get(r[name], r[name])), r["n"]) for r in rows]
    if name == "sdg":
        number, short = "sdg_indicator__target__goal__number", "sdg_indicator__target__goal__short"
        rows = queryset.filter(sdg_indicator__isnull=False).values(number, short).annotate(n=Count("pk"))
        return [(str(r[number]), f"{r[number]}. {r[short]}", r["n"]) for r in rows.order_by(number)]
    if name == "group":
        rows = (
            queryset.filter(groups__isnull=False)
            .values("groups__slug", "groups__name")
            .annotate(n=Count("pk", distinct=True))
            .order_by("groups__name")
        )
        return [(r["groups__slug"], r["groups__name"], r["n"]) for r in rows]
    if name == "city":
        rows = (
            observations_public()
            .filter(indicator__in=queryset.order_by().values("pk"))
            .values("city__slug", "city__name")
            .annotate(n=Count("indicator", distinct=True))
            .order_by("city__name")
        )
        return [(r["city__slug"], r["city__name"], r["n"]) for r in rows]
    raise ValueError(name)


def indicators_filtered(params) -> tuple[IndicatorFilter, list[Facet]]:
    """The indicators matching ``params`` (a QueryDict) and every facet with its counts (one query per facet)."""
    base = indicators_public()
    filterset = IndicatorFilter(params, queryset=base)
    facets = []
    for name in FACETS:
        others = IndicatorFilter(_without(params, name), queryset=base)
        current = str(params.get(name) or "")
        options = [
            FacetOption(value, label, count, value == current) for value, label, count in _facet_rows(name, others.qs)
        ]
        if current and not any(o.selected for o in options):
            options.append(FacetOption(current, current, 0, True))
        facets.append(Facet(name, str(IndicatorFilter.base_filters[name].label), options))
    return filterset, facets


def indicator_list_page(queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """What a list row shows: groups and the number of cities with data."""
    cities = Count("observations__city", distinct=True, filter=_public_observation_q("observations__"))
    return queryset.prefetch_related("groups").annotate(city_count=cities).order_by("theme__name", "title", "pk")


def _public_observation_q(prefix: str) -> Q:
    return Q(**{f"{prefix}source_dataset__isnull": True}) | Q(
        **{f"{prefix}source_dataset__status": Dataset.Status.PUBLISHED}
    )


def indicator_for_page(slug: str) -> Indicator | None:
    """An indicator with what its page shows: theme articles with their instruments, groups, partnerships."""
    return (
        indicators_public()
        .prefetch_related("theme__articles__instrument", "groups", "partnerships")
        .filter(slug=slug)
        .first()
    )


@dataclass
class Row:
    """One public observation, ready for charts and tables (``value`` None when suppressed)."""

    city_id: int
    city: str
    city_slug: str
    period: str
    period_start: dt.date
    value: Decimal | None
    suppressed: bool
    disaggregation: dict = field(default_factory=dict)
    key: str = ""


def indicator_rows(indicator: Indicator, *, city_ids=None) -> list[Row]:
    """Every public observation of an indicator (one query), small counts suppressed, by city and period."""
    threshold = threshold_for(indicator)
    queryset = observations_public().filter(indicator=indicator)
    if city_ids is not None:
        queryset = queryset.filter(city_id__in=city_ids)
    values = queryset.order_by("city__name", "period_start", "disaggregation_key").values_list(
        "city_id", "city__name", "city__slug", "period", "period_start", "value", "disaggregation", "disaggregation_key"
    )
    rows = []
    for city_id, city, slug, period, start, value, disaggregation, key in values:
        hidden = threshold is not None and suppression.is_suppressed(value, threshold)
        rows.append(
            Row(city_id, city, slug, period, start, None if hidden else value, hidden, disaggregation or {}, key)
        )
    return rows


def latest_per_city(rows: list[Row]) -> list[Row]:
    """The most recent total of each city, largest value first (suppressed ones last)."""
    latest: dict[int, Row] = {}
    for row in rows:
        if row.key == "" and (row.city_id not in latest or row.period_start >= latest[row.city_id].period_start):
            latest[row.city_id] = row
    return sorted(latest.values(), key=lambda r: (r.value is None, -(r.value or 0), r.city))


def disaggregation_label(key: str, value: str) -> str:
    labels = dict(Disaggregation.choices)
    return f"{labels.get(key, key)}: {value}"


def breakdowns(rows: list[Row], city_id: int | None, period: str | None) -> list[dict]:
    """The disaggregated values of one city and period, one group per dimension (``sex``, ``age_group`` …)."""
    chosen = [r for r in rows if r.city_id == city_id and r.period == period and r.key]
    dimensions: dict[str, list[Row]] = {}
    for row in chosen:
        name = "+".join(sorted(row.disaggregation)) if len(row.disaggregation) != 1 else next(iter(row.disaggregation))
        dimensions.setdefault(name, []).append(row)
    labels = dict(Disaggregation.choices)
    return [
        {
            "key": name,
            "label": " × ".join(str(labels.get(part, part)) for part in name.split("+")),
            "rows": [
                {"label": ", ".join(str(v) for _k, v in sorted(r.disaggregation.items())), "row": r} for r in group
            ],
        }
        for name, group in sorted(dimensions.items())
    ]


def breakdown_choices(rows: list[Row]) -> list[tuple[int, str, str, str]]:
    """(city id, city slug, city name, period) that have disaggregated values, newest first."""
    seen: dict[tuple[int, str], tuple[dt.date, str, str]] = {}
    for row in rows:
        if row.key:
            seen[(row.city_id, row.period)] = (row.period_start, row.city_slug, row.city)
    ordered = sorted(seen.items(), key=lambda item: (item[1][0], item[1][2]), reverse=True)
    return [(city_id, slug, name, period) for (city_id, period), (_start, slug, name) in ordered]


def indicator_observations_for_csv(indicator: Indicator) -> QuerySet[Observation]:
    """What the CSV download streams: every public observation with its city and source dataset."""
    return (
        observations_public()
        .filter(indicator=indicator)
        .select_related("city", "city__country", "source_dataset")
        .order_by("city__name", "period_start", "disaggregation_key")
    )


# ---- city page ---------------------------------------------------------------------------------------------------


def city_indicator_cards(organisation_id: int, *, limit: int = CITY_SECTION_INDICATORS) -> tuple[list[dict], bool]:
    """The city's indicators with the most recent data: latest value and the series of totals (three queries)."""
    public = observations_public().filter(city_id=organisation_id, disaggregation_key="")
    latest = list(
        public.values("indicator_id")
        .annotate(latest=Max("period_start"))
        .order_by("-latest", "indicator_id")[: limit + 1]
    )
    more = len(latest) > limit
    ids = [row["indicator_id"] for row in latest[:limit]]
    if not ids:
        return [], False
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=ids).select_related("theme")}
    series: dict[int, list[tuple[str, Decimal]]] = {pk: [] for pk in ids}
    for indicator_id, period, value in (
        public.filter(indicator_id__in=ids).order_by("period_start").values_list("indicator_id", "period", "value")
    ):
        series[indicator_id].append((period, value))
    threshold = suppression.effective_threshold(None) if any(i.value_is_count for i in indicators.values()) else None
    cards = []
    for pk in ids:
        indicator = indicators[pk]
        points = []
        for period, value in series[pk]:
            hidden = indicator.value_is_count and suppression.is_suppressed(value, threshold)
            points.append({"period": period, "value": None if hidden else value, "suppressed": hidden})
        cards.append({"indicator": indicator, "points": points, "latest": points[-1] if points else None})
    return cards, more


@dataclass
class Gap:
    """One row of the data-gap table: a theme or a group, and how recent the city's data about it is."""

    kind: str  # "theme" or "group"
    obj: object
    latest: dt.date | None
    indicator_count: int = 0
    via: str = ""  # how a group is covered: "tagged" indicators or a disaggregation

    @property
    def years_old(self) -> int | None:
        return None if self.latest is None else max(0, timezone.localdate().year - self.latest.year)

    @property
    def status(self) -> str:
        if self.latest is None:
            return "none"
        return "recent" if self.years_old <= RECENT_YEARS else "old"

    @property
    def status_text(self) -> str:
        if self.latest is None:
            return _("No data")
        if self.status == "recent":
            return _("Recent: data from %(year)s") % {"year": self.latest.year}
        return _("Data from %(year)s — %(years)s years old") % {"year": self.latest.year, "years": self.years_old}

    @property
    def is_gap(self) -> bool:
        return self.status != "recent"


def city_data_gaps(organisation_id: int) -> dict:
    """Themes and groups × the city's most recent public indicator data about them (five queries)."""
    public = observations_public().filter(city_id=organisation_id)
    by_theme = {
        row["indicator__theme_id"]: row
        for row in public.values("indicator__theme_id").annotate(
            latest=Max("period_start"), n=Count("indicator", distinct=True)
        )
    }
    themes = [
        Gap(
            "theme",
            theme,
            by_theme.get(theme.pk, {}).get("latest"),
            by_theme.get(theme.pk, {}).get("n", 0),
        )
        for theme in Theme.objects.order_by("name")
    ]
    tagged = {
        row["indicator__groups__id"]: row["latest"]
        for row in public.filter(indicator__groups__isnull=False)
        .values("indicator__groups__id")
        .annotate(latest=Max("period_start"))
    }
    by_dimension: dict[str, dt.date] = {}
    for key, latest in (
        public.exclude(disaggregation_key="").values_list("disaggregation_key").annotate(latest=Max("period_start"))
    ):
        for part in key.split(";"):
            dimension = part.split("=", 1)[0]
            if dimension not in by_dimension or latest > by_dimension[dimension]:
                by_dimension[dimension] = latest
    labels = dict(Disaggregation.choices)
    groups = []
    for group in GroupAtRisk.objects.order_by("name"):
        candidates = []
        if group.pk in tagged:
            candidates.append((tagged[group.pk], _("indicators about this group")))
        for dimension in GROUP_DISAGGREGATIONS.get(group.slug, ()):
            if dimension in by_dimension:
                candidates.append(
                    (by_dimension[dimension], _("disaggregated by %(dimension)s") % {"dimension": labels[dimension]})
                )
        latest, via = max(candidates, key=lambda c: c[0]) if candidates else (None, "")
        groups.append(Gap("group", group, latest, via=str(via)))
    return {
        "themes": themes,
        "groups": groups,
        "theme_gaps": sum(1 for g in themes if g.is_gap),
        "group_gaps": sum(1 for g in groups if g.is_gap),
    }


def city_for_gap(organisation_slug: str) -> Organisation | None:
    """A verified government with a city page, by slug."""
    return (
        Organisation.objects.filter(
            slug=organisation_slug, verified=True, kind__in=Organisation.GOVERNMENT_KINDS, city_page__isnull=False
        )
        .select_related("city_page")
        .first()
    )


# ---- /data/ --------------------------------------------------------------------------------------------------------


def data_index_context() -> dict:
    """The open-data landing page: counts, the latest datasets and indicators by theme."""
    indicators = list(
        Indicator.objects.select_related("theme").only("title", "slug", "type", "theme__name", "theme__slug")
    )
    by_theme: dict[str, dict] = {}
    for indicator in indicators:
        entry = by_theme.setdefault(indicator.theme.slug, {"theme": indicator.theme, "indicators": []})
        entry["indicators"].append(indicator)
    public = observations_public()
    counts = public.aggregate(observations=Count("pk"), cities=Count("city", distinct=True))
    return {
        "latest_datasets": list(Dataset.objects.public().select_related("partnership")[:5]),
        "dataset_count": Dataset.objects.public().count(),
        "indicator_count": len(indicators),
        "observation_count": counts["observations"],
        "city_count": counts["cities"],
        "indicators_by_theme": sorted(by_theme.values(), key=lambda e: e["theme"].name),
    }


def indicators_for_import() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("theme").order_by("theme__name", "title")


def cities_for_import() -> QuerySet[Organisation]:
    """Local and regional governments observations can be about."""
    return Organisation.objects.filter(kind__in=Organisation.GOVERNMENT_KINDS).order_by("name")


def gap_latest(organisation_id: int, *, theme=None, group=None) -> dt.date | None:
    """The most recent period start of the city's data about a theme or group (None: no data)."""
    gaps = city_data_gaps(organisation_id)
    rows = gaps["themes"] if theme is not None else gaps["groups"]
    target = theme if theme is not None else group
    return next((g.latest for g in rows if g.obj.pk == target.pk), None)
