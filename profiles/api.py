"""Open data API: cities, verified organisations and researchers' public profile fields (``profiles.visibility``)."""

from django.db.models import Prefetch
from django.http import Http404, HttpRequest

import django_filters
from ninja import Field, ModelSchema, Query, Router, Schema
from ninja.pagination import paginate

from hub.api.filtering import filter_schema
from hub.api.pagination import PagePagination, Prepared
from hub.api.params import Ref, by_ref
from hub.api.schemas import (
    ERRORS,
    OUTPUT,
    CountryRef,
    OrganisationRef,
    absolute,
    blank_as_none,
    none_if_blank,
    object_url,
    page_url,
    sdg_prefetch,
    serializer,
)
from profiles import visibility
from profiles.filters import OrganisationFilter, ResearcherFilter
from profiles.models import CityPage, Organisation, ProfileLanguage, ResearcherProfile
from profiles.selectors import city_pages_public

router = Router()


# Cities ---------------------------------------------------------------------------------------------------------


class CityFilter(django_filters.FilterSet):
    """The API's filters of cities (the cities have no list page with facets)."""

    q = django_filters.CharFilter(method="filter_q", label="Words in the city's name")
    country = django_filters.CharFilter(field_name="organisation__country__code", lookup_expr="iexact")

    class Meta:
        model = CityPage
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())


CityFilters = filter_schema(CityFilter, name="CityFilters", updated="last_published_at")


class CityOut(ModelSchema):
    url: str | None
    organisation: OrganisationRef
    city: str = Field(validation_alias="organisation.city")
    country: CountryRef | None = Field(None, validation_alias="organisation.country")
    population: int | None = Field(None, validation_alias="organisation.population")
    hr_city_declaration_year: int | None = Field(None, validation_alias="organisation.hr_city_declaration_year")
    hr_city_declaration_url: str | None

    model_config = OUTPUT

    class Meta:
        model = CityPage
        fields = ["id", "title", "slug", "intro", "last_published_at"]

    @staticmethod
    def resolve_url(page, context) -> str | None:
        return page_url(context["request"], page)

    @staticmethod
    def resolve_hr_city_declaration_url(page) -> str | None:
        return none_if_blank(page.organisation.hr_city_declaration_url)


def cities_for_api():
    """The public cities the API and the CSV exports read, with what their schema reads."""
    return city_pages_public().defer_streamfields()


serialize_city = serializer(CityOut)


@router.get("/cities/", response={200: list[CityOut], **ERRORS}, summary="List cities", tags=["Cities"])
@paginate(PagePagination)
def city_list(request: HttpRequest, filters: Query[CityFilters]):
    """Live city pages of verified local and regional governments, by id."""
    return filters.filter(cities_for_api()).order_by("pk")


@router.get("/cities/{int:city_id}", response={200: CityOut, **ERRORS}, summary="One city", tags=["Cities"])
def city_detail(request: HttpRequest, city_id: int):
    page = cities_for_api().filter(pk=city_id).first()
    if page is None:
        raise Http404("No city page with this id.")
    return page


# Organisations --------------------------------------------------------------------------------------------------


OrganisationFilters = filter_schema(OrganisationFilter, name="OrganisationFilters")


class OrganisationOut(ModelSchema):
    url: str | None
    country: CountryRef | None
    website: str | None
    logo: str | None
    networks: list[OrganisationRef]

    model_config = OUTPUT

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "city",
            "description",
            "population",
            "hr_city_declaration_year",
            "verified_at",
        ]

    @staticmethod
    def resolve_url(organisation, context) -> str | None:
        return object_url(context["request"], organisation)

    resolve_website = blank_as_none("website")

    @staticmethod
    def resolve_logo(organisation, context) -> str | None:
        return absolute(context["request"], organisation.logo.url) if organisation.logo else None

    @staticmethod
    def resolve_networks(organisation) -> list:
        return [network for network in organisation.networks.all() if network.verified]


def organisations_for_api():
    """The public organisations the API and the CSV exports read, with what their schema reads."""
    return Organisation.objects.filter(verified=True).select_related("country").prefetch_related("networks")


serialize_organisation = serializer(OrganisationOut)


@router.get(
    "/organisations/",
    response={200: list[OrganisationOut], **ERRORS},
    summary="List verified organisations",
    tags=["Organisations"],
)
@paginate(PagePagination)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]):
    """Verified organisations (cities, universities, NHRIs, civil society …), by id; filters as /organisations/
    (a country no organisation has matches nothing)."""
    return filters.filter(organisations_for_api()).order_by("pk")


@router.get(
    "/organisations/{ref}",
    response={200: OrganisationOut, **ERRORS},
    summary="One verified organisation, by id or slug",
    tags=["Organisations"],
)
def organisation_detail(request: HttpRequest, ref: Ref):
    organisation = organisations_for_api().filter(**by_ref(ref)).first()
    if organisation is None:
        raise Http404("No verified organisation with this id or slug.")
    return organisation


# Researchers ----------------------------------------------------------------------------------------------------


ResearcherFilters = filter_schema(ResearcherFilter, name="ResearcherFilters", updated="updated_at")


class LanguageOut(Schema):
    language: str
    level: str


class PublicationOut(Schema):
    title: str
    year: int | None
    doi: str | None
    url: str | None


class ResearcherOut(Schema):
    """A listed researcher: name, headline and interests always; each personal field only when its owner made it
    public (absent otherwise)."""

    id: int
    name: str
    headline: str
    url: str | None
    themes: list[str]
    sdg_targets: list[str]
    methods: list[str]
    groups: list[str]
    photo: str | None = None
    affiliation: str | None = None
    orcid: str | None = None
    career_stage: str | None = None
    countries: list[str] | None = None
    languages: list[LanguageOut] | None = None
    bio: str | None = None
    publications: list[PublicationOut] | None = None
    available: bool | None = None
    available_from: str | None = None


def researchers_for_api():
    """Listed profiles of active users, with everything a public view may read (a fixed number of queries)."""
    return (
        visibility.profiles_visible_to(None)
        .select_related("user", "affiliation", "photo")
        .prefetch_related(
            "themes",
            sdg_prefetch(),
            "methods",
            "groups",
            "countries",
            Prefetch("profile_languages", queryset=ProfileLanguage.objects.select_related("language")),
            "publications",
        )
    )


def serialize_researcher(request: HttpRequest, profile: ResearcherProfile) -> dict:
    """One researcher as the open data API and the CSV exports give it."""
    # Always the anonymous view: the open data API shows only what the researcher made public.
    data = visibility.public_view(profile, None).to_dict()
    data["url"] = absolute(request, data.get("url"))
    if data.get("photo"):
        data["photo"] = absolute(request, data["photo"])
    return data


@router.get(
    "/researchers/",
    response={200: list[ResearcherOut], **ERRORS},
    summary="List researchers (public fields)",
    tags=["Researchers"],
    exclude_unset=True,
)
@paginate(PagePagination)
def researcher_list(request: HttpRequest, filters: Query[ResearcherFilters]):
    """Researchers listed in the public directory, by id, with only the fields they made public; the filters are
    the facets of /researchers/ (filters on personal fields only match profiles that show that field publicly)."""
    queryset = filters.filter(researchers_for_api(), viewer=None).order_by("pk")
    return Prepared(queryset, lambda page: [serialize_researcher(request, profile) for profile in page])


@router.get(
    "/researchers/{int:researcher_id}",
    response={200: ResearcherOut, **ERRORS},
    summary="One researcher (public fields)",
    tags=["Researchers"],
    exclude_unset=True,
)
def researcher_detail(request: HttpRequest, researcher_id: int):
    profile = researchers_for_api().filter(pk=researcher_id).first()
    if profile is None:
        raise Http404("No listed researcher with this id.")
    return serialize_researcher(request, profile)
