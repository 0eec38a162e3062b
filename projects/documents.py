"""What search indexes of the results commons, each through its public rule.

Partnerships: ``Partnership.objects.public()``; results: ``Result.objects.public()`` (no drafts,
embargoes or takedowns; ``search_reconcile`` adds results whose embargo ended today); datasets:
``Dataset.objects.public()`` and only their metadata (title, description, column names), never
a row of their contents; indicators: all; methods and case studies: live public pages.
"""

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from hub.search.elastic import BridgesDocument, index_alias
from hub.search.registry import Entry, SearchType, plain, register, sdg_goals, url_of
from hub.search.signals import enqueue
from hub.translation import originals, translated_texts
from projects.models import (
    CaseStudyPage,
    Dataset,
    Indicator,
    MethodPage,
    Partnership,
    ResearchNeed,
    Result,
    ResultAuthor,
)


class PartnershipDocument(BridgesDocument):
    class Index:
        name = index_alias("partnership")


class ResultDocument(BridgesDocument):
    class Index:
        name = index_alias("result")


class DatasetDocument(BridgesDocument):
    class Index:
        name = index_alias("dataset")


class IndicatorDocument(BridgesDocument):
    class Index:
        name = index_alias("indicator")


class MethodDocument(BridgesDocument):
    class Index:
        name = index_alias("method")


class CaseStudyDocument(BridgesDocument):
    class Index:
        name = index_alias("case_study")


class NeedDocument(BridgesDocument):
    class Index:
        name = index_alias("need")


def _country(organisation) -> list[str]:
    return [organisation.country.code] if organisation is not None and organisation.country_id else []


def public_partnerships():
    return (
        Partnership.objects.public()
        .select_related("city__country")
        .prefetch_related("themes", "sdg_targets", "methods")
    )


def partnership_entry(partnership: Partnership) -> Entry:
    year = partnership.started_at or partnership.created_at
    return Entry(
        title=partnership.title,
        url=url_of(partnership, f"/partnerships/{partnership.slug}/"),
        body=plain(partnership.summary, partnership.description, partnership.city.name if partnership.city else ""),
        year=year.year if year else None,
        facets={
            "theme": [t.slug for t in partnership.themes.all()],
            "sdg": sdg_goals(partnership.sdg_targets.all()),
            "method": [m.slug for m in partnership.methods.all()],
            "country": _country(partnership.city),
        },
    )


def public_results():
    return (
        Result.objects.public()
        .select_related("language", "partnership__city__country")
        .prefetch_related("themes", "sdg_targets", "methods", "authors")
    )


def result_entry(result: Result) -> Entry:
    when = result.publication_date or result.public_since
    return Entry(
        title=result.title,
        url=url_of(result, f"/results/{result.slug}/"),
        body=plain(result.abstract, ", ".join(a.name for a in result.authors.all())),
        language=result.language.code if result.language else "",
        year=when.year if when else None,
        facets={
            "theme": [t.slug for t in result.themes.all()],
            "sdg": sdg_goals(result.sdg_targets.all()),
            "method": [m.slug for m in result.methods.all()],
            "country": _country(result.partnership.city),
        },
    )


def public_datasets():
    return Dataset.objects.public().prefetch_related("themes", "sdg_targets", "countries")


def dataset_entry(dataset: Dataset) -> Entry:
    columns = [str(column.get("name", "")) for column in dataset.schema or [] if isinstance(column, dict)]
    when = dataset.period_end or dataset.published_at
    return Entry(
        title=dataset.title,
        url=url_of(dataset, f"/data/{dataset.slug}/"),
        body=plain(dataset.description, " ".join(columns)),
        year=when.year if when else None,
        facets={
            "theme": [t.slug for t in dataset.themes.all()],
            "sdg": sdg_goals(dataset.sdg_targets.all()),
            "country": [c.code for c in dataset.countries.all()],
        },
    )


def public_indicators():
    return Indicator.objects.select_related("theme", "sdg_indicator")


def indicator_entry(indicator: Indicator) -> Entry:
    return Entry(
        title=indicator.title,
        url=url_of(indicator, f"/data/indicators/{indicator.slug}/"),
        body=plain(indicator.definition, indicator.unit, indicator.get_type_display()),
        facets={
            "theme": [indicator.theme.slug],
            "sdg": [indicator.sdg_indicator.code.split(".")[0]] if indicator.sdg_indicator else [],
        },
    )


def public_methods():
    return originals(MethodPage.objects.live().public()).select_related("method")


def method_entry(page: MethodPage) -> Entry:
    return Entry(
        title=page.title,
        url=page.url or page.url_path,
        body=plain(page.summary, page.what_it_is, page.when_to_use, page.steps, page.ethics, *translated_texts(page)),
        facets={"method": [page.method.slug] if page.method else []},
    )


def public_case_studies():
    return originals(CaseStudyPage.objects.live().public()).prefetch_related(
        "themes", "sdg_targets", "methods", "countries"
    )


def case_study_entry(page: CaseStudyPage) -> Entry:
    return Entry(
        title=page.title,
        url=page.url or page.url_path,
        body=plain(
            page.summary, page.context, page.method_text, page.what_changed, page.lessons, *translated_texts(page)
        ),
        year=page.first_published_at.year if page.first_published_at else None,
        facets={
            "theme": [t.slug for t in page.themes.all()],
            "sdg": sdg_goals(page.sdg_targets.all()),
            "method": [m.slug for m in page.methods.all()],
            "country": [c.code for c in page.countries.all()],
        },
    )


def public_needs():
    """Research needs that a coordinator has not hidden (``ResearchNeed.objects.public()``)."""
    return (
        ResearchNeed.objects.public()
        .select_related("city__country")
        .prefetch_related("themes", "sdg_targets", "groups")
    )


def need_entry(need: ResearchNeed) -> Entry:
    return Entry(
        title=need.title,
        url=url_of(need, f"/needs/{need.pk}/"),
        body=plain(need.situation, need.missing_evidence, need.city.name, ", ".join(g.name for g in need.groups.all())),
        year=need.created_at.year if need.created_at else None,
        facets={
            "theme": [t.slug for t in need.themes.all()],
            "sdg": sdg_goals(need.sdg_targets.all()),
            "country": _country(need.city),
        },
    )


_M2M = ("themes", "sdg_targets", "methods")
for search_type in (
    SearchType(
        "partnership",
        _("Partnership"),
        _("Partnerships"),
        Partnership,
        public_partnerships,
        partnership_entry,
        PartnershipDocument,
        m2m_fields=_M2M,
        order=40,
    ),
    SearchType(
        "result",
        _("Result"),
        _("Results"),
        Result,
        public_results,
        result_entry,
        ResultDocument,
        m2m_fields=_M2M,
        order=50,
    ),
    SearchType(
        "dataset",
        _("Dataset"),
        _("Datasets"),
        Dataset,
        public_datasets,
        dataset_entry,
        DatasetDocument,
        m2m_fields=("themes", "sdg_targets", "countries"),
        order=60,
    ),
    SearchType(
        "indicator",
        _("Indicator"),
        _("Indicators"),
        Indicator,
        public_indicators,
        indicator_entry,
        IndicatorDocument,
        order=70,
    ),
    SearchType(
        "method",
        _("Method"),
        _("Methods"),
        MethodPage,
        public_methods,
        method_entry,
        MethodDocument,
        is_page=True,
        order=80,
    ),
    SearchType(
        "case_study",
        _("Case study"),
        _("Case studies"),
        CaseStudyPage,
        public_case_studies,
        case_study_entry,
        CaseStudyDocument,
        is_page=True,
        order=90,
    ),
    SearchType(
        "need",
        _("Research need"),
        _("Research needs"),
        ResearchNeed,
        public_needs,
        need_entry,
        NeedDocument,
        m2m_fields=("themes", "sdg_targets", "groups"),
        order=95,
    ),
):
    register(search_type)


def _reindex_result_of(sender, instance, raw=False, **kwargs):
    """Authors are part of a result's entry."""
    if not raw and instance.result_id:
        result = Result.objects.filter(pk=instance.result_id).first()
        if result is not None:
            enqueue(result)


post_save.connect(_reindex_result_of, sender=ResultAuthor, dispatch_uid="search.result.author.save")
post_delete.connect(_reindex_result_of, sender=ResultAuthor, dispatch_uid="search.result.author.delete")
