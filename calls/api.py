"""Open data API: published research calls, filtered with the /calls/ facets (``calls.filters.CallFilter``)."""

from django.http import Http404, HttpRequest
from django.utils import timezone

from ninja import Field, ModelSchema, Query, Router
from ninja.pagination import paginate

from calls.filters import CallFilter
from calls.models import ResearchCall
from calls.selectors import calls_public
from hub.api.filtering import filter_schema
from hub.api.pagination import PagePagination
from hub.api.schemas import (
    ERRORS,
    OUTPUT,
    CountryRef,
    OrganisationRef,
    SDGTargetRef,
    Term,
    page_url,
    sdg_prefetch,
    serializer,
)

router = Router(tags=["Calls"])

CallFilters = filter_schema(CallFilter, name="CallFilters", exclude=("sort",), updated="last_published_at")


class CallOut(ModelSchema):
    url: str | None
    organisation: OrganisationRef | None
    country: CountryRef | None = Field(None, validation_alias="organisation.country")
    status: str
    themes: list[Term]
    sdg_targets: list[SDGTargetRef]
    methods: list[Term]
    groups: list[Term]
    required_languages: list[str]

    model_config = OUTPUT

    class Meta:
        model = ResearchCall
        fields = [
            "id",
            "title",
            "slug",
            "summary",
            "consultation_opens_at",
            "opens_at",
            "closes_at",
            "two_stage",
            "full_proposal_closes_at",
            "budget_min",
            "budget_max",
            "currency",
            "duration_months",
            "early_career",
            "early_career_share",
            "cross_border",
            "first_published_at",
            "last_published_at",
        ]

    @staticmethod
    def resolve_url(call, context) -> str | None:
        return page_url(context["request"], call)

    @staticmethod
    def resolve_status(call) -> str:
        """The derived status at this moment (an export states when it was made)."""
        return call.status_at(timezone.now()).value

    @staticmethod
    def resolve_required_languages(call) -> list[str]:
        return [language.code for language in call.required_languages.all()]


def calls_for_api():
    """The public calls the API and the CSV exports read, with what their schema reads."""
    return (
        calls_public()
        .defer_streamfields()
        .prefetch_related("themes", sdg_prefetch(), "methods", "groups", "required_languages")
    )


serialize_call = serializer(CallOut)


@router.get("/calls/", response={200: list[CallOut], **ERRORS}, summary="List published calls")
@paginate(PagePagination)
def call_list(request: HttpRequest, filters: Query[CallFilters]):
    """Published calls of live city pages, by id; the filters are the facets of /calls/."""
    return filters.filter(calls_for_api(), now=timezone.now()).order_by("pk")


@router.get("/calls/{int:call_id}", response={200: CallOut, **ERRORS}, summary="One published call")
def call_detail(request: HttpRequest, call_id: int):
    call = calls_for_api().filter(pk=call_id).first()
    if call is None:
        raise Http404("No published call with this id.")
    return call
