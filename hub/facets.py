"""One faceted list: a declaration per list type, one machinery for facet counts, chips, pages and exports.

A list type is a ``FacetedList``: its FilterSet (a ``FacetFilterSet``), the queryset it starts from, its
facets (``FacetDef``: a name and how its options are counted), the parameters shown as chips, its page
size, how it is ordered and what a card reads. ``FacetedList.listing(params)`` gives a ``Listing`` — the
filterset, the facets with counts, the chips, the total and one page — whose ``context()`` the list's
template reads through the includes in ``templates/includes/facets/``; ``FacetedList.listed(params)`` is
the filtered list in the page's order, every page (the CSV export, feeds).

Facet counts are a shop's: each facet counts the rows that match every *other* active filter, so that
an option says how many rows choosing it would show. One aggregate query per facet (facets without an
active value share the rows matching every filter), whatever the number of rows; a list whose counts are
expensive names an aggregate cache entry (``hub.aggregates.cached``) and what its key depends on.

Search (``q``): ``SearchFilter`` matches any of its fields, case-insensitively. Text longer than
``Q_MAX_LENGTH`` (200) characters is cut to that length without an error, on the pages as in the API.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

import django_filters
from django_filters.constants import EMPTY_VALUES

from hub import aggregates, translation
from hub.forms import Facet, FacetOption
from hub.paginators import CountedPaginator

Q_MAX_LENGTH = 200
# How much of an unknown value a facet shows back (the value itself stays in the query string).
SHOWN_VALUE_LENGTH = 60

Rows = list[tuple[str, str, int]]  # a facet's (value, label, count), in the order shown


class SearchFilter(django_filters.CharFilter):
    """``q``: rows whose ``fields`` contain the text; over ``Q_MAX_LENGTH`` characters it is cut, not refused."""

    max_length = Q_MAX_LENGTH

    def __init__(self, *, fields: Iterable[str], **kwargs):
        super().__init__(**kwargs)
        self.search_fields = tuple(fields)

    def filter(self, qs, value):
        value = (value or "").strip()[:Q_MAX_LENGTH]
        if not value:
            return qs
        return qs.filter(reduce(or_, (Q(**{f"{name}__icontains": value}) for name in self.search_fields)))


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number a database column can hold (1 to 2**31 - 1 unless told): anything else — "-1" for a year,
    "1e999", forty digits — is malformed and ignored like any other, never a server error."""

    field_class = forms.IntegerField

    def __init__(self, *, min_value: int = 1, max_value: int = 2**31 - 1, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class FacetFilterSet(django_filters.FilterSet):
    """A list's FilterSet: unknown or malformed values are ignored (and reported in ``errors``), not refused."""

    def cleaned_filters(self) -> dict:
        """The filters in force: valid values that are not empty (invalid ones are ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.form.cleaned_data.items() if value not in EMPTY_VALUES}

    def qs_without(self, name: str | None) -> QuerySet:
        """The rows matching every filter in force but ``name``: what the facet ``name`` counts.

        One form validates the parameters for every facet (each field is validated on its own, so leaving
        one out changes no other's value), instead of a FilterSet and a form per facet.
        """
        queryset = self.queryset.all()
        for field_name, value in self.cleaned_filters().items():
            if field_name != name:
                queryset = self.filters[field_name].filter(queryset, value)
        return queryset

    def sort_value(self, default: str = "") -> str:
        """The valid ``sort`` asked for, else ``default``."""
        return self.cleaned_filters().get("sort") or default


# --- how a facet's options are counted --------------------------------------------------------------


@dataclass(frozen=True)
class FacetDef:
    """One facet: its parameter and ``rows(queryset, filterset)``, its options over the rows given (None: the
    list's ``count_facets`` counts every facet at once)."""

    name: str
    rows: Callable[[QuerySet, Any], Rows] | None = None


def related(name: str, value: str, label: str, *, order: str | None = None) -> FacetDef:
    """Options from a field or relation (``themes__slug`` / ``themes__name``), ordered by label."""

    def rows(queryset: QuerySet, _filterset) -> Rows:
        found = (
            queryset.order_by()
            .filter(**{f"{value}__isnull": False})
            .values(value, label)
            .annotate(n=Count("pk", distinct=True))
            .order_by(order or label)
        )
        return [(str(row[value]), str(row[label]), row["n"]) for row in found]

    return FacetDef(name, rows)


def sdg(name: str = "sdg", goal: str = "sdg_targets__goal") -> FacetDef:
    """SDG goals through ``goal`` (a relation to ``hub.SDGGoal``): "11. Sustainable cities", by number."""
    number = related(name, f"{goal}__number", f"{goal}__short", order=f"{goal}__number")
    return FacetDef(name, lambda queryset, fs: [(v, f"{v}. {label}", n) for v, label, n in number.rows(queryset, fs)])


def choices(name: str, field_name: str, labels: Iterable[tuple[Any, Any]]) -> FacetDef:
    """Options of a field with choices, in the choices' order (other values are not options)."""
    names = dict(labels)

    def rows(queryset: QuerySet, _filterset) -> Rows:
        found = (
            queryset.order_by()
            .filter(**{f"{field_name}__in": list(names)})
            .values(field_name)
            .annotate(n=Count("pk", distinct=True))
            .order_by(field_name)
        )
        counts = {row[field_name]: row["n"] for row in found}
        return [(str(value), str(label), counts[value]) for value, label in names.items() if value in counts]

    return FacetDef(name, rows)


def year(name: str, date_field: str) -> FacetDef:
    """The years of a date field, newest first."""

    def rows(queryset: QuerySet, _filterset) -> Rows:
        found = (
            queryset.order_by()
            .filter(**{f"{date_field}__isnull": False})
            .annotate(facet_year=ExtractYear(date_field))
            .values("facet_year")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-facet_year")
        )
        return [(str(row["facet_year"]), str(row["facet_year"]), row["n"]) for row in found]

    return FacetDef(name, rows)


def derived(filterset: type[django_filters.FilterSet], name: str) -> FacetDef:
    """The facet of a FilterSet's filter on a field: its choices, a year, SDG goals, or a term by slug or code."""
    declared = filterset.base_filters[name]
    path = declared.field_name
    if declared.method is None:
        if isinstance(declared, django_filters.ChoiceFilter):
            return choices(name, path, declared.extra["choices"])
        if path.endswith("__year"):
            return year(name, path.removesuffix("__year"))
        if path.endswith("goal__number"):
            return sdg(name, path.removesuffix("__number"))
        if path.endswith(("__slug", "__code")):
            return related(name, path, f"{path.rsplit('__', 1)[0]}__name")
    raise ImproperlyConfigured(f"{filterset.__name__}.{name}: declare how the facet is counted (a FacetDef).")


# --- the declaration and what it gives a page --------------------------------------------------------


class Counts(NamedTuple):
    """A listing's total and each facet's rows (what the aggregate cache keeps)."""

    total: int
    facets: dict[str, Rows]


@dataclass(frozen=True)
class FacetedList:
    """The declaration of one list type; see the module's docstring."""

    key: str  # names the list: its CSV export (``hub.exports``) and its aggregate cache entries
    filterset: type[FacetFilterSet]
    base: Callable[[], QuerySet]  # what the list shows before any filter (a fresh queryset per call)
    facets: tuple[str | FacetDef, ...]  # a name: counted as ``derived`` from its filter; else how it is counted
    chips: tuple[str, ...]  # parameters shown as chips, most narrowing first: the empty state suggests the first
    labels: Mapping[str, Any] = field(default_factory=lambda: {"q": _("Search")})  # chip labels of non-facets
    page_size: int = 20
    order: Callable[[FacetFilterSet], QuerySet] = lambda filterset: filterset.qs  # noqa: E731
    rows: Callable[[QuerySet], QuerySet] = lambda queryset: queryset  # noqa: E731 — what a card reads
    sort: tuple[tuple[str, Any], ...] = ()  # the ``sort`` choices shown in the sidebar, the default first
    cache_parts: Callable[[FacetFilterSet], Hashable] | None = None  # counts cached under this key when given
    count_facets: Callable[[FacetFilterSet, list[str]], dict[str, Rows]] | None = None  # instead of a query each
    page_objects: Callable[[FacetFilterSet, int, int], list] | None = None  # one page's rows, instead of slicing

    @cached_property
    def facet_defs(self) -> tuple[FacetDef, ...]:
        return tuple(f if isinstance(f, FacetDef) else derived(self.filterset, f) for f in self.facets)

    @property
    def facet_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.facet_defs)

    def bind(self, params: Mapping, *, queryset: QuerySet | None = None, **kwargs) -> FacetFilterSet:
        """The list's FilterSet over ``params`` (a QueryDict or a dict) and the list's rows (or ``queryset``)."""
        return self.filterset(params, queryset=self.base() if queryset is None else queryset, **kwargs)

    def listed(self, params: Mapping, **kwargs) -> QuerySet:
        """Every row the list shows for ``params``, in its order (the CSV export, feeds)."""
        return self.order(self.bind(params, **kwargs))

    def filtered(self, params: Mapping, *, with_facets: bool = True, **kwargs) -> tuple[FacetFilterSet, list[Facet]]:
        """The FilterSet over ``params`` and, when asked, the facets with their counts."""
        listing = self.listing(params, **kwargs)
        return listing.filter, listing.facets if with_facets else []

    def listing(self, params: Mapping, **kwargs) -> "Listing":
        """What one page of the list shows for ``params`` (``kwargs`` go to the FilterSet or name its queryset)."""
        return Listing(self, self.bind(params, **kwargs), params)

    def counts(self, filterset: FacetFilterSet) -> Counts:
        """The total and every facet's rows, from the aggregate cache when the list keeps them there."""

        def compute() -> Counts:
            return Counts(filterset.qs.count(), self.count_all(filterset))

        if self.cache_parts is None:
            return compute()
        return aggregates.cached(f"{self.key}.listing", self.cache_parts(filterset), compute)

    def count_all(self, filterset: FacetFilterSet) -> dict[str, Rows]:
        """Each facet's rows over the rows matching every other active filter (one query per facet)."""
        names = list(self.facet_names)
        if self.count_facets is not None:
            return self.count_facets(filterset, names)
        active = filterset.cleaned_filters()
        shared = filterset.qs_without(None)
        return {
            f.name: f.rows(filterset.qs_without(f.name) if f.name in active else shared, filterset)
            for f in self.facet_defs
        }


def query_without(params: Mapping, *names: str) -> str:
    """The query string of ``params`` without ``names`` and without the page number."""
    kept = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for key, value in params.items():
            kept.setlist(key, value if isinstance(value, list | tuple) else [value])
    for name in (*names, "page"):
        kept.pop(name, None)
    return kept.urlencode()


@dataclass
class Chip:
    """An active filter shown above the list, with the link that removes it."""

    name: str
    label: str
    value: str
    remove: str  # the query string without this parameter and without the page


class Listing:
    """One request's view of a faceted list: ``filter``, ``facets``, ``chips``, ``widen``, ``total``, ``page``."""

    def __init__(self, spec: FacetedList, filterset: FacetFilterSet, params: Mapping):
        self.spec = spec
        self.filter = filterset
        self.params = params

    @cached_property
    def counts(self) -> Counts:
        return self.spec.counts(self.filter)

    @property
    def total(self) -> int:
        return self.counts.total

    def _current(self, name: str) -> str:
        return str(self.params.get(name) or "").strip()

    @cached_property
    def facets(self) -> list[Facet]:
        """Each facet's options with their counts; a value that is not an option is shown back, selected, at 0."""
        facets = []
        for name in self.spec.facet_names:
            current = self._current(name)
            options = [
                FacetOption(value, label, count, value.lower() == current.lower() and bool(current))
                for value, label, count in self.counts.facets[name]
            ]
            if current and not any(o.selected for o in options):
                known = dict(self.spec.filterset.base_filters[name].extra.get("choices") or ())
                options.append(FacetOption(current, str(known.get(current, current[:SHOWN_VALUE_LENGTH])), 0, True))
            facets.append(Facet(name, str(self.spec.filterset.base_filters[name].label), options))
        return facets

    @cached_property
    def chips(self) -> list[Chip]:
        """The active filters in ``spec.chips`` order, each labelled and with its "remove" link."""
        by_name = {f.name: f for f in self.facets}
        chips = []
        for name in self.spec.chips:
            value = self._current(name)
            if not value:
                continue
            facet = by_name.get(name)
            if facet is not None:
                label, shown = facet.label, facet.selected.label if facet.selected else value
            else:
                label, shown = str(self.spec.labels[name]), value[:Q_MAX_LENGTH]
            chips.append(Chip(name, label, shown, query_without(self.params, name)))
        return chips

    @property
    def widen(self) -> Chip | None:
        """The filter the empty state suggests removing: the most narrowing active one."""
        return self.chips[0] if self.chips else None

    @cached_property
    def page(self) -> Page:
        """The asked-for page (a page number that is not one gives the first or the last page)."""
        spec = self.spec
        page = CountedPaginator(spec.rows(spec.order(self.filter)), spec.page_size, count=self.total).get_page(
            self.params.get("page")
        )
        if spec.page_objects is not None:
            start = (page.number - 1) * spec.page_size
            page.object_list = spec.page_objects(self.filter, start, min(start + spec.page_size, self.total))
        return translation.in_reader_language(page)

    @property
    def sort(self) -> str:
        """The sort in force (the declaration's first choice by default)."""
        default = self.spec.sort[0][0] if self.spec.sort else ""
        return self.filter.sort_value(default) if "sort" in self.filter.base_filters else default

    @property
    def q_max_length(self) -> int:
        return Q_MAX_LENGTH

    @property
    def has_search(self) -> bool:
        return "q" in self.filter.base_filters

    def context(self, *, page_name: str = "page", **extra) -> dict:
        """What the list's template reads (the includes read ``listing``); the page of rows is ``page_name``
        (a Wagtail index page's own context already holds its ``page``)."""
        return {
            "listing": self,
            "filter": self.filter,
            "facets": self.facets,
            "facet_names": self.spec.facet_names,
            "chips": self.chips,
            "widen": self.widen,
            page_name: self.page,
            "sort": self.sort,
            "sort_choices": self.spec.sort,
            **extra,
        }
