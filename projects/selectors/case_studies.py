"""Reads of case studies: live, public pages; the /case-studies/ facets as one FilterSet.

Each facet counts the case studies that match every *other* active filter (one aggregate
query per facet, whatever the number of case studies), like the /calls/ facets.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from wagtail.images import get_image_model

import django_filters

from hub.facets import FacetedList, FacetFilterSet, SearchFilter, WholeNumberFilter
from hub.translation import originals
from projects.models import CaseStudyPage, Dataset, Region, Result

PAGE_SIZE = 12
CARD_RENDITION = "fill-640x360"


class CaseStudyFilter(FacetFilterSet):
    """Facets of the public case-studies listing; unknown values are ignored rather than refused."""

    q = SearchFilter(fields=("title", "summary"), label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = WholeNumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"), distinct=True)
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))

    class Meta:
        model = CaseStudyPage
        fields: list[str] = []


def case_studies_public() -> QuerySet[CaseStudyPage]:
    """Live case studies readers may see, newest first."""
    return originals(CaseStudyPage.objects.live().public()).order_by("-first_published_at", "-pk")


def _for_cards(queryset: QuerySet[CaseStudyPage]) -> QuerySet[CaseStudyPage]:
    images = get_image_model().objects.prefetch_renditions(CARD_RENDITION)
    return queryset.select_related("partnership").prefetch_related(Prefetch("image", queryset=images), "themes")


def featured_case_studies(limit: int = 3) -> list[CaseStudyPage]:
    """Featured case studies for the home page, newest first."""
    return list(case_studies_public().filter(featured=True)[:limit])


CASE_STUDIES = FacetedList(
    key="case_studies",
    filterset=CaseStudyFilter,
    base=case_studies_public,  # built once a request: ``public()`` looks up view restrictions when created
    facets=("theme", "sdg", "method", "region"),
    chips=("q", "method", "sdg", "theme", "region"),  # most narrowing first
    page_size=PAGE_SIZE,
    rows=_for_cards,
)
FACETS = CASE_STUDIES.facet_names


def case_study_links(page: CaseStudyPage) -> dict:
    """The page's results and datasets that are public now (a taken-down result disappears by itself)."""
    result_ids = [r.pk for r in page.results.all()]
    dataset_ids = [d.pk for d in page.datasets.all()]
    results = Result.objects.public().filter(pk__in=result_ids) if result_ids else Result.objects.none()
    datasets = Dataset.objects.public().filter(pk__in=dataset_ids) if dataset_ids else Dataset.objects.none()
    return {"results": list(results), "datasets": list(datasets)}


def case_study_facets_of(page: CaseStudyPage) -> dict:
    """The page's themes, SDG goals, methods and countries, each linking back to the filtered index."""
    goals = {}
    for target in page.sdg_targets.all().select_related("goal"):
        goals[target.goal.number] = target.goal
    return {
        "themes": list(page.themes.all()),
        "goals": [goals[n] for n in sorted(goals)],
        "methods": list(page.methods.all().select_related("page")),
        "countries": list(page.countries.all()),
    }


def case_studies_listing(params) -> dict:
    """Everything /case-studies/ shows: one page of matching case studies, facets with counts, active filters."""
    return CASE_STUDIES.listing(params).context(page_name="case_studies", card_rendition=CARD_RENDITION)
