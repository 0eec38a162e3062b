"""The /partnerships/ filters (``PartnershipFilter``); the list's declaration is ``projects.selectors.partnerships``."""

from django.utils.translation import gettext_lazy as _

import django_filters

from hub.facets import FacetFilterSet, SearchFilter, WholeNumberFilter
from projects.models import Partnership

PAGE_SIZE = 20


class PartnershipFilter(FacetFilterSet):
    """Facets of the public partnerships listing; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "summary"), label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = WholeNumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"), distinct=True)
    country = django_filters.CharFilter(method="filter_country", label=_("Country of a member"))
    city = django_filters.CharFilter(field_name="city__slug", label=_("City"))
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))

    class Meta:
        model = Partnership
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        # A subquery keeps the list free of duplicates without DISTINCT on the whole row.
        matching = Partnership.objects.filter(members__country__code__iexact=value).values("pk")
        return queryset.filter(pk__in=matching)
