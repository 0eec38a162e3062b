"""The /partnerships/ facets as one FilterSet, with shop-style facet counts (see ``calls.filters``).

Each facet counts the partnerships that match every *other* active filter: one aggregate
query per facet, whatever the number of partnerships.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.forms import Facet, FacetOption
from projects.models import Partnership

PAGE_SIZE = 20
FACETS = ("theme", "sdg", "method", "country", "city", "status")


class PartnershipFilter(django_filters.FilterSet):
    """Facets of the public partnerships listing; unknown values are ignored rather than refused."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = django_filters.NumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"), distinct=True)
    country = django_filters.CharFilter(method="filter_country", label=_("Country of a member"))
    city = django_filters.CharFilter(field_name="city__slug", label=_("City"))
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))

    class Meta:
        model = Partnership
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value)) if value else queryset

    def filter_country(self, queryset, name, value):
        # A subquery keeps the list free of duplicates without DISTINCT on the whole row.
        matching = Partnership.objects.filter(members__country__code__iexact=value).values("pk")
        return queryset.filter(pk__in=matching)


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def _counts(queryset: QuerySet, value: str, label: str, order: str | None = None) -> list[tuple[str, str, int]]:
    rows = (
        queryset.filter(**{f"{value}__isnull": False})
        .values(value, label)
        .annotate(n=Count("pk", distinct=True))
        .order_by(order or label)
    )
    return [(str(row[value]), str(row[label]), row["n"]) for row in rows]


def _facet_rows(name: str, queryset: QuerySet) -> list[tuple[str, str, int]]:
    queryset = queryset.order_by()
    if name == "theme":
        return _counts(queryset, "themes__slug", "themes__name")
    if name == "method":
        return _counts(queryset, "methods__slug", "methods__name")
    if name == "country":
        return _counts(queryset, "members__country__code", "members__country__name")
    if name == "city":
        return _counts(queryset, "city__slug", "city__name")
    if name == "sdg":
        rows = _counts(
            queryset, "sdg_targets__goal__number", "sdg_targets__goal__short", order="sdg_targets__goal__number"
        )
        return [(value, f"{value}. {label}", n) for value, label, n in rows]
    if name == "status":
        labels = dict(Partnership.Status.choices)
        rows = queryset.values("status").annotate(n=Count("pk", distinct=True)).order_by("status")
        return [(r["status"], str(labels.get(r["status"], r["status"])), r["n"]) for r in rows]
    raise ValueError(name)


def facets_for(params, base: QuerySet) -> list[Facet]:
    """Each facet's values with how many partnerships match them and every other active filter."""
    facets = []
    for name in FACETS:
        others = PartnershipFilter(_without(params, name), queryset=base)
        current = str(params.get(name) or "")
        options = [
            FacetOption(value, label, count, value == current) for value, label, count in _facet_rows(name, others.qs)
        ]
        if current and not any(o.selected for o in options):
            options.append(FacetOption(current, current, 0, True))
        facets.append(Facet(name, str(PartnershipFilter.base_filters[name].label), options))
    return facets
