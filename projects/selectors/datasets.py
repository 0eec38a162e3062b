"""Reads of datasets with their visibility rules, and the /data/datasets/ facets.

A published dataset's page is public whatever its access level; its rows are public only when it is open.
Drafts are seen by members of their partnership only; taken-down datasets keep their URL to show the notice.
"""

from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.forms import Facet, FacetOption
from projects.models import DataAccessRequest, DataLicence, Dataset, Disaggregation, PartnershipMember

PAGE_SIZE = 20
FACETS = ("theme", "sdg", "group", "licence", "access", "city", "disaggregation")


def datasets_public() -> QuerySet[Dataset]:
    """Published datasets of public partnerships, with their partnership and city."""
    return (
        Dataset.objects.public()
        .filter(partnership__is_public=True)
        .select_related("partnership", "partnership__city", "partnership__city__country")
    )


def datasets_open() -> QuerySet[Dataset]:
    return datasets_public().filter(access_level=Dataset.AccessLevel.OPEN)


def datasets_visible_to(user) -> QuerySet[Dataset]:
    """Published and taken-down datasets for everybody (the latter to show the notice), drafts for members."""
    visible = Q(status__in=[Dataset.Status.PUBLISHED, Dataset.Status.TAKEN_DOWN], partnership__is_public=True)
    if getattr(user, "is_authenticated", False):
        visible |= Q(partnership__members__user=user)
    return Dataset.objects.filter(pk__in=Dataset.objects.filter(visible).values("pk")).select_related(
        "partnership", "partnership__city", "partnership__city__country", "result"
    )


def dataset_detail_for(user) -> QuerySet[Dataset]:
    """What a dataset page shows: vocabularies prefetched so the page costs the same for any dataset."""
    return datasets_visible_to(user).prefetch_related("themes", "sdg_targets__goal", "groups", "countries")


def datasets_of_partnership(partnership, user) -> QuerySet[Dataset]:
    """A partnership's datasets as the user may see them (drafts for members only)."""
    return datasets_visible_to(user).filter(partnership=partnership).order_by("-created_at")


def is_member(user, partnership_id: int, *, research: bool = False) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    members = PartnershipMember.objects.filter(partnership_id=partnership_id, user=user)
    if research:
        members = members.filter(side=PartnershipMember.Side.RESEARCH)
    return members.exists()


def access_requests_for(dataset: Dataset) -> QuerySet[DataAccessRequest]:
    """The requests of a dataset, pending first, with requesters and deciders."""
    return (
        dataset.access_requests.select_related("requester", "decided_by")
        .annotate(downloads_n=Count("downloads"))
        .order_by("-status", "-created_at")
    )


def access_request_of(user, dataset: Dataset) -> DataAccessRequest | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return dataset.access_requests.filter(requester=user).order_by("-created_at").first()


class DatasetFilter(django_filters.FilterSet):
    """Facets of the public datasets list; unknown values are ignored rather than refused."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search titles and descriptions"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = django_filters.NumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    group = django_filters.CharFilter(field_name="groups__slug", label=_("Group at risk"), distinct=True)
    licence = django_filters.ChoiceFilter(choices=DataLicence.choices, label=_("Licence"))
    access = django_filters.ChoiceFilter(
        field_name="access_level", choices=Dataset.AccessLevel.choices, label=_("Access")
    )
    city = django_filters.CharFilter(field_name="partnership__city__slug", label=_("City"))
    disaggregation = django_filters.ChoiceFilter(
        method="filter_disaggregation", choices=Disaggregation.choices, label=_("Disaggregated by")
    )

    class Meta:
        model = Dataset
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)) if value else queryset

    def filter_disaggregation(self, queryset, name, value):
        # JSON containment is not portable to SQLite; the quoted key inside the JSON text is.
        return queryset.filter(disaggregations__icontains=f'"{value}"') if value else queryset


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def _vocabulary(queryset, value: str, label: str) -> list[tuple[str, str, int]]:
    rows = (
        queryset.filter(**{f"{value}__isnull": False})
        .values(value, label)
        .annotate(n=Count("pk", distinct=True))
        .order_by(label)
    )
    return [(str(r[value]), str(r[label]), r["n"]) for r in rows]


def _choices(queryset, field: str, choices) -> list[tuple[str, str, int]]:
    labels = dict(choices)
    rows = queryset.order_by().values(field).annotate(n=Count("pk", distinct=True))
    counts = {r[field]: r["n"] for r in rows}
    return [(value, str(labels[value]), counts[value]) for value in labels if counts.get(value)]


def _facet_rows(name: str, queryset) -> list[tuple[str, str, int]]:
    if name == "theme":
        return _vocabulary(queryset, "themes__slug", "themes__name")
    if name == "group":
        return _vocabulary(queryset, "groups__slug", "groups__name")
    if name == "city":
        return _vocabulary(queryset, "partnership__city__slug", "partnership__city__name")
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
    if name == "licence":
        return _choices(queryset, "licence", DataLicence.choices)
    if name == "access":
        return _choices(queryset, "access_level", Dataset.AccessLevel.choices)
    if name == "disaggregation":
        counts: Counter = Counter()
        for _pk, keys in queryset.order_by().values_list("pk", "disaggregations").distinct():
            counts.update(set(keys or []))
        labels = dict(Disaggregation.choices)
        return [(key, str(labels[key]), counts[key]) for key in labels if counts.get(key)]
    raise ValueError(name)


def datasets_filtered(params, *, with_facets: bool = True) -> tuple[DatasetFilter, list[Facet]]:
    """The public datasets matching ``params``, newest first, with each facet counted against the other filters."""
    base = datasets_public()
    filterset = DatasetFilter(params, queryset=base)
    facets = []
    if with_facets:
        for name in FACETS:
            others = DatasetFilter(_without(params, name), queryset=base)
            current = str(params.get(name) or "")
            options = [FacetOption(v, label, n, v == current) for v, label, n in _facet_rows(name, others.qs)]
            if current and not any(o.selected for o in options):
                options.append(FacetOption(current, current, 0, True))
            facets.append(Facet(name, str(DatasetFilter.base_filters[name].label), options))
    return filterset, facets


def dataset_list_page_queryset(filterset: DatasetFilter) -> QuerySet[Dataset]:
    return filterset.qs.order_by("-published_at", "-pk").prefetch_related("themes")


def catalog_datasets() -> QuerySet[Dataset]:
    """Every public dataset for the DCAT catalogue, with what each entry names."""
    return datasets_public().prefetch_related("themes", "sdg_targets__goal", "countries").order_by("pk")
