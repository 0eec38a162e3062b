"""Reads of case studies: live, public pages; the /case-studies/ facets as one FilterSet.

Each facet counts the case studies that match every *other* active filter (one aggregate
query per facet, whatever the number of case studies), like the /calls/ facets.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wagtail.images import get_image_model

import django_filters

from hub.forms import Facet, FacetOption
from projects.models import CaseStudyPage, Dataset, Region, Result

PAGE_SIZE = 12
CARD_RENDITION = "fill-640x360"
FACETS = ("theme", "sdg", "method", "region")


class CaseStudyFilter(django_filters.FilterSet):
    """Facets of the public case-studies listing; unknown values are ignored rather than refused."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search titles and summaries"))
    theme = django_filters.CharFilter(field_name="themes__slug", label=_("Human-rights theme"), distinct=True)
    sdg = django_filters.NumberFilter(field_name="sdg_targets__goal__number", label=_("SDG"), distinct=True)
    method = django_filters.CharFilter(field_name="methods__slug", label=_("Method"), distinct=True)
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))

    class Meta:
        model = CaseStudyPage
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value)) if value else queryset


def case_studies_public() -> QuerySet[CaseStudyPage]:
    """Live case studies readers may see, newest first."""
    return CaseStudyPage.objects.live().public().order_by("-first_published_at", "-pk")


def _for_cards(queryset: QuerySet[CaseStudyPage]) -> QuerySet[CaseStudyPage]:
    images = get_image_model().objects.prefetch_renditions(CARD_RENDITION)
    return queryset.select_related("partnership").prefetch_related(Prefetch("image", queryset=images), "themes")


def featured_case_studies(limit: int = 3) -> list[CaseStudyPage]:
    """Featured case studies for the home page, newest first."""
    return list(case_studies_public().filter(featured=True)[:limit])


def _without(params, name: str) -> dict:
    return {key: params.get(key) for key in params if key not in (name, "page")}


def _vocabulary_counts(queryset: QuerySet, value: str, label: str) -> list[tuple[str, str, int]]:
    rows = (
        queryset.order_by()
        .filter(**{f"{value}__isnull": False})
        .values(value, label)
        .annotate(n=Count("pk", distinct=True))
        .order_by(label)
    )
    return [(str(row[value]), str(row[label]), row["n"]) for row in rows]


def _facet_rows(name: str, queryset: QuerySet) -> list[tuple[str, str, int]]:
    if name == "theme":
        return _vocabulary_counts(queryset, "themes__slug", "themes__name")
    if name == "method":
        return _vocabulary_counts(queryset, "methods__slug", "methods__name")
    if name == "sdg":
        rows = (
            queryset.order_by()
            .filter(sdg_targets__isnull=False)
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
    if name == "region":
        labels = dict(Region.choices)
        rows = queryset.order_by().exclude(region="").values("region").annotate(n=Count("pk")).order_by("region")
        return [(r["region"], str(labels.get(r["region"], r["region"])), r["n"]) for r in rows]
    raise ValueError(name)


def case_study_facets(params, base: QuerySet) -> list[Facet]:
    """Each facet's values with how many case studies match them and every other active filter."""
    facets = []
    for name in FACETS:
        others = CaseStudyFilter(_without(params, name), queryset=base)
        current = str(params.get(name) or "")
        options = [FacetOption(v, label, n, v == current) for v, label, n in _facet_rows(name, others.qs)]
        if current and not any(o.selected for o in options):
            options.append(FacetOption(current, current, 0, True))
        facets.append(Facet(name, str(CaseStudyFilter.base_filters[name].label), options))
    return facets


def case_studies_filtered(params) -> tuple[CaseStudyFilter, QuerySet[CaseStudyPage], list[Facet]]:
    """The public case studies matching ``params`` (a QueryDict), ready for cards, and the facets."""
    base = case_studies_public()  # built once: ``public()`` looks up view restrictions when created
    filterset = CaseStudyFilter(params, queryset=base)
    return filterset, _for_cards(filterset.qs), case_study_facets(params, base)


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


# Most to least narrowing, for the empty state's "remove this filter" suggestion.
RESTRICTIVENESS = ("q", "method", "sdg", "theme", "region")


def _query_without(params, name: str) -> str:
    kept = params.copy()
    for key in (name, "page"):
        kept.pop(key, None)
    return kept.urlencode()


def case_studies_listing(params) -> dict:
    """Everything /case-studies/ shows: one page of matching case studies, facets with counts, active filters."""
    filterset, queryset, facets = case_studies_filtered(params)
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    by_name = {facet.name: facet for facet in facets}
    chips = []
    for name in RESTRICTIVENESS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if name in by_name:
            selected = by_name[name].selected
            label, shown = by_name[name].label, selected.label if selected else value
        else:
            label, shown = str(_("Search")), value
        chips.append({"name": name, "label": label, "value": shown, "remove": _query_without(params, name)})
    return {
        "filter": filterset,
        "facets": facets,
        "case_studies": page,
        "chips": chips,
        "widen": chips[0] if chips else None,
        "card_rendition": CARD_RENDITION,
    }
