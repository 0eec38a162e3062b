"""Open data API: partnerships, results, datasets (rows of open ones), indicators with observations, methods,
case studies and policy uptake. Each type uses its model's ``public()`` rule or its area's public selector."""

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from wagtail.rich_text import expand_db_html

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from hub.api.filtering import filter_data, filtered
from hub.api.pagination import HarvestParams, ListParams, page_link, page_schema, paginate, since
from hub.api.params import CountryCode, Ref, by_ref
from hub.api.schemas import (
    ERRORS,
    CountryRef,
    Detail,
    OrganisationRef,
    SDGTargetRef,
    Term,
    countries,
    object_url,
    organisation_ref,
    page_url,
    sdg_prefetch,
    sdg_targets,
    terms,
)
from hub.public_address import absolute_url
from projects.models import (
    CaseStudyPage,
    Dataset,
    Indicator,
    MethodPage,
    MethodTool,
    Partnership,
    PartnershipMember,
    PolicyUptake,
    Region,
    Result,
    ResultAuthor,
)

router = Router()


def _matching(queryset: QuerySet, model, **lookup) -> QuerySet:
    # A subquery: filtering through a many-to-many join would repeat rows.
    return queryset.filter(pk__in=model.objects.filter(**lookup).values("pk"))


def _facets(queryset: QuerySet, filters: Schema, *, sdg_lookup: str = "sdg_targets__goal__number") -> QuerySet:
    """The shared vocabulary facets (theme, sdg, method, group, country) that a parameter set declares."""
    model = queryset.model
    values = filters.dict(exclude_none=True)
    lookups = {
        "theme": "themes__slug",
        "method": "methods__slug",
        "group": "groups__slug",
        "country": "countries__code__iexact",
        "sdg": sdg_lookup,
    }
    for name, lookup in lookups.items():
        if name in values:
            queryset = _matching(queryset, model, **{lookup: values[name]})
    return queryset


class FacetParams(HarvestParams):
    q: str | None = Field(None, max_length=200, description="Words in the title or summary.")
    theme: str | None = Field(None, max_length=80, description="Human-rights theme slug.")
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")


def _partnership_ref(partnership: Partnership | None) -> dict | None:
    if partnership is None or not partnership.is_public:
        return None
    return {"id": partnership.pk, "slug": partnership.slug, "title": partnership.title}


class PartnershipRef(Schema):
    id: int
    slug: str
    title: str


# Partnerships ---------------------------------------------------------------------------------------------------


class PartnershipFilters(FacetParams):
    method: str | None = Field(None, max_length=80, description="Method slug.")
    group: str | None = Field(None, max_length=80, description="Group-in-focus slug.")
    city: str | None = Field(None, max_length=200, description="Slug of the city's organisation.")
    status: Literal[tuple(Partnership.Status.values)] | None = None
    origin: Literal[tuple(Partnership.Origin.values)] | None = None


class MemberOut(Schema):
    name: str
    role: str
    side: str
    organisation: OrganisationRef | None
    affiliation: str
    country: str | None


class PartnershipOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    summary: str
    description: str
    origin: str
    status: str
    call_id: int | None
    city: OrganisationRef | None
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    members: list[MemberOut]
    website: str | None
    started_at: dt.date | None
    ended_at: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


PartnershipPage = page_schema(PartnershipOut, "PartnershipList")


def partnerships_for_api() -> QuerySet[Partnership]:
    """The public partnerships the API and the CSV exports read, with what their serialiser needs."""
    return (
        Partnership.objects.public()
        .select_related("city")
        .prefetch_related(
            "themes",
            sdg_prefetch(),
            "methods",
            "groups",
            Prefetch("members", queryset=PartnershipMember.objects.select_related("organisation", "country")),
        )
    )


def serialize_partnership(request: HttpRequest, partnership: Partnership) -> dict:
    """One partnership as the open data API and the CSV exports give it."""
    call = partnership.call_id
    return {
        "id": partnership.pk,
        "url": object_url(request, partnership),
        "title": partnership.title,
        "slug": partnership.slug,
        "summary": partnership.summary,
        "description": partnership.description,
        "origin": partnership.origin,
        "status": partnership.status,
        "call_id": call,
        "city": organisation_ref(partnership.city),
        "themes": terms(partnership.themes.all()),
        "sdg_targets": sdg_targets(partnership.sdg_targets.all()),
        "methods": terms(partnership.methods.all()),
        "groups": terms(partnership.groups.all()),
        "members": [
            {
                "name": m.name,
                "role": m.role,
                "side": m.side,
                "organisation": organisation_ref(m.organisation)
                if m.organisation and m.organisation.verified
                else None,
                "affiliation": m.affiliation,
                "country": m.country.code if m.country else None,
            }
            for m in partnership.members.all()
        ],
        "website": partnership.website or None,
        "started_at": partnership.started_at,
        "ended_at": partnership.ended_at,
        "created_at": partnership.created_at,
        "updated_at": partnership.updated_at,
    }


@router.get(
    "/partnerships/", response={200: PartnershipPage, **ERRORS}, summary="List partnerships", tags=["Partnerships"]
)
def partnership_list(request: HttpRequest, filters: Query[PartnershipFilters]):
    """Public partnerships, by id."""
    queryset = _facets(partnerships_for_api(), filters)
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(summary__icontains=filters.q))
    if filters.city:
        queryset = queryset.filter(city__slug=filters.city)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.origin:
        queryset = queryset.filter(origin=filters.origin)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda p: serialize_partnership(request, p))


@router.get(
    "/partnerships/{ref}",
    response={200: PartnershipOut, **ERRORS},
    summary="One partnership, by id or slug",
    tags=["Partnerships"],
)
def partnership_detail(request: HttpRequest, ref: Ref):
    partnership = partnerships_for_api().filter(**by_ref(ref)).first()
    if partnership is None:
        raise Http404("No public partnership with this id or slug.")
    return serialize_partnership(request, partnership)


# Results --------------------------------------------------------------------------------------------------------


class ResultFilters(FacetParams):
    method: str | None = Field(None, max_length=80, description="Method slug.")
    group: str | None = Field(None, max_length=80, description="Group-in-focus slug.")
    kind: Literal[tuple(Result.Kind.values)] | None = None
    city: str | None = Field(None, max_length=200, description="Slug of the commissioning city's organisation.")
    partnership: str | None = Field(None, max_length=200, description="Slug of the partnership.")


class AuthorOut(Schema):
    name: str
    affiliation: str


class CityResponseOut(Schema):
    city: OrganisationRef | None
    stance: str
    reasons: str
    reply: str
    responded_at: dt.datetime | None


class ResultOut(Schema):
    id: int
    url: str | None
    kind: str
    title: str
    slug: str
    abstract: str
    language: str | None
    licence: str
    doi: str | None
    link: str | None
    publication_date: dt.date | None
    public_since: dt.date | None
    partnership: PartnershipRef | None
    authors: list[AuthorOut]
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    city_response: CityResponseOut
    updated_at: dt.datetime


ResultPage = page_schema(ResultOut, "ResultList")


def _public_results() -> QuerySet[Result]:
    return Result.objects.public()


def results_for_api() -> QuerySet[Result]:
    """The public results the API and the CSV exports read, with what their serialiser needs."""
    return (
        _public_results()
        .select_related("language", "partnership", "city_response", "city_response__city")
        .prefetch_related(
            "themes",
            sdg_prefetch(),
            "methods",
            "groups",
            Prefetch("authors", queryset=ResultAuthor.objects.order_by("sort_order", "pk")),
        )
    )


def _city_response(result: Result) -> dict:
    response = getattr(result, "city_response", None)
    if response is None:
        return {"city": None, "stance": "pending", "reasons": "", "reply": "", "responded_at": None}
    return {
        "city": organisation_ref(response.city),
        "stance": response.stance,
        "reasons": response.reasons,
        "reply": response.reply,
        "responded_at": response.responded_at,
    }


def serialize_result(request: HttpRequest, result: Result) -> dict:
    """One result as the open data API and the CSV exports give it."""
    return {
        "id": result.pk,
        "url": object_url(request, result),
        "kind": result.kind,
        "title": result.title,
        "slug": result.slug,
        "abstract": result.abstract,
        "language": result.language.code if result.language else None,
        "licence": result.licence,
        "doi": result.doi or None,
        "link": result.url or None,
        "publication_date": result.publication_date,
        "public_since": result.public_since,
        "partnership": _partnership_ref(result.partnership),
        "authors": [{"name": a.name, "affiliation": a.affiliation} for a in result.authors.all()],
        "themes": terms(result.themes.all()),
        "sdg_targets": sdg_targets(result.sdg_targets.all()),
        "methods": terms(result.methods.all()),
        "groups": terms(result.groups.all()),
        "city_response": _city_response(result),
        "updated_at": result.updated_at,
    }


@router.get("/results/", response={200: ResultPage, **ERRORS}, summary="List published results", tags=["Results"])
def result_list(request: HttpRequest, filters: Query[ResultFilters]):
    """Published results past their embargo (no drafts, nothing taken down), by id."""
    queryset = _facets(results_for_api(), filters)
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(abstract__icontains=filters.q))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.city:
        queryset = queryset.filter(partnership__city__slug=filters.city)
    if filters.partnership:
        queryset = queryset.filter(partnership__slug=filters.partnership, partnership__is_public=True)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda r: serialize_result(request, r))


@router.get(
    "/results/{ref}", response={200: ResultOut, **ERRORS}, summary="One result, by id or slug", tags=["Results"]
)
def result_detail(request: HttpRequest, ref: Ref):
    result = results_for_api().filter(**by_ref(ref)).first()
    if result is None:
        raise Http404("No published result with this id or slug.")
    return serialize_result(request, result)


# Datasets -------------------------------------------------------------------------------------------------------


class DatasetFilters(FacetParams):
    group: str | None = Field(None, max_length=80, description="Group-in-focus slug.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    access_level: Literal[tuple(Dataset.AccessLevel.values)] | None = None
    partnership: str | None = Field(None, max_length=200, description="Slug of the partnership.")


class ColumnOut(Schema):
    name: str
    type: str
    description: str = ""
    is_count: bool = False


class DatasetOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    description: str
    licence: str
    provenance: str
    access_level: str
    is_open: bool
    rows_url: str | None
    personal_data: str
    personal_data_note: str
    disaggregations: list[str]
    columns: list[ColumnOut]
    row_count: int
    period_start: dt.date | None
    period_end: dt.date | None
    partnership: PartnershipRef | None
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    groups: list[Term]
    countries: list[CountryRef]
    published_at: dt.datetime | None
    updated_at: dt.datetime


DatasetPage = page_schema(DatasetOut, "DatasetList")


def datasets_for_api() -> QuerySet[Dataset]:
    """The public datasets the API and the CSV exports read, with what their serialiser needs."""
    return (
        Dataset.objects.public()
        .select_related("partnership")
        .prefetch_related("themes", sdg_prefetch(), "groups", "countries")
    )


def _columns(schema: Any) -> list[dict]:
    columns = []
    for column in schema if isinstance(schema, list) else []:
        if isinstance(column, dict) and column.get("name"):
            columns.append(
                {
                    "name": str(column["name"]),
                    "type": str(column.get("type") or "string"),
                    "description": str(column.get("description") or ""),
                    "is_count": bool(column.get("is_count")),
                }
            )
    return columns


def serialize_dataset(request: HttpRequest, dataset: Dataset) -> dict:
    """One dataset as the open data API and the CSV exports give it."""
    rows_url = absolute_url(f"/api/v1/datasets/{dataset.pk}/rows") if dataset.is_open else None
    return {
        "id": dataset.pk,
        "url": object_url(request, dataset),
        "title": dataset.title,
        "slug": dataset.slug,
        "description": dataset.description,
        "licence": dataset.licence,
        "provenance": dataset.provenance,
        "access_level": dataset.access_level,
        "is_open": dataset.is_open,
        "rows_url": rows_url,
        "personal_data": dataset.personal_data,
        "personal_data_note": dataset.personal_data_note,
        "disaggregations": [str(d) for d in dataset.disaggregations or []],
        "columns": _columns(dataset.schema),
        "row_count": dataset.row_count,
        "period_start": dataset.period_start,
        "period_end": dataset.period_end,
        "partnership": _partnership_ref(dataset.partnership),
        "themes": terms(dataset.themes.all()),
        "sdg_targets": sdg_targets(dataset.sdg_targets.all()),
        "groups": terms(dataset.groups.all()),
        "countries": countries(dataset.countries.all()),
        "published_at": dataset.published_at,
        "updated_at": dataset.updated_at,
    }


@router.get("/datasets/", response={200: DatasetPage, **ERRORS}, summary="List published datasets", tags=["Datasets"])
def dataset_list(request: HttpRequest, filters: Query[DatasetFilters]):
    """Metadata of published datasets (whatever their access level), by id; rows of open ones at ``rows_url``."""
    queryset = _facets(datasets_for_api(), filters)
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.access_level:
        queryset = queryset.filter(access_level=filters.access_level)
    if filters.partnership:
        queryset = queryset.filter(partnership__slug=filters.partnership, partnership__is_public=True)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda d: serialize_dataset(request, d))


@router.get(
    "/datasets/{ref}", response={200: DatasetOut, **ERRORS}, summary="One dataset, by id or slug", tags=["Datasets"]
)
def dataset_detail(request: HttpRequest, ref: Ref):
    dataset = datasets_for_api().filter(**by_ref(ref)).first()
    if dataset is None:
        raise Http404("No published dataset with this id or slug.")
    return serialize_dataset(request, dataset)


class RowsPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None = None
    previous: str | None = None
    columns: list[str]
    suppressed_below: int
    results: list[dict[str, Any]]


@router.get(
    "/datasets/{ref}/rows",
    response={200: RowsPage, 403: Detail, **ERRORS},
    summary="Rows of an open dataset (small counts suppressed)",
    tags=["Datasets"],
)
def dataset_rows(request: HttpRequest, ref: Ref, params: Query[ListParams]):
    """The rows of an open dataset; counts below the threshold are ``null``. Other datasets answer 403."""
    from projects import datasets_io

    dataset = get_object_or_404(Dataset.objects.public(), **by_ref(ref))
    if not dataset.is_open:
        raise HttpError(403, "This dataset is not open: only its description is public.")
    offset = (params.page - 1) * params.page_size
    rows = datasets_io.public_rows(dataset, offset=offset, limit=params.page_size)
    return _rows_page(request, dataset, params, rows)


def _rows_page(request: HttpRequest, dataset: Dataset, params: ListParams, rows) -> dict:
    from projects import datasets_io

    count = dataset.row_count
    pages = max(1, math.ceil(count / params.page_size))
    kinds = {c["name"]: c["type"] for c in _columns(dataset.schema)}
    names = list(kinds) or datasets_io.header_of(dataset)
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "pages": pages,
        "next": page_link(request, params.page + 1) if params.page < pages else None,
        "previous": page_link(request, params.page - 1) if 1 < params.page <= pages else None,
        "columns": names,
        "suppressed_below": datasets_io.threshold_of(dataset),
        "results": [
            {name: datasets_io.typed(value, kinds.get(name, "string")) for name, value in row.items()} for row in rows
        ],
    }


# Indicators and observations ------------------------------------------------------------------------------------


class IndicatorFilters(HarvestParams):
    """The facets of /data/indicators/."""

    q: str | None = Field(None, max_length=200, description="Words in the title or definition.")
    theme: str | None = Field(None, max_length=80, description="Human-rights theme slug.")
    type: Literal[tuple(Indicator.Type.values)] | None = None
    obligation: Literal[tuple(Indicator.Obligation.values)] | None = None
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")
    group: str | None = Field(None, max_length=80, description="Group-at-risk slug.")
    city: str | None = Field(None, max_length=200, description="Slug of a city with data.")


class IndicatorOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    type: str
    obligation: str
    theme: Term
    sdg_indicator: str | None
    groups: list[Term]
    unit: str
    value_is_count: bool
    definition: str
    disaggregations: list[str]
    observations_url: str
    updated_at: dt.datetime


IndicatorPage = page_schema(IndicatorOut, "IndicatorList")


def indicators_for_api() -> QuerySet[Indicator]:
    """The public indicators the API and the CSV exports read, with what their serialiser needs."""
    from projects.selectors.indicators import indicators_public

    return indicators_public().prefetch_related("groups")


def serialize_indicator(request: HttpRequest, indicator: Indicator) -> dict:
    """One indicator as the open data API and the CSV exports give it."""
    return {
        "id": indicator.pk,
        "url": object_url(request, indicator),
        "title": indicator.title,
        "slug": indicator.slug,
        "type": indicator.type,
        "obligation": indicator.obligation,
        "theme": {"slug": indicator.theme.slug, "name": indicator.theme.name},
        "sdg_indicator": indicator.sdg_indicator.code if indicator.sdg_indicator else None,
        "groups": terms(indicator.groups.all()),
        "unit": indicator.unit,
        "value_is_count": indicator.value_is_count,
        "definition": indicator.definition,
        "disaggregations": [str(d) for d in indicator.disaggregations or []],
        "observations_url": absolute_url(f"/api/v1/indicators/{indicator.pk}/observations"),
        "updated_at": indicator.updated_at,
    }


@router.get("/indicators/", response={200: IndicatorPage, **ERRORS}, summary="List indicators", tags=["Indicators"])
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]):
    """Human-rights indicators, by id; the filters are the facets of /data/indicators/."""
    from projects.selectors.indicators import IndicatorFilter

    queryset = filtered(IndicatorFilter(filter_data(filters), queryset=indicators_for_api()))
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda i: serialize_indicator(request, i))


@router.get(
    "/indicators/{ref}",
    response={200: IndicatorOut, **ERRORS},
    summary="One indicator, by id or slug",
    tags=["Indicators"],
)
def indicator_detail(request: HttpRequest, ref: Ref):
    indicator = indicators_for_api().filter(**by_ref(ref)).first()
    if indicator is None:
        raise Http404("No indicator with this id or slug.")
    return serialize_indicator(request, indicator)


class ObservationFilters(ListParams):
    city: str | None = Field(None, max_length=200, description="Slug of the city's organisation.")
    period: str | None = Field(None, max_length=16, description="Period, e.g. 2023, 2023-Q2 or 2023-05.")
    total_only: bool = Field(False, description="Only totals (no disaggregated values).")


class ObservationOut(Schema):
    id: int
    city: OrganisationRef
    period: str
    period_start: dt.date
    value: Decimal | None
    suppressed: bool
    disaggregation: dict[str, str]
    source_dataset_id: int | None
    note: str


ObservationPage = page_schema(ObservationOut, "ObservationList")


@router.get(
    "/indicators/{ref}/observations",
    response={200: ObservationPage, **ERRORS},
    summary="Observations of an indicator (small counts suppressed)",
    tags=["Indicators"],
)
def indicator_observations(request: HttpRequest, ref: Ref, filters: Query[ObservationFilters]):
    """Public observations, by id; for indicators that count people, values below the threshold — and values from
    which one could be worked out with the total and other breakdowns — are ``null`` with ``suppressed: true``."""
    from projects.selectors.indicators import hidden_observation_ids, observations_public

    indicator = get_object_or_404(Indicator.objects.all(), **by_ref(ref))
    hidden: set[int] = set()
    queryset = observations_public().filter(indicator=indicator).select_related("city", "source_dataset")
    if filters.city:
        queryset = queryset.filter(city__slug=filters.city)
    if filters.period:
        queryset = queryset.filter(period=filters.period)
    if filters.total_only:
        queryset = queryset.filter(disaggregation_key="")

    def protect(page: list) -> list:
        # Decided on the whole tables of the page, whatever the filters and paging left out of it.
        hidden.update(hidden_observation_ids(indicator=indicator, observations=page))
        return page

    def serialize(observation) -> dict:
        dataset = observation.source_dataset
        return {
            "id": observation.pk,
            "city": organisation_ref(observation.city),
            "period": observation.period,
            "period_start": observation.period_start,
            "value": None if observation.pk in hidden else observation.value,
            "suppressed": observation.pk in hidden,
            "disaggregation": {str(k): str(v) for k, v in (observation.disaggregation or {}).items()},
            "source_dataset_id": dataset.pk if dataset is not None else None,
            "note": observation.note,
        }

    return paginate(request, queryset.order_by("pk"), filters, serialize, prepare=protect)


# Methods --------------------------------------------------------------------------------------------------------


class MethodFilters(HarvestParams):
    q: str | None = Field(None, max_length=200, description="Words in the title or summary.")


class StepOut(Schema):
    title: str
    description: str


class ToolOut(Schema):
    kind: str
    title: str
    description: str
    url: str | None


class MethodOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    method: Term | None
    summary: str
    what_it_is: str
    when_to_use: str
    steps: list[StepOut]
    ethics: str
    tools: list[ToolOut]
    proposed_by: PartnershipRef | None
    last_published_at: dt.datetime | None


MethodPageOut = page_schema(MethodOut, "MethodList")


def methods_for_api() -> QuerySet[MethodPage]:
    """The public methods the API and the CSV exports read, with what their serialiser needs."""
    return (
        MethodPage.objects.live()
        .public()
        .select_related("method", "proposed_by")
        .prefetch_related(Prefetch("tools", queryset=MethodTool.objects.select_related("document")))
    )


def _tool_url(request: HttpRequest, tool: MethodTool) -> str | None:
    if tool.document is not None:
        return absolute_url(tool.document.url)
    return tool.url or None


def serialize_method(request: HttpRequest, page: MethodPage) -> dict:
    """One method as the open data API and the CSV exports give it."""
    return {
        "id": page.pk,
        "url": page_url(request, page),
        "title": page.title,
        "slug": page.slug,
        "method": {"slug": page.method.slug, "name": page.method.name} if page.method else None,
        "summary": page.summary,
        "what_it_is": expand_db_html(page.what_it_is),
        "when_to_use": expand_db_html(page.when_to_use),
        "steps": [
            {"title": step.value["title"], "description": str(step.value["description"])}
            for step in page.steps
            if step.block_type == "step"
        ],
        "ethics": expand_db_html(page.ethics),
        "tools": [
            {"kind": t.kind, "title": t.title, "description": t.description, "url": _tool_url(request, t)}
            for t in page.tools.all()
        ],
        "proposed_by": _partnership_ref(page.proposed_by),
        "last_published_at": page.last_published_at,
    }


@router.get("/methods/", response={200: MethodPageOut, **ERRORS}, summary="List methods", tags=["Methods"])
def method_list(request: HttpRequest, filters: Query[MethodFilters]):
    """Live pages of the methods library, by id."""
    queryset = methods_for_api()
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(summary__icontains=filters.q))
    if filters.updated_since:
        queryset = queryset.filter(last_published_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda m: serialize_method(request, m))


@router.get("/methods/{int:method_id}", response={200: MethodOut, **ERRORS}, summary="One method", tags=["Methods"])
def method_detail(request: HttpRequest, method_id: int):
    page = methods_for_api().filter(pk=method_id).first()
    if page is None:
        raise Http404("No published method with this id.")
    return serialize_method(request, page)


# Case studies ---------------------------------------------------------------------------------------------------


class CaseStudyFilters(FacetParams):
    method: str | None = Field(None, max_length=80, description="Method slug.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    region: Literal[tuple(Region.values)] | None = None
    featured: bool | None = None


class CaseStudyOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    summary: str
    partnership: PartnershipRef | None
    context: str
    method: str
    what_changed: str
    lessons: str
    result_ids: list[int]
    dataset_ids: list[int]
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    countries: list[CountryRef]
    region: str
    featured: bool
    last_published_at: dt.datetime | None


CaseStudyPageOut = page_schema(CaseStudyOut, "CaseStudyList")


def case_studies_for_api() -> QuerySet[CaseStudyPage]:
    """The public case studies the API and the CSV exports read, with what their serialiser needs."""
    return (
        CaseStudyPage.objects.live()
        .public()
        .select_related("partnership")
        .prefetch_related(
            Prefetch("results", queryset=_public_results().only("pk")),
            Prefetch("datasets", queryset=Dataset.objects.public().only("pk")),
            "themes",
            sdg_prefetch(),
            "methods",
            "countries",
        )
    )


def serialize_case_study(request: HttpRequest, page: CaseStudyPage) -> dict:
    """One case study as the open data API and the CSV exports give it."""
    return {
        "id": page.pk,
        "url": page_url(request, page),
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "partnership": _partnership_ref(page.partnership),
        "context": expand_db_html(page.context),
        "method": expand_db_html(page.method_text),
        "what_changed": expand_db_html(page.what_changed),
        "lessons": expand_db_html(page.lessons),
        "result_ids": sorted(r.pk for r in page.results.all()),
        "dataset_ids": sorted(d.pk for d in page.datasets.all()),
        "themes": terms(page.themes.all()),
        "sdg_targets": sdg_targets(page.sdg_targets.all()),
        "methods": terms(page.methods.all()),
        "countries": countries(page.countries.all()),
        "region": page.region,
        "featured": page.featured,
        "last_published_at": page.last_published_at,
    }


@router.get(
    "/case-studies/", response={200: CaseStudyPageOut, **ERRORS}, summary="List case studies", tags=["Case studies"]
)
def case_study_list(request: HttpRequest, filters: Query[CaseStudyFilters]):
    """Live case studies, by id."""
    queryset = _facets(case_studies_for_api(), filters)
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(summary__icontains=filters.q))
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.featured is not None:
        queryset = queryset.filter(featured=filters.featured)
    if filters.updated_since:
        queryset = queryset.filter(last_published_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda c: serialize_case_study(request, c))


@router.get(
    "/case-studies/{int:case_study_id}",
    response={200: CaseStudyOut, **ERRORS},
    summary="One case study",
    tags=["Case studies"],
)
def case_study_detail(request: HttpRequest, case_study_id: int):
    page = case_studies_for_api().filter(pk=case_study_id).first()
    if page is None:
        raise Http404("No published case study with this id.")
    return serialize_case_study(request, page)


# Policy uptake --------------------------------------------------------------------------------------------------


class UptakeFilters(HarvestParams):
    city: str | None = Field(None, max_length=200, description="Slug of the city's organisation.")
    kind: Literal[tuple(PolicyUptake.Kind.values)] | None = None
    theme: str | None = Field(None, max_length=80, description="Theme slug of the result.")
    result: str | None = Field(None, max_length=200, description="Slug of the result.")


class ResultRef(Schema):
    id: int
    slug: str
    title: str
    url: str | None


class UptakeOut(Schema):
    id: int
    url: str | None
    kind: str
    title: str
    date: dt.date
    body: str
    link: str | None
    description: str
    city: OrganisationRef
    result: ResultRef
    city_response: CityResponseOut
    updated_at: dt.datetime


UptakePage = page_schema(UptakeOut, "PolicyUptakeList")


def uptakes_for_api() -> QuerySet[PolicyUptake]:
    """The public uptakes the API and the CSV exports read, with what their serialiser needs."""
    return PolicyUptake.objects.filter(result__in=_public_results()).select_related(
        "city", "result", "result__city_response", "result__city_response__city"
    )


def serialize_uptake(request: HttpRequest, uptake: PolicyUptake) -> dict:
    """One uptake as the open data API and the CSV exports give it."""
    result = uptake.result
    result_url = object_url(request, result)
    return {
        "id": uptake.pk,
        "url": result_url,
        "kind": uptake.kind,
        "title": uptake.title,
        "date": uptake.date,
        "body": uptake.body,
        "link": uptake.link or None,
        "description": uptake.description,
        "city": organisation_ref(uptake.city),
        "result": {"id": result.pk, "slug": result.slug, "title": result.title, "url": result_url},
        "city_response": _city_response(result),
        "updated_at": uptake.updated_at,
    }


@router.get(
    "/policy-uptake/", response={200: UptakePage, **ERRORS}, summary="List policy uptake", tags=["Policy uptake"]
)
def uptake_list(request: HttpRequest, filters: Query[UptakeFilters]):
    """Decisions, plans and budget lines that public results informed, with the city's response, by id."""
    queryset = uptakes_for_api()
    if filters.city:
        queryset = queryset.filter(city__slug=filters.city)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.theme:
        queryset = queryset.filter(result__in=Result.objects.filter(themes__slug=filters.theme).values("pk"))
    if filters.result:
        queryset = queryset.filter(result__slug=filters.result)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda u: serialize_uptake(request, u))


@router.get(
    "/policy-uptake/{int:uptake_id}",
    response={200: UptakeOut, **ERRORS},
    summary="One policy uptake record",
    tags=["Policy uptake"],
)
def uptake_detail(request: HttpRequest, uptake_id: int):
    uptake = uptakes_for_api().filter(pk=uptake_id).first()
    if uptake is None:
        raise Http404("No public policy uptake record with this id.")
    return serialize_uptake(request, uptake)
