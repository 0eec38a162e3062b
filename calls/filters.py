"""The /calls/ facets as one FilterSet; the listing, the Atom feed and the iCalendar file all use it.

Facet counts are computed like a shop's facets: each facet counts the calls that match every
*other* active filter, so that its options say how many calls choosing them would show
(one aggregate query per facet, whatever the number of calls).
"""

import datetime as dt

from django import forms
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import django_filters

from calls.deadlines import STATUS_LABELS, Status
from calls.models import ResearchCall
from calls.selectors import calls_public
from hub.forms import Facet, FacetOption

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


class CallFilter(django_filters.FilterSet):
    """Facets of the public calls listing; unknown values are ignored rather than refused."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"))
    sdg = django_filters.NumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
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

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value)) if value else queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, self.now)) if value else queryset

    def filter_deadline_after(self, queryset, name, value):
        return queryset.filter(closes_at__gte=_day_start(value))

    def filter_deadline_before(self, queryset, name, value):
        return queryset.filter(closes_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied last, in ``ordered``

    def ordered(self, queryset: QuerySet) -> QuerySet:
        """Newest first, or: calls still ahead of their deadline by deadline, then past ones, latest first."""
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.is_valid() else None
        if sort == Sort.NEWEST:
            return queryset.order_by("-first_published_at", "-pk")
        return queryset.annotate(
            past=Case(When(closes_at__lte=self.now, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("past", "closes_at", "pk")

    @property
    def ordered_qs(self) -> QuerySet:
        return self.ordered(self.qs)


FACETS = ("theme", "sdg", "method", "group", "country", "status", "early_career")


def _base_queryset() -> QuerySet[ResearchCall]:
    return calls_public().defer_streamfields()


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def _vocabulary_counts(queryset: QuerySet, value: str, label: str) -> list[tuple[str, str, int]]:
    rows = (
        queryset.filter(**{f"{value}__isnull": False})
        .values(value, label)
        .annotate(n=Count("pk", distinct=True))
        .order_by(label)
    )
    return [(str(row[value]), row[label], row["n"]) for row in rows]


def _facet_rows(name: str, queryset: QuerySet, now: dt.datetime) -> list[tuple[str, str, int]]:
    if name == "theme":
        return _vocabulary_counts(queryset, "themes__slug", "themes__name")
    if name == "method":
        return _vocabulary_counts(queryset, "methods__slug", "methods__name")
    if name == "group":
        return _vocabulary_counts(queryset, "groups__slug", "groups__name")
    if name == "country":
        return _vocabulary_counts(queryset, "organisation__country__code", "organisation__country__name")
    if name == "sdg":
        rows = (
            queryset.filter(sdg_targets__isnull=False)
            .values("sdg_targets__goal__number", "sdg_targets__goal__short")
            .annotate(n=Count("pk", distinct=True))
            .order_by("sdg_targets__goal__number")
        )
        return [
            (
                str(r["sdg_targets__goal__number"]),
                f"{r['sdg_targets__goal__number']}. {r['sdg_targets__goal__short']}",
                r["n"],
            )
            for r in rows
        ]
    if name == "status":
        counts = queryset.aggregate(**{s.value: Count("pk", filter=status_q(s, now)) for s in Status})
        return [(s.value, str(STATUS_LABELS[s]), counts[s.value]) for s in Status if counts[s.value]]
    if name == "early_career":
        labels = dict(CallFilter.base_filters["early_career"].extra["choices"])
        rows = (
            queryset.filter(early_career__in=list(labels))
            .values("early_career")
            .annotate(n=Count("pk"))
            .order_by("early_career")
        )
        return [(r["early_career"], str(labels[r["early_career"]]), r["n"]) for r in rows]
    raise ValueError(name)


def facets_for(params, now: dt.datetime, base: QuerySet | None = None) -> list[Facet]:
    """Each facet's values with how many calls match them and every other active filter."""
    # Built once: ``public()`` looks up view restrictions when the queryset is created.
    base = _base_queryset() if base is None else base
    facets = []
    for name in FACETS:
        others = CallFilter(_without(params, name), queryset=base, now=now)
        current = str(params.get(name) or "")
        options = [
            FacetOption(value, label, count, value == current)
            for value, label, count in _facet_rows(name, others.qs, now)
        ]
        if current and not any(o.selected for o in options):
            options.append(FacetOption(current, current, 0, True))
        facets.append(Facet(name, str(CallFilter.base_filters[name].label), options))
    return facets


def calls_filtered(params, *, with_facets: bool = True, now: dt.datetime | None = None):
    """The published calls matching ``params`` (a QueryDict), ordered, plus the facets when asked for."""
    now = now or timezone.now()
    base = _base_queryset()
    filterset = CallFilter(params, queryset=base, now=now)
    facets = facets_for(params, now, base) if with_facets else []
    return filterset, facets
