"""Open data API: published research calls, filtered with the /calls/ facets (``calls.filters.CallFilter``)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone

from ninja import Field, Query, Router, Schema

from calls.deadlines import Status
from calls.filters import CallFilter
from calls.models import ResearchCall
from calls.selectors import calls_public
from hub.api.filtering import filter_data, filtered
from hub.api.pagination import HarvestParams, page_schema, paginate, since
from hub.api.params import Amount, CountryCode, IsoDate
from hub.api.schemas import (
    ERRORS,
    CountryRef,
    OrganisationRef,
    SDGTargetRef,
    Term,
    organisation_ref,
    page_url,
    sdg_prefetch,
    sdg_targets,
    terms,
)
from hub.api.schemas import countries as country_list

router = Router(tags=["Calls"])


class CallFilters(HarvestParams):
    """The facets of /calls/; values that match nothing give an empty list."""

    q: str | None = Field(None, max_length=200, description="Words in the title or summary.")
    theme: str | None = Field(None, max_length=80, description="Human-rights theme slug.")
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")
    method: str | None = Field(None, max_length=80, description="Method slug.")
    group: str | None = Field(None, max_length=80, description="Group-in-focus slug.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 code of the city's country.")
    status: Literal[tuple(s.value for s in Status)] | None = Field(None, description="Derived status of the call.")
    early_career: Literal["only", "reserved"] | None = Field(None, description="Calls for early-career researchers.")
    budget_min: Amount | None = Field(None, description="Budget at least.")
    budget_max: Amount | None = Field(None, description="Budget at most.")
    deadline_after: IsoDate | None = Field(None, description="Deadline on or after this day.")
    deadline_before: IsoDate | None = Field(None, description="Deadline on or before this day.")


class CallOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    summary: str
    organisation: OrganisationRef | None
    country: CountryRef | None
    status: str
    consultation_opens_at: dt.datetime | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    two_stage: bool
    full_proposal_closes_at: dt.datetime | None
    budget_min: Decimal | None
    budget_max: Decimal
    currency: str
    duration_months: int | None
    early_career: str
    early_career_share: int | None
    cross_border: str
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    required_languages: list[str]
    first_published_at: dt.datetime | None
    last_published_at: dt.datetime | None


CallPage = page_schema(CallOut, "CallPage")


def calls_for_api():
    """The public calls the API and the CSV exports read, with what their serialiser needs."""
    return (
        calls_public()
        .defer_streamfields()
        .prefetch_related("themes", sdg_prefetch(), "methods", "groups", "required_languages")
    )


def serialize_call(request: HttpRequest, call: ResearchCall, now: dt.datetime | None = None) -> dict:
    """A call as the API and the CSV export give it, its status as of ``now`` (by default, this moment)."""
    organisation = call.organisation
    return {
        "id": call.pk,
        "url": page_url(request, call),
        "title": call.title,
        "slug": call.slug,
        "summary": call.summary,
        "organisation": organisation_ref(organisation),
        "country": country_list([organisation.country])[0] if organisation and organisation.country_id else None,
        "status": call.status_at(now or timezone.now()).value,
        "consultation_opens_at": call.consultation_opens_at,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "two_stage": call.two_stage,
        "full_proposal_closes_at": call.full_proposal_closes_at,
        "budget_min": call.budget_min,
        "budget_max": call.budget_max,
        "currency": call.currency,
        "duration_months": call.duration_months,
        "early_career": call.early_career,
        "early_career_share": call.early_career_share,
        "cross_border": call.cross_border,
        "themes": terms(call.themes.all()),
        "sdg_targets": sdg_targets(call.sdg_targets.all()),
        "methods": terms(call.methods.all()),
        "groups": terms(call.groups.all()),
        "required_languages": [language.code for language in call.required_languages.all()],
        "first_published_at": call.first_published_at,
        "last_published_at": call.last_published_at,
    }


@router.get("/calls/", response={200: CallPage, **ERRORS}, summary="List published calls")
def call_list(request: HttpRequest, filters: Query[CallFilters]):
    """Published calls of live city pages, by id; the filters are the facets of /calls/."""
    now = timezone.now()
    queryset = filtered(CallFilter(filter_data(filters), queryset=calls_for_api(), now=now))
    if filters.updated_since:
        queryset = queryset.filter(last_published_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda call: serialize_call(request, call, now))


@router.get("/calls/{int:call_id}", response={200: CallOut, **ERRORS}, summary="One published call")
def call_detail(request: HttpRequest, call_id: int):
    call = calls_for_api().filter(pk=call_id).first()
    if call is None:
        raise Http404("No published call with this id.")
    return serialize_call(request, call, timezone.now())
