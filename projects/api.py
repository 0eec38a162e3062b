"""Open data API: partnerships, results, datasets (rows of open ones), indicators with observations, methods,
case studies, policy uptake and research needs. Each type uses its model's ``public()`` rule or its area's public selector; its
output is a ``ModelSchema`` of the model, its filters the FilterSet of its list page (``hub.api.filtering``)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

import django_filters
from ninja import Field, FilterLookup, FilterSchema, ModelSchema, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from hub.api.filtering import filter_schema
from hub.api.pagination import PagePagination, PageParams, Prepared, envelope
from hub.api.params import Ref, by_ref
from hub.api.schemas import (
    ERRORS,
    OUTPUT,
    CountryRef,
    Detail,
    OrganisationRef,
    SDGTargetRef,
    Term,
    absolute,
    blank_as_none,
    object_url,
    page_url,
    rich_text,
    sdg_prefetch,
    serializer,
)
from hub.public_address import absolute_url
from hub.translation import originals
from projects import datasets_io
from projects.filters import PartnershipFilter
from projects.models import (
    CaseStudyPage,
    CityResponse,
    Dataset,
    ImplementationEntry,
    Indicator,
    MethodPage,
    MethodTool,
    Observation,
    Partnership,
    PartnershipMember,
    PolicyUptake,
    ResearchNeed,
    Result,
    ResultAuthor,
    ResultVersion,
)
from projects.selectors.case_studies import CaseStudyFilter
from projects.selectors.datasets import DatasetFilter
from projects.selectors.indicators import (
    IndicatorFilter,
    hidden_observation_ids,
    indicators_public,
    observations_public,
)
from projects.selectors.lifecycle import (
    REPORT_PUBLIC_FIELDS,
    deliverables_public,
    partnership_life_public,
    reports_delivered_public,
)
from projects.selectors.needs import NeedFilter
from projects.selectors.needs import with_counts as with_need_counts
from projects.selectors.partnerships import partnership_detail_public, partnership_outcomes
from projects.selectors.results import ResultFilter
from projects.selectors.uptake import UptakeFilter

router = Router()


def _url(obj, context) -> str | None:
    return object_url(context["request"], obj)


def _page_url(page, context) -> str | None:
    return page_url(context["request"], page)


def _public_partnership(partnership: Partnership | None) -> Partnership | None:
    return partnership if partnership is not None and partnership.is_public else None


def _slug_of_public_partnership(queryset, name, value):
    return queryset.filter(partnership__slug=value, partnership__is_public=True)


# Filters the API offered before its lists shared the pages' FilterSets; the pages do not (yet) have them.
GROUP = django_filters.CharFilter(field_name="groups__slug", distinct=True)
COUNTRY = django_filters.CharFilter(field_name="countries__code", lookup_expr="iexact", distinct=True)
PARTNERSHIP = django_filters.CharFilter(method=_slug_of_public_partnership)


class PartnershipRef(ModelSchema):
    model_config = OUTPUT

    class Meta:
        model = Partnership
        fields = ["id", "slug", "title"]


class CityResponseOut(ModelSchema):
    """The commissioning city's response to a result (``stance: pending`` until it replies)."""

    city: OrganisationRef | None

    model_config = OUTPUT

    class Meta:
        model = CityResponse
        fields = ["stance", "reasons", "reply", "responded_at"]


NO_RESPONSE = {"city": None, "stance": "pending", "reasons": "", "reply": "", "responded_at": None}


def _city_response(result: Result) -> CityResponse | dict:
    return getattr(result, "city_response", None) or NO_RESPONSE


# Partnerships ---------------------------------------------------------------------------------------------------


PartnershipFilters = filter_schema(
    PartnershipFilter,
    name="PartnershipFilters",
    extra={
        "group": GROUP,
        "origin": django_filters.ChoiceFilter(choices=Partnership.Origin.choices, label="Origin"),
    },
    updated="updated_at",
)


class MemberOut(ModelSchema):
    organisation: OrganisationRef | None
    country: str | None = Field(None, validation_alias="country.code")

    model_config = OUTPUT

    class Meta:
        model = PartnershipMember
        fields = ["name", "role", "side", "affiliation"]

    @staticmethod
    def resolve_organisation(member):
        organisation = member.organisation
        return organisation if organisation is not None and organisation.verified else None


class PartnershipOut(ModelSchema):
    url: str | None
    call_id: int | None
    city: OrganisationRef | None
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    members: list[MemberOut]
    website: str | None

    model_config = OUTPUT

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "slug",
            "summary",
            "description",
            "origin",
            "status",
            "started_at",
            "ended_at",
            "created_at",
            "updated_at",
        ]

    resolve_url = staticmethod(_url)

    resolve_website = blank_as_none("website")


def partnerships_for_api() -> QuerySet[Partnership]:
    """The public partnerships the API and the CSV exports read, with what their schema reads."""
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


serialize_partnership = serializer(PartnershipOut)


@router.get(
    "/partnerships/",
    response={200: list[PartnershipOut], **ERRORS},
    summary="List partnerships",
    tags=["Partnerships"],
)
@paginate(PagePagination)
def partnership_list(request: HttpRequest, filters: Query[PartnershipFilters]):
    """Public partnerships, by id; the filters are the facets of /partnerships/."""
    return filters.filter(partnerships_for_api()).order_by("pk")


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
    return partnership


# A partnership's life (issue 19 §1): status history, reports delivered (not their content), deliverables with
# their progress share, former members and the timeline: what its public page shows.


class StatusChangeOut(Schema):
    status: str
    previous_status: str
    effective_on: dt.date
    reason: str


class ReportDeliveredOut(Schema):
    kind: str
    title: str
    due_date: dt.date
    delivered_on: dt.date


class DeliverableOut(Schema):
    title: str
    status: str
    due_date: dt.date
    delivered_on: dt.date | None
    results: list[str]
    datasets: list[str]


class FormerMemberOut(Schema):
    name: str
    side: str
    role: str
    left_on: dt.date


class TimelineEntryOut(Schema):
    date: dt.date
    kind: str
    title: str
    detail: str
    url: str | None


class ProgressOut(Schema):
    delivered: int
    total: int
    share: float | None


class PartnershipLifeOut(Schema):
    partnership: str
    status: str
    status_reason: str
    status_history: list[StatusChangeOut]
    reports_delivered: list[ReportDeliveredOut]
    deliverables: list[DeliverableOut]
    progress: ProgressOut
    former_members: list[FormerMemberOut]
    timeline: list[TimelineEntryOut]


def _absolute(request: HttpRequest, path: str) -> str | None:
    return absolute_url(path) if path else None


@router.get(
    "/partnerships/{ref}/life",
    response={200: PartnershipLifeOut, **ERRORS},
    summary="A partnership's status history, delivered reports, deliverables and timeline",
    tags=["Partnerships"],
)
def partnership_life(request: HttpRequest, ref: Ref):
    """What the partnership page shows of its life after the award; report contents are never public."""
    partnership = partnership_detail_public().filter(**by_ref(ref)).first()
    if partnership is None:
        raise Http404("No public partnership with this id or slug.")
    outcomes = partnership_outcomes(partnership)
    life = partnership_life_public(partnership, results=outcomes.results, milestones=outcomes.milestones)
    progress = life.progress
    return {
        "partnership": partnership.slug,
        "status": partnership.status,
        "status_reason": life.status_reason,
        "status_history": [
            {
                "status": c.to_status,
                "previous_status": c.from_status,
                "effective_on": c.effective_on,
                "reason": c.reason,
            }
            for c in life.status_changes
        ],
        "reports_delivered": [
            {
                "kind": r.kind,
                "title": r.title,
                "due_date": r.due_date,
                "delivered_on": timezone.localdate(r.submitted_at),
            }
            for r in life.reports_delivered
        ],
        "deliverables": [
            {
                "title": d.title,
                "status": d.status,
                "due_date": d.due_date,
                "delivered_on": d.delivered_on,
                "results": [absolute_url(r.get_absolute_url()) for r in d.public_results],
                "datasets": [absolute_url(x.get_absolute_url()) for x in d.public_datasets],
            }
            for d in life.deliverables
        ],
        "progress": {
            "delivered": progress["delivered"],
            "total": progress["total"],
            "share": None if progress["percent"] is None else progress["delivered"] / progress["total"],
        },
        "former_members": [
            {"name": m.name, "side": m.side, "role": m.role_before, "left_on": timezone.localdate(m.changed_at)}
            for m in life.former_members
        ],
        "timeline": [
            {"date": e.date, "kind": e.kind, "title": e.title, "detail": e.detail, "url": _absolute(request, e.url)}
            for e in life.timeline
        ],
    }


# The same public life as rows of the exports (``partnership_reports.csv``, ``partnership_deliverables.csv``): the
# selectors' one public rule, the fields of the life endpoint above, and the partnership each row belongs to.


class PartnershipReportRowOut(Schema):
    """A report the city accepted, as the partnership page lists it: which, when due, when delivered; no content."""

    id: int
    partnership: PartnershipRef
    partnership_url: str | None
    kind: str
    title: str
    due_date: dt.date
    status: str
    delivered_on: dt.date

    @staticmethod
    def resolve_partnership_url(report, context) -> str | None:
        return _url(report.partnership, context)

    @staticmethod
    def resolve_delivered_on(report) -> dt.date:
        return timezone.localdate(report.submitted_at)


def partnership_reports_for_api() -> QuerySet:
    """The delivered (accepted) reports of public partnerships; their content and the city's comments are not read."""
    return (
        reports_delivered_public()
        .select_related("partnership")
        .only(*REPORT_PUBLIC_FIELDS, "partnership__id", "partnership__slug", "partnership__title")
    )


serialize_partnership_report = serializer(PartnershipReportRowOut)


class PartnershipDeliverableRowOut(Schema):
    """A public deliverable, as the partnership page lists it, with the public results and datasets that deliver it."""

    id: int
    partnership: PartnershipRef
    partnership_url: str | None
    title: str
    status: str
    due_date: dt.date
    delivered_on: dt.date | None
    results: list[str]
    datasets: list[str]

    @staticmethod
    def resolve_partnership_url(deliverable, context) -> str | None:
        return _url(deliverable.partnership, context)

    @staticmethod
    def resolve_results(deliverable) -> list[str]:
        return [absolute_url(r.get_absolute_url()) for r in deliverable.public_results]

    @staticmethod
    def resolve_datasets(deliverable) -> list[str]:
        return [absolute_url(d.get_absolute_url()) for d in deliverable.public_datasets]


def partnership_deliverables_for_api() -> QuerySet:
    """The public deliverables of public partnerships (members-only ones never), with their public links."""
    return deliverables_public().select_related("partnership")


serialize_partnership_deliverable = serializer(PartnershipDeliverableRowOut)


# Results --------------------------------------------------------------------------------------------------------


ResultFilters = filter_schema(
    ResultFilter,
    name="ResultFilters",
    exclude=("sort",),  # the API lists by id
    extra={"group": GROUP, "partnership": PARTNERSHIP},
    updated="updated_at",
)


class AuthorOut(ModelSchema):
    model_config = OUTPUT

    class Meta:
        model = ResultAuthor
        fields = ["name", "affiliation"]


class VersionOut(Schema):
    number: int
    published_at: dt.datetime
    note: str
    url: str | None


def _result_versions(result) -> list[dict]:
    return [
        {
            "number": v.number,
            "published_at": v.published_at,
            "note": v.note,
            "url": absolute_url(reverse("result_version", args=[result.slug, v.number])),
        }
        for v in result.versions.all()
    ]


class ResultOut(ModelSchema):
    url: str | None
    version: int = Field(validation_alias="version_number")
    versions: list[VersionOut]
    language: str | None = Field(None, validation_alias="language.code")
    doi: str | None
    link: str | None
    public_since: dt.date | None
    partnership: PartnershipRef | None
    authors: list[AuthorOut]
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    city_response: CityResponseOut

    model_config = OUTPUT

    class Meta:
        model = Result
        fields = ["id", "kind", "title", "slug", "abstract", "licence", "publication_date", "updated_at"]

    resolve_url = staticmethod(_url)
    resolve_city_response = staticmethod(_city_response)
    resolve_versions = staticmethod(_result_versions)

    resolve_doi = blank_as_none("doi")
    resolve_link = blank_as_none("url")

    @staticmethod
    def resolve_partnership(result):
        return _public_partnership(result.partnership)


def _public_results() -> QuerySet[Result]:
    return Result.objects.public()


def results_for_api() -> QuerySet[Result]:
    """The public results the API and the CSV exports read, with what their schema reads."""
    return (
        _public_results()
        .select_related("language", "partnership", "city_response", "city_response__city")
        .prefetch_related(
            "themes",
            sdg_prefetch(),
            "methods",
            "groups",
            Prefetch("authors", queryset=ResultAuthor.objects.order_by("sort_order", "pk")),
            Prefetch("versions", queryset=ResultVersion.objects.defer("snapshot").order_by("-number")),
        )
    )


serialize_result = serializer(ResultOut)


@router.get("/results/", response={200: list[ResultOut], **ERRORS}, summary="List published results", tags=["Results"])
@paginate(PagePagination)
def result_list(request: HttpRequest, filters: Query[ResultFilters]):
    """Published results past their embargo (no drafts, nothing taken down), by id; the filters are the facets of
    /results/."""
    return filters.filter(results_for_api()).order_by("pk")


@router.get(
    "/results/{ref}", response={200: ResultOut, **ERRORS}, summary="One result, by id or slug", tags=["Results"]
)
def result_detail(request: HttpRequest, ref: Ref):
    result = results_for_api().filter(**by_ref(ref)).first()
    if result is None:
        raise Http404("No published result with this id or slug.")
    return result


# Datasets -------------------------------------------------------------------------------------------------------


DatasetFilters = filter_schema(
    DatasetFilter,
    name="DatasetFilters",
    renamed={"access_level": "access"},
    extra={"country": COUNTRY, "partnership": PARTNERSHIP},
    updated="updated_at",
)


class ColumnOut(Schema):
    name: str
    type: str
    description: str = ""
    is_count: bool = False


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


def _texts(values) -> list[str]:
    return [str(value) for value in values or []]


class DatasetOut(ModelSchema):
    url: str | None
    version: int = Field(validation_alias="version_number")
    doi: str | None
    is_open: bool
    rows_url: str | None
    disaggregations: list[str]
    columns: list[ColumnOut]
    partnership: PartnershipRef | None
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    groups: list[Term]
    countries: list[CountryRef]

    model_config = OUTPUT

    class Meta:
        model = Dataset
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "licence",
            "provenance",
            "access_level",
            "personal_data",
            "personal_data_note",
            "row_count",
            "period_start",
            "period_end",
            "published_at",
            "updated_at",
        ]

    resolve_url = staticmethod(_url)

    resolve_doi = blank_as_none("doi")

    @staticmethod
    def resolve_rows_url(dataset) -> str | None:
        return absolute_url(f"/api/v1/datasets/{dataset.pk}/rows") if dataset.is_open else None

    @staticmethod
    def resolve_disaggregations(dataset) -> list[str]:
        return _texts(dataset.disaggregations)

    @staticmethod
    def resolve_columns(dataset) -> list[dict]:
        return _columns(dataset.schema)

    @staticmethod
    def resolve_partnership(dataset):
        return _public_partnership(dataset.partnership)


def datasets_for_api() -> QuerySet[Dataset]:
    """The public datasets the API and the CSV exports read, with what their schema reads."""
    return (
        Dataset.objects.public()
        .select_related("partnership")
        .prefetch_related("themes", sdg_prefetch(), "groups", "countries")
    )


serialize_dataset = serializer(DatasetOut)


@router.get(
    "/datasets/", response={200: list[DatasetOut], **ERRORS}, summary="List published datasets", tags=["Datasets"]
)
@paginate(PagePagination)
def dataset_list(request: HttpRequest, filters: Query[DatasetFilters]):
    """Metadata of published datasets (whatever their access level), by id; rows of open ones at ``rows_url``; the
    filters are the facets of /data/datasets/."""
    return filters.filter(datasets_for_api()).order_by("pk")


@router.get(
    "/datasets/{ref}", response={200: DatasetOut, **ERRORS}, summary="One dataset, by id or slug", tags=["Datasets"]
)
def dataset_detail(request: HttpRequest, ref: Ref):
    dataset = datasets_for_api().filter(**by_ref(ref)).first()
    if dataset is None:
        raise Http404("No published dataset with this id or slug.")
    return dataset


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
def dataset_rows(request: HttpRequest, ref: Ref, params: Query[PageParams]):
    """The rows of an open dataset; counts below the threshold are ``null``. Other datasets answer 403."""
    dataset = get_object_or_404(Dataset.objects.public(), **by_ref(ref))
    if not dataset.is_open:
        raise HttpError(403, "This dataset is not open: only its description is public.")
    offset = (params.page - 1) * params.page_size
    kinds = {c["name"]: c["type"] for c in _columns(dataset.schema)}
    rows = [
        {name: datasets_io.typed(value, kinds.get(name, "string")) for name, value in row.items()}
        for row in datasets_io.public_rows(dataset, offset=offset, limit=params.page_size)
    ]
    return {
        **envelope(request, params, dataset.row_count, rows),
        "columns": list(kinds) or datasets_io.header_of(dataset),
        "suppressed_below": datasets_io.threshold_of(dataset),
    }


# Indicators and observations ------------------------------------------------------------------------------------


IndicatorFilters = filter_schema(IndicatorFilter, name="IndicatorFilters", updated="updated_at")


class IndicatorOut(ModelSchema):
    url: str | None
    theme: Term
    sdg_indicator: str | None = Field(None, validation_alias="sdg_indicator.code")
    groups: list[Term]
    disaggregations: list[str]
    observations_url: str

    model_config = OUTPUT

    class Meta:
        model = Indicator
        fields = [
            "id",
            "title",
            "slug",
            "type",
            "obligation",
            "unit",
            "value_is_count",
            "definition",
            "updated_at",
        ]

    resolve_url = staticmethod(_url)

    @staticmethod
    def resolve_disaggregations(indicator) -> list[str]:
        return _texts(indicator.disaggregations)

    @staticmethod
    def resolve_observations_url(indicator) -> str:
        return absolute_url(f"/api/v1/indicators/{indicator.pk}/observations")


def indicators_for_api() -> QuerySet[Indicator]:
    """The public indicators the API and the CSV exports read, with what their schema reads."""
    return indicators_public().prefetch_related("groups")


serialize_indicator = serializer(IndicatorOut)


@router.get(
    "/indicators/", response={200: list[IndicatorOut], **ERRORS}, summary="List indicators", tags=["Indicators"]
)
@paginate(PagePagination)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]):
    """Human-rights indicators, by id; the filters are the facets of /data/indicators/."""
    return filters.filter(indicators_for_api()).order_by("pk")


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
    return indicator


class ObservationFilters(FilterSchema):
    """The observations of one indicator (no list page has these filters)."""

    city: Annotated[str | None, FilterLookup("city__slug")] = Field(
        None, max_length=200, description="Slug of the city's organisation."
    )
    period: str | None = Field(None, max_length=16, description="Period, e.g. 2023, 2023-Q2 or 2023-05.")
    total_only: bool = Field(False, description="Only totals (no disaggregated values).")

    def filter_total_only(self, value: bool) -> Q:
        return Q(disaggregation_key="") if value else Q()


class ObservationOut(ModelSchema):
    city: OrganisationRef
    value: Decimal | None
    suppressed: bool
    disaggregation: dict[str, str]
    source_dataset_id: int | None

    model_config = OUTPUT

    class Meta:
        model = Observation
        fields = ["id", "period", "period_start", "note"]

    @staticmethod
    def resolve_value(observation) -> Decimal | None:
        return None if observation.suppressed else observation.value

    @staticmethod
    def resolve_disaggregation(observation) -> dict[str, str]:
        return {str(k): str(v) for k, v in (observation.disaggregation or {}).items()}


@router.get(
    "/indicators/{ref}/observations",
    response={200: list[ObservationOut], **ERRORS},
    summary="Observations of an indicator (small counts suppressed)",
    tags=["Indicators"],
)
@paginate(PagePagination)
def indicator_observations(request: HttpRequest, ref: Ref, filters: Query[ObservationFilters]):
    """Public observations, by id; for indicators that count people, values below the threshold — and values from
    which one could be worked out with the total and other breakdowns — are ``null`` with ``suppressed: true``."""
    indicator = get_object_or_404(Indicator.objects.all(), **by_ref(ref))
    queryset = filters.filter(observations_public().filter(indicator=indicator).select_related("city"))

    def protect(page: list[Observation]) -> list[Observation]:
        # Decided on the whole tables of the page, whatever the filters and paging left out of it.
        hidden = hidden_observation_ids(indicator=indicator, observations=page)
        for observation in page:
            observation.suppressed = observation.pk in hidden
        return page

    return Prepared(queryset.order_by("pk"), protect)


# Methods --------------------------------------------------------------------------------------------------------


class MethodFilter(django_filters.FilterSet):
    """The methods library's search (its page lists every method, alphabetically)."""

    q = django_filters.CharFilter(method="filter_q", label="Words in the title or summary")

    class Meta:
        model = MethodPage
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))


MethodFilters = filter_schema(MethodFilter, name="MethodFilters", updated="last_published_at")


class StepOut(Schema):
    title: str
    description: str


class ToolOut(ModelSchema):
    url: str | None

    model_config = OUTPUT

    class Meta:
        model = MethodTool
        fields = ["kind", "title", "description"]

    @staticmethod
    def resolve_url(tool) -> str | None:
        if tool.document is not None:
            return absolute_url(tool.document.url)
        return tool.url or None


class MethodOut(ModelSchema):
    url: str | None
    method: Term | None
    what_it_is: str
    when_to_use: str
    steps: list[StepOut]
    ethics: str
    tools: list[ToolOut]
    proposed_by: PartnershipRef | None

    model_config = OUTPUT

    class Meta:
        model = MethodPage
        fields = ["id", "title", "slug", "summary", "last_published_at"]

    resolve_url = staticmethod(_page_url)

    resolve_what_it_is = rich_text("what_it_is")
    resolve_when_to_use = rich_text("when_to_use")
    resolve_ethics = rich_text("ethics")

    @staticmethod
    def resolve_steps(page) -> list[dict]:
        return [
            {"title": step.value["title"], "description": str(step.value["description"])}
            for step in page.steps
            if step.block_type == "step"
        ]

    @staticmethod
    def resolve_proposed_by(page):
        return _public_partnership(page.proposed_by)


def methods_for_api() -> QuerySet[MethodPage]:
    """The public methods the API and the CSV exports read, with what their schema reads."""
    return (
        originals(MethodPage.objects.live().public())
        .select_related("method", "proposed_by")
        .prefetch_related(Prefetch("tools", queryset=MethodTool.objects.select_related("document")))
    )


serialize_method = serializer(MethodOut)


@router.get("/methods/", response={200: list[MethodOut], **ERRORS}, summary="List methods", tags=["Methods"])
@paginate(PagePagination)
def method_list(request: HttpRequest, filters: Query[MethodFilters]):
    """Live pages of the methods library, by id."""
    return filters.filter(methods_for_api()).order_by("pk")


@router.get("/methods/{int:method_id}", response={200: MethodOut, **ERRORS}, summary="One method", tags=["Methods"])
def method_detail(request: HttpRequest, method_id: int):
    page = methods_for_api().filter(pk=method_id).first()
    if page is None:
        raise Http404("No published method with this id.")
    return page


# Case studies ---------------------------------------------------------------------------------------------------


CaseStudyFilters = filter_schema(
    CaseStudyFilter,
    name="CaseStudyFilters",
    extra={"country": COUNTRY, "featured": django_filters.BooleanFilter(field_name="featured")},
    updated="last_published_at",
)


class CaseStudyOut(ModelSchema):
    url: str | None
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

    model_config = OUTPUT

    class Meta:
        model = CaseStudyPage
        fields = ["id", "title", "slug", "summary", "region", "featured", "last_published_at"]

    resolve_url = staticmethod(_page_url)

    @staticmethod
    def resolve_partnership(page):
        return _public_partnership(page.partnership)

    resolve_context = rich_text("context")
    resolve_method = rich_text("method_text")
    resolve_what_changed = rich_text("what_changed")
    resolve_lessons = rich_text("lessons")

    @staticmethod
    def resolve_result_ids(page) -> list[int]:
        return sorted(r.pk for r in page.results.all())

    @staticmethod
    def resolve_dataset_ids(page) -> list[int]:
        return sorted(d.pk for d in page.datasets.all())


def case_studies_for_api() -> QuerySet[CaseStudyPage]:
    """The public case studies the API and the CSV exports read, with what their schema reads."""
    return (
        originals(CaseStudyPage.objects.live().public())
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


serialize_case_study = serializer(CaseStudyOut)


@router.get(
    "/case-studies/",
    response={200: list[CaseStudyOut], **ERRORS},
    summary="List case studies",
    tags=["Case studies"],
)
@paginate(PagePagination)
def case_study_list(request: HttpRequest, filters: Query[CaseStudyFilters]):
    """Live case studies, by id; the filters are the facets of /case-studies/."""
    return filters.filter(case_studies_for_api()).order_by("pk")


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
    return page


# Policy uptake --------------------------------------------------------------------------------------------------


UptakeFilters = filter_schema(
    UptakeFilter,
    name="UptakeFilters",
    extra={"result": django_filters.CharFilter(field_name="result__slug")},
    updated="updated_at",
)


class ResultRef(ModelSchema):
    url: str | None

    model_config = OUTPUT

    class Meta:
        model = Result
        fields = ["id", "slug", "title"]

    resolve_url = staticmethod(_url)


class IndicatorRef(ModelSchema):
    url: str | None

    model_config = OUTPUT

    class Meta:
        model = Indicator
        fields = ["id", "slug", "title", "unit"]

    resolve_url = staticmethod(_url)


class ImplementationEntryOut(ModelSchema):
    """A dated step of a decision's implementation, with its evidence and the status and progress after it."""

    link: str | None
    file_url: str | None
    file_name: str | None

    model_config = OUTPUT

    class Meta:
        model = ImplementationEntry
        fields = ["id", "date", "text", "status", "progress"]

    resolve_link = blank_as_none("link")

    @staticmethod
    def resolve_file_url(entry, context) -> str | None:
        if not entry.file:
            return None
        path = reverse("uptake_entry_file", args=[entry.uptake_id, entry.pk])
        return absolute(context["request"], path)

    @staticmethod
    def resolve_file_name(entry) -> str | None:
        return (entry.original_name or None) if entry.file else None


class UptakeOut(ModelSchema):
    url: str | None
    decision_url: str | None
    link: str | None
    department: str | None
    city: OrganisationRef
    result: ResultRef
    city_response: CityResponseOut
    indicators: list[IndicatorRef]
    implementation: list[ImplementationEntryOut]

    model_config = OUTPUT

    class Meta:
        model = PolicyUptake
        fields = [
            "id",
            "kind",
            "title",
            "date",
            "body",
            "description",
            "implementation_status",
            "progress",
            "updated_at",
        ]

    @staticmethod
    def resolve_decision_url(uptake, context) -> str | None:
        return _url(uptake, context)

    resolve_department = blank_as_none("department")

    @staticmethod
    def resolve_indicators(uptake):
        return list(uptake.indicators.all())

    @staticmethod
    def resolve_implementation(uptake):
        return list(uptake.entries.all())

    @staticmethod
    def resolve_url(uptake, context) -> str | None:
        return _url(uptake.result, context)

    resolve_link = blank_as_none("link")

    @staticmethod
    def resolve_city_response(uptake):
        return _city_response(uptake.result)


def uptakes_for_api() -> QuerySet[PolicyUptake]:
    """The public uptakes the API and the CSV exports read, with what their schema reads."""
    return (
        PolicyUptake.objects.filter(result__in=_public_results())
        .select_related("city", "result", "result__city_response", "result__city_response__city")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("title")),
            Prefetch("entries", queryset=ImplementationEntry.objects.order_by("-date", "-pk")),
        )
    )


serialize_uptake = serializer(UptakeOut)


class ImplementationEntryRowOut(ImplementationEntryOut):
    """A step of an implementation trail on its own (a row of ``implementation_entries.csv``)."""

    uptake_id: int
    decision_url: str | None

    @staticmethod
    def resolve_decision_url(entry, context) -> str | None:
        return absolute(context["request"], reverse("uptake_detail", args=[entry.uptake_id]))


def implementation_entries_for_api() -> QuerySet[ImplementationEntry]:
    """The steps of the implementation trails of public uptake records."""
    return ImplementationEntry.objects.filter(uptake__in=PolicyUptake.objects.filter(result__in=_public_results()))


serialize_implementation_entry = serializer(ImplementationEntryRowOut)


@router.get(
    "/policy-uptake/",
    response={200: list[UptakeOut], **ERRORS},
    summary="List policy uptake",
    tags=["Policy uptake"],
)
@paginate(PagePagination)
def uptake_list(request: HttpRequest, filters: Query[UptakeFilters]):
    """Decisions, plans and budget lines that public results informed, with the city's response, by id; the filters
    are the facets of /results/uptake/."""
    return filters.filter(uptakes_for_api()).order_by("pk")


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
    return uptake


# Research needs -------------------------------------------------------------------------------------------------


NeedFilters = filter_schema(NeedFilter, name="NeedFilters", exclude=("sort",), updated="updated_at")


class NeedOut(ModelSchema):
    """A research need that a coordinator has not hidden, with the city's public answer and the call it became."""

    url: str | None
    city: OrganisationRef
    organisation: OrganisationRef | None
    themes: list[Term]
    groups: list[Term]
    sdg_targets: list[SDGTargetRef]
    covered_by_url: str | None
    call_url: str | None
    endorsement_count: int
    comment_count: int
    topic_count: int

    model_config = OUTPUT

    class Meta:
        model = ResearchNeed
        fields = [
            "id",
            "title",
            "situation",
            "missing_evidence",
            "author_name",
            "status",
            "answer",
            "answered_at",
            "created_at",
            "updated_at",
        ]

    resolve_url = staticmethod(_url)
    resolve_covered_by_url = blank_as_none("covered_by_url")

    @staticmethod
    def resolve_call_url(need, context) -> str | None:
        call = need.call
        return page_url(context["request"], call) if call is not None and call.live else None


def needs_for_api() -> QuerySet[ResearchNeed]:
    """The public needs the API and the CSV exports read, with what their schema reads."""
    return with_need_counts(
        ResearchNeed.objects.public()
        .select_related("city", "organisation", "call")
        .prefetch_related("themes", "groups", sdg_prefetch())
    )


serialize_need = serializer(NeedOut)


@router.get("/needs/", response={200: list[NeedOut], **ERRORS}, summary="List research needs", tags=["Research needs"])
@paginate(PagePagination)
def need_list(request: HttpRequest, filters: Query[NeedFilters]):
    """Research needs posted by the people concerned, with the city's answer, by id; the filters are the facets of
    /needs/."""
    return filters.filter(needs_for_api()).order_by("pk")


@router.get(
    "/needs/{int:need_id}", response={200: NeedOut, **ERRORS}, summary="One research need", tags=["Research needs"]
)
def need_detail(request: HttpRequest, need_id: int):
    need = needs_for_api().filter(pk=need_id).first()
    if need is None:
        raise Http404("No public research need with this id.")
    return need
