"""Reads of datasets with their visibility rules, and the /data/datasets/ facets.

A published dataset's page is public whatever its access level; its rows are public only when it is open.
Drafts are seen by members of their partnership only; taken-down datasets keep their URL to show the notice.
"""

from collections import Counter

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

import django_filters

from hub.facets import FacetDef, FacetedList, FacetFilterSet, Rows, SearchFilter, WholeNumberFilter
from projects.models import DataAccessRequest, DataLicence, Dataset, Disaggregation, PartnershipMember

PAGE_SIZE = 20


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


class DatasetFilter(FacetFilterSet):
    """Facets of the public datasets list; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "description"), label=_("Search titles and descriptions"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = WholeNumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
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

    def filter_disaggregation(self, queryset, name, value):
        # JSON containment is not portable to SQLite; the quoted key inside the JSON text is.
        return queryset.filter(disaggregations__icontains=f'"{value}"') if value else queryset


def _disaggregation_rows(queryset: QuerySet, _filterset) -> Rows:
    """Datasets per disaggregation key (a JSON list per dataset, counted here: portable to SQLite)."""
    counts: Counter = Counter()
    for _pk, keys in queryset.order_by().values_list("pk", "disaggregations").distinct():
        counts.update(set(keys or []))
    labels = dict(Disaggregation.choices)
    return [(key, str(labels[key]), counts[key]) for key in labels if counts.get(key)]


def dataset_list_page_queryset(filterset: DatasetFilter) -> QuerySet[Dataset]:
    return filterset.qs.order_by("-published_at", "-pk").prefetch_related("themes")


DATASETS = FacetedList(
    key="datasets",
    filterset=DatasetFilter,
    base=datasets_public,
    facets=("theme", "sdg", "group", "licence", "access", "city", FacetDef("disaggregation", _disaggregation_rows)),
    chips=("q", "disaggregation", "access", "licence", "group", "sdg", "theme", "city"),  # most narrowing first
    page_size=PAGE_SIZE,
    order=dataset_list_page_queryset,
)
FACETS = DATASETS.facet_names


datasets_filtered = DATASETS.filtered


def catalog_datasets() -> QuerySet[Dataset]:
    """Every public dataset for the DCAT catalogue, with what each entry names."""
    return datasets_public().prefetch_related("themes", "sdg_targets__goal", "countries").order_by("pk")
