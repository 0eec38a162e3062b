"""django-filter FilterSets for profile listings."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.models import Country
from profiles.models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or city"))
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, empty_label=_("Any kind"))
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.filter(organisations__verified=True).distinct(),
        to_field_name="code",
        empty_label=_("Any country"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value)) if value else queryset
