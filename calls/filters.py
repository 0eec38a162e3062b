"""The /calls/ list: its FilterSet and its declaration (``CALLS``, a ``hub.facets.FacetedList``); the listing,
the Atom feed and the iCalendar file all use them.

Vocabularies are counted on their link tables, every other facet over the matching calls' ids. The listing
keeps its facet counts and total (``calls.listing``) and the ids of each page (``calls.ids``) in the aggregate
cache (``hub.aggregates``), keyed by the filters in force and by ``status_clock``, the next moment a call's
derived status changes: a cached value is exact until then, or until the content changes.
"""

import datetime as dt

from django import forms
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

import django_filters

from calls.deadlines import STATUS_LABELS, Status
from calls.models import ResearchCall
from calls.selectors import calls_public
from hub import aggregates
from hub.facets import FacetDef, FacetedList, FacetFilterSet, Rows, SearchFilter, WholeNumberFilter, derived

PAGE_SIZE = 20


class Sort:
    DEADLINE = "deadline"
    NEWEST = "newest"
    FIT = "fit"  # signed-in researchers only; the listing view orders by fit, others fall back to deadline
    CHOICES = [(DEADLINE, _("Deadline, soonest first")), (NEWEST, _("Newest first")), (FIT, _("Best fit for me"))]


def status_q(status: str, now: dt.datetime) -> Q:
    """The database condition for a derived status (mirrors ``deadlines.call_status``)."""
    live = Q(cancelled_at__isnull=True, awarded_at__isnull=True)
    conditions = {
        Status.CANCELLED: Q(cancelled_at__isnull=False),
        Status.AWARDED: Q(cancelled_at__isnull=True, awarded_at__isnull=False),
        Status.CONSULTATION: live & Q(opens_at__gt=now, consultation_opens_at__lte=now),
        Status.UPCOMING: live
        & Q(opens_at__gt=now)
        & (Q(consultation_opens_at__isnull=True) | Q(consultation_opens_at__gt=now)),
        Status.OPEN: live & Q(opens_at__lte=now, closes_at__gt=now),
        Status.CLOSED: live & Q(closes_at__lte=now),
    }
    return conditions[Status(status)]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class CallFilter(FacetFilterSet):
    """Facets of the public calls listing; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "summary"), label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"))
    sdg = WholeNumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"))
    group = django_filters.CharFilter(field_name="groups__slug", label=_("Group in focus"))
    country = django_filters.CharFilter(field_name="organisation__country__code", label=_("Country"))
    status = django_filters.ChoiceFilter(
        method="filter_status", choices=[(s.value, STATUS_LABELS[s]) for s in Status], label=_("Status")
    )
    early_career = django_filters.ChoiceFilter(
        choices=[
            (ResearchCall.EarlyCareer.ONLY, _("Only for early-career researchers")),
            (ResearchCall.EarlyCareer.RESERVED, _("Share reserved for early-career researchers")),
        ],
        label=_("Early-career"),
    )
    budget_min = django_filters.NumberFilter(field_name="budget_max", lookup_expr="gte", label=_("Budget at least"))
    budget_max = django_filters.NumberFilter(field_name="budget_min", lookup_expr="lte", label=_("Budget at most"))
    deadline_after = django_filters.DateFilter(
        method="filter_deadline_after", label=_("Deadline on or after"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_before = django_filters.DateFilter(
        method="filter_deadline_before",
        label=_("Deadline on or before"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(method="filter_sort", choices=Sort.CHOICES, label=_("Sort by"), empty_label=None)

    class Meta:
        model = ResearchCall
        fields: list[str] = []

    def __init__(self, *args, now: dt.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, self.now)) if value else queryset

    def filter_deadline_after(self, queryset, name, value):
        return queryset.filter(closes_at__gte=_day_start(value))

    def filter_deadline_before(self, queryset, name, value):
        return queryset.filter(closes_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``ordered``

    @property
    def sort_order(self) -> str:
        """The order ``ordered`` applies: newest first when asked for (and every value is valid), else by deadline."""
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.is_valid() else None
        return Sort.NEWEST if sort == Sort.NEWEST else Sort.DEADLINE

    def ordered(self, queryset: QuerySet) -> QuerySet:
        """Newest first, or: calls still ahead of their deadline by deadline, then past ones, latest first."""
        if self.sort_order == Sort.NEWEST:
            return queryset.order_by("-first_published_at", "-pk")
        return queryset.annotate(
            past=Case(When(closes_at__lte=self.now, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("past", "closes_at", "pk")

    @property
    def ordered_qs(self) -> QuerySet:
        return self.ordered(self.qs)

    @cached_property
    def clock(self) -> dt.datetime | None:
        """``status_clock(now)``: the key part that keeps cached counts of this moment exact."""
        return status_clock(self.now)


# Facets over a many-to-many vocabulary: the field of ResearchCall and the term's value and label.
VOCABULARY_FACETS = {"theme": "themes", "method": "methods", "group": "groups"}
# The dates a call's derived status changes at (``status_q`` compares nothing else with the clock).
STATUS_DATES = ("opens_at", "closes_at", "consultation_opens_at")


def _base_queryset() -> QuerySet[ResearchCall]:
    return calls_public().defer_streamfields()


def _ids(calls: QuerySet) -> QuerySet:
    return calls.order_by().values("pk")


def _vocabulary(name: str) -> FacetDef:
    """Calls per term, counted on the link table: a call has a term at most once, so no DISTINCT."""
    relation = ResearchCall._meta.get_field(VOCABULARY_FACETS[name])
    call, term = relation.m2m_field_name(), relation.m2m_reverse_field_name()

    def rows(calls: QuerySet, _filterset) -> Rows:
        found = (
            relation.remote_field.through.objects.filter(**{f"{call}__in": _ids(calls)})
            .values(f"{term}__slug", f"{term}__name")
            .annotate(n=Count("pk"))
            .order_by(f"{term}__name")
        )
        return [(row[f"{term}__slug"], row[f"{term}__name"], row["n"]) for row in found]

    return FacetDef(name, rows)


def _sdg_rows(calls: QuerySet, _filterset) -> Rows:
    found = (
        ResearchCall.sdg_targets.through.objects.filter(researchcall_id__in=_ids(calls))
        .values("sdgtarget__goal__number", "sdgtarget__goal__short")
        .annotate(n=Count("researchcall_id", distinct=True))  # a call may have several targets of a goal
        .order_by("sdgtarget__goal__number")
    )
    return [
        (str(r["sdgtarget__goal__number"]), f"{r['sdgtarget__goal__number']}. {r['sdgtarget__goal__short']}", r["n"])
        for r in found
    ]


def _status_rows(calls: QuerySet, filterset: CallFilter) -> Rows:
    counts = ResearchCall.objects.filter(pk__in=_ids(calls)).aggregate(
        **{s.value: Count("pk", filter=status_q(s, filterset.now)) for s in Status}
    )
    return [(s.value, str(STATUS_LABELS[s]), counts[s.value]) for s in Status if counts[s.value]]


def _by_id(facet: FacetDef) -> FacetDef:
    """``facet`` counted over the calls whose ids match (a plain table, whatever the filters joined)."""
    return FacetDef(facet.name, lambda calls, fs: facet.rows(ResearchCall.objects.filter(pk__in=_ids(calls)), fs))


def _next_status_change(now: dt.datetime) -> dt.datetime | None:
    """The first moment after ``now`` at which some call's derived status changes (None: no such moment)."""
    moments = [
        ResearchCall.objects.filter(**{f"{field}__gt": now}).order_by(field).values_list(field, flat=True).first()
        for field in STATUS_DATES
    ]
    return min((moment for moment in moments if moment is not None), default=None)


def status_clock(now: dt.datetime) -> dt.datetime | None:
    """A key part under which counts that depend on the clock stay exact: the next status change after ``now``.

    Counts computed at any moment before that change are the counts of every moment up to it (no call's
    status changes in between); the value is kept in the aggregate cache and recomputed once it has passed.
    """
    if not aggregates.enabled():
        return None  # only cache keys need it
    cached = aggregates.cached("calls.status_clock", (), lambda: _next_status_change(now))
    if cached is not None and cached <= now:
        return _next_status_change(now)
    return cached


def _cache_parts(filterset: CallFilter) -> tuple:
    """What the matching calls depend on besides the data: the filters in force (not the sort, nor the
    page) and the clock, for the status filter and facet. The same for every viewer: the listing shows
    published calls only, and sorting by fit changes the order, not which calls match."""
    filters = sorted((name, repr(value)) for name, value in filterset.cleaned_filters().items() if name != "sort")
    return (tuple(filters), filterset.clock)


def ordered_page(filterset: CallFilter, start: int, stop: int) -> list[ResearchCall]:
    """The matching calls from ``start`` to ``stop`` in the listing's order (deadline or newest), with their themes.

    The order depends on the data, the sort and — calls past their deadline last — the clock only, so
    the page's ids are kept in the aggregate cache and a warm page reads its calls by key.
    """
    if not aggregates.enabled():
        return list(filterset.ordered_qs[start:stop].prefetch_related("themes"))
    ids = aggregates.cached(
        "calls.ids",
        (_cache_parts(filterset), filterset.sort_order, start, stop),
        lambda: list(filterset.ordered_qs[start:stop].values_list("pk", flat=True)),
    )
    calls = filterset.queryset.filter(pk__in=ids).prefetch_related("themes").in_bulk()
    return [calls[pk] for pk in ids if pk in calls]


CALLS = FacetedList(
    key="calls",
    filterset=CallFilter,
    base=_base_queryset,
    facets=(
        _vocabulary("theme"),
        FacetDef("sdg", _sdg_rows),
        _vocabulary("method"),
        _vocabulary("group"),
        _by_id(derived(CallFilter, "country")),
        FacetDef("status", _status_rows),
        _by_id(derived(CallFilter, "early_career")),
    ),
    # From the most to the least narrowing, for the empty state's "remove this filter" suggestion.
    chips=(
        "q",
        "deadline_before",
        "deadline_after",
        "budget_max",
        "budget_min",
        "early_career",
        "status",
        "group",
        "method",
        "sdg",
        "theme",
        "country",
    ),
    labels={
        "q": _("Search"),
        "budget_min": _("Budget at least"),
        "budget_max": _("Budget at most"),
        "deadline_after": _("Deadline on or after"),
        "deadline_before": _("Deadline on or before"),
    },
    page_size=PAGE_SIZE,
    order=lambda filterset: filterset.ordered_qs,
    sort=tuple(Sort.CHOICES[:2]),
    cache_parts=_cache_parts,
    page_objects=ordered_page,
)
FACETS = CALLS.facet_names
calls_filtered = CALLS.filtered  # (params, with_facets=True, now=None) -> (CallFilter, facets)
