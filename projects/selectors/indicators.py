"""Reads of indicators and observations with their visibility rule, the /data/indicators/ facets and the data gaps.

Indicators are public vocabulary. An observation is public when it has no source dataset or its source dataset is
published: figures imported from a draft dataset appear once the partnership publishes it, and disappear when a
dataset is taken down. Counts below the small-cell threshold are suppressed wherever they are shown, and so is any
value from which a suppressed one could be worked out: ``suppression`` decides on each whole table — the total and
every breakdown of an indicator for one city, period and source — before anything is filtered or paged.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import django_filters

from hub.facets import FacetDef, FacetedList, FacetFilterSet, Rows, SearchFilter, WholeNumberFilter
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


def cell_threshold(*, value_is_count: bool, imported: int | None, site: int) -> int | None:
    """One observation's threshold: the highest of the site's, its source dataset's (stored with the value on
    import) and its indicator's; None when the value is not a count and its source asked for nothing."""
    if not value_is_count and imported is None:
        return None
    return max(site, imported or 0)


class CellThresholds:
    """``cell_threshold`` for many observations, reading the site minimum (two queries) once, and only when some
    value needs it."""

    def __init__(self) -> None:
        self.site: int | None = None

    def __call__(self, *, value_is_count: bool, imported: int | None) -> int | None:
        if not value_is_count and imported is None:
            return None
        if self.site is None:
            self.site = suppression.effective_threshold(None)
        return cell_threshold(value_is_count=value_is_count, imported=imported, site=self.site)


def _coordinates(disaggregation: dict | None) -> dict:
    """The breakdown of a cell as the suppression module reads it; a "Total"/"All" value is the total."""
    return {key: value for key, value in (disaggregation or {}).items() if not suppression.is_total_label(value)}


def _table_key(city_id: int, period: str, source_id: int | None) -> tuple:
    return (city_id, period, source_id)


def hidden_positions(cells: list[tuple[dict | None, Decimal, int | None]]) -> set[int]:
    """The positions of the hidden cells of one table, given as (disaggregation, value, threshold)."""
    return suppression.hidden_cells(
        [_coordinates(disaggregation) for disaggregation, _value, _threshold in cells],
        [value for _disaggregation, value, _threshold in cells],
        [threshold for _disaggregation, _value, threshold in cells],
    )


TABLE_FIELDS = ("pk", "city_id", "period", "source_dataset_id", "disaggregation", "value", "suppression_threshold")


def hidden_observation_ids(*, indicator: Indicator, observations: Iterable[Observation]) -> set[int]:
    """Ids of the hidden ones among ``observations`` (public, of ``indicator``), each decided on its whole table.

    One query: every public observation of the tables that ``observations`` belong to, however they were filtered
    (a city, a period, totals only, a page), so that no two views can be combined into a hidden value.
    """
    observations = list(observations)
    if not observations:
        return set()
    threshold = CellThresholds()
    wanted = {_table_key(o.city_id, o.period, o.source_dataset_id) for o in observations}
    cells = (
        observations_public()
        .filter(
            indicator=indicator,
            city_id__in={key[0] for key in wanted},
            period__in={key[1] for key in wanted},
        )
        .order_by("city_id", "period", "source_dataset_id", "pk")
        .values_list(*TABLE_FIELDS)
    )
    hidden: set[int] = set()
    for key, table in groupby(cells, key=lambda c: _table_key(c[1], c[2], c[3])):
        table = list(table)
        if key not in wanted:
            continue
        positions = hidden_positions(
            [
                (d, v, threshold(value_is_count=indicator.value_is_count, imported=t))
                for _pk, _c, _p, _s, d, v, t in table
            ]
        )
        hidden.update(table[i][0] for i in positions)
    return hidden


class IndicatorFilter(FacetFilterSet):
    """Facets of /data/indicators/; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "definition"), label=gettext_lazy("Search titles and definitions"))
    theme = django_filters.CharFilter(field_name="theme__slug", label=gettext_lazy("Human-rights theme"))
    type = django_filters.ChoiceFilter(choices=Indicator.Type.choices, label=gettext_lazy("Type"))
    obligation = django_filters.ChoiceFilter(choices=Indicator.Obligation.choices, label=gettext_lazy("Obligation"))
    sdg = WholeNumberFilter(field_name="sdg_indicator__target__goal__number", label=gettext_lazy("SDG"))
    group = django_filters.CharFilter(field_name="groups__slug", label=gettext_lazy("Group at risk"), distinct=True)
    city = django_filters.CharFilter(method="filter_city", label=gettext_lazy("City with data"))

    class Meta:
        model = Indicator
        fields: list[str] = []

    def filter_city(self, queryset, name, value):
        ids = observations_public().filter(city__slug=value).values("indicator_id")
        return queryset.filter(pk__in=ids)


def _city_rows(queryset: QuerySet, _filterset) -> Rows:
    """Cities with public observations of the indicators, each with how many of them."""
    rows = (
        observations_public()
        .filter(indicator__in=queryset.order_by().values("pk"))
        .values("city__slug", "city__name")
        .annotate(n=Count("indicator", distinct=True))
        .order_by("city__name")
    )
    return [(r["city__slug"], r["city__name"], r["n"]) for r in rows]


def indicator_list_page(queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """What a list row shows: groups and the number of cities with data."""
    cities = Count("observations__city", distinct=True, filter=_public_observation_q("observations__"))
    return queryset.prefetch_related("groups").annotate(city_count=cities).order_by("theme__name", "title", "pk")


INDICATORS = FacetedList(
    key="indicators",
    filterset=IndicatorFilter,
    base=indicators_public,
    facets=("theme", "type", "obligation", "sdg", "group", FacetDef("city", _city_rows)),
    chips=("q", "city", "group", "sdg", "obligation", "type", "theme"),  # most narrowing first
    page_size=PAGE_SIZE,
    order=lambda filterset: indicator_list_page(filterset.qs),
)
FACETS = INDICATORS.facet_names


indicators_filtered = INDICATORS.filtered


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
    source_dataset_id: int | None = None
    threshold: int | None = None


def protect_rows(rows: list[Row]) -> list[Row]:
    """Hide, in place, the small values of ``rows`` and every value that would give one away, table by table."""
    tables: dict[tuple, list[Row]] = {}
    for row in rows:
        tables.setdefault(_table_key(row.city_id, row.period, row.source_dataset_id), []).append(row)
    for table in tables.values():
        for position in hidden_positions([(r.disaggregation, r.value, r.threshold) for r in table]):
            table[position].value, table[position].suppressed = None, True
    return rows


ROW_FIELDS = (
    "city_id",
    "city__name",
    "city__slug",
    "period",
    "period_start",
    "value",
    "disaggregation",
    "disaggregation_key",
    "source_dataset_id",
    "suppression_threshold",
)


def _rows_of(indicator: Indicator, values: Iterable[tuple]) -> list[Row]:
    """``ROW_FIELDS`` tuples of one indicator as protected rows, one source per table."""
    threshold = CellThresholds()
    rows = [
        Row(
            city_id,
            city,
            slug,
            period,
            start,
            value,
            False,
            disaggregation or {},
            key,
            source_id,
            threshold(value_is_count=indicator.value_is_count, imported=imported),
        )
        for city_id, city, slug, period, start, value, disaggregation, key, source_id, imported in values
    ]
    return one_source_per_table(protect_rows(rows))


def indicator_rows(indicator: Indicator, *, city_ids=None) -> list[Row]:
    """Every public observation of an indicator (one query), protected table by table, by city and period.

    Where several sources publish the same city and period, the charts show the table of the latest source (the
    CSV and the API list every source)."""
    queryset = observations_public().filter(indicator=indicator)
    if city_ids is not None:
        queryset = queryset.filter(city_id__in=city_ids)
    values = queryset.order_by("city__name", "period_start", "disaggregation_key").values_list(*ROW_FIELDS)
    return _rows_of(indicator, values)


def indicators_rows_for_city(indicators: Iterable[Indicator], city_id: int) -> dict[int, list[Row]]:
    """``indicator_rows`` of several indicators for one city, in one query: {indicator id: rows}."""
    by_id = {indicator.pk: indicator for indicator in indicators}
    grouped: dict[int, list[tuple]] = {pk: [] for pk in by_id}
    values = (
        observations_public()
        .filter(indicator_id__in=list(by_id), city_id=city_id)
        .order_by("indicator_id", "period_start", "disaggregation_key")
        .values_list("indicator_id", *ROW_FIELDS)
    )
    for indicator_id, *row in values:
        grouped[indicator_id].append(tuple(row))
    return {pk: _rows_of(by_id[pk], rows) for pk, rows in grouped.items()}


def _latest_source(source_ids: Iterable[int | None]) -> int | None:
    return max(source_ids, key=lambda source: -1 if source is None else source)


def one_source_per_table(rows: list[Row]) -> list[Row]:
    """The rows of one source for each city and period: the latest imported dataset, else the values typed in."""
    sources: dict[tuple[int, str], set[int | None]] = {}
    for row in rows:
        sources.setdefault((row.city_id, row.period), set()).add(row.source_dataset_id)
    chosen = {key: _latest_source(ids) for key, ids in sources.items()}
    return [row for row in rows if row.source_dataset_id == chosen[(row.city_id, row.period)]]


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


def indicator_observations_for_csv(indicator: Indicator) -> Iterator[tuple[Observation, bool]]:
    """What the CSV download streams: every public observation with its city and source dataset, and whether it
    is hidden (decided on its whole table: the rows are read table by table)."""
    threshold = CellThresholds()
    queryset = (
        observations_public()
        .filter(indicator=indicator)
        .select_related("city", "city__country", "source_dataset")
        .order_by("city__name", "city_id", "period_start", "period", "source_dataset_id", "disaggregation_key", "pk")
    )
    tables = groupby(
        queryset.iterator(chunk_size=2000), key=lambda o: _table_key(o.city_id, o.period, o.source_dataset_id)
    )
    for _key, table in tables:
        table = list(table)
        hidden = hidden_positions(
            [
                (
                    o.disaggregation,
                    o.value,
                    threshold(value_is_count=indicator.value_is_count, imported=o.suppression_threshold),
                )
                for o in table
            ]
        )
        for position, observation in enumerate(table):
            yield observation, position in hidden


# ---- city page ---------------------------------------------------------------------------------------------------


def city_indicator_cards(organisation_id: int, *, limit: int = CITY_SECTION_INDICATORS) -> tuple[list[dict], bool]:
    """The city's indicators with the most recent data: latest value and the series of totals (three queries).

    Each total is protected with the breakdowns published beside it (a total can be hidden to protect them)."""
    public = observations_public().filter(city_id=organisation_id)
    latest = list(
        public.filter(disaggregation_key="")
        .values("indicator_id")
        .annotate(latest=Max("period_start"))
        .order_by("-latest", "indicator_id")[: limit + 1]
    )
    more = len(latest) > limit
    ids = [row["indicator_id"] for row in latest[:limit]]
    if not ids:
        return [], False
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=ids).select_related("theme")}
    thresholds = CellThresholds()
    rows: dict[int, list[Row]] = {pk: [] for pk in ids}
    for indicator_id, period, start, value, disaggregation, key, source_id, imported in (
        public.filter(indicator_id__in=ids)
        .order_by("period_start", "disaggregation_key")
        .values_list(
            "indicator_id",
            "period",
            "period_start",
            "value",
            "disaggregation",
            "disaggregation_key",
            "source_dataset_id",
            "suppression_threshold",
        )
    ):
        threshold = thresholds(value_is_count=indicators[indicator_id].value_is_count, imported=imported)
        rows[indicator_id].append(
            Row(organisation_id, "", "", period, start, value, False, disaggregation or {}, key, source_id, threshold)
        )
    cards = []
    for pk in ids:
        totals = [r for r in one_source_per_table(protect_rows(rows[pk])) if not r.key]
        points = [{"period": r.period, "value": r.value, "suppressed": r.suppressed} for r in totals]
        cards.append({"indicator": indicators[pk], "points": points, "latest": points[-1] if points else None})
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
