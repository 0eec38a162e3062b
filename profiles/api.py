"""Open data API: cities, verified organisations and researchers' public profile fields (``profiles.visibility``)."""

import datetime as dt
from typing import Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest

from ninja import Field, Query, Router, Schema

from hub.api.filtering import filter_data, filtered
from hub.api.pagination import HarvestParams, ListParams, page_schema, paginate, since
from hub.api.params import CountryCode, Ref, by_ref
from hub.api.schemas import (
    ERRORS,
    CountryRef,
    OrganisationRef,
    absolute,
    object_url,
    organisation_ref,
    page_url,
    sdg_prefetch,
)
from profiles import visibility
from profiles.filters import OrganisationFilter, ResearcherFilter
from profiles.models import CityPage, Organisation, ProfileLanguage, ResearcherProfile
from profiles.selectors import city_pages_public

router = Router()


def _country(country) -> dict | None:
    return {"code": country.code, "name": country.name} if country else None


# Cities ---------------------------------------------------------------------------------------------------------


class CityFilters(HarvestParams):
    q: str | None = Field(None, max_length=200, description="Words in the city's name.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country code.")


class CityOut(Schema):
    id: int
    url: str | None
    title: str
    slug: str
    intro: str
    organisation: OrganisationRef
    city: str
    country: CountryRef | None
    population: int | None
    hr_city_declaration_year: int | None
    hr_city_declaration_url: str | None
    last_published_at: dt.datetime | None


CityPageOut = page_schema(CityOut, "CityList")


def serialize_city(request: HttpRequest, page: CityPage) -> dict:
    """One city as the open data API and the CSV exports give it."""
    organisation = page.organisation
    return {
        "id": page.pk,
        "url": page_url(request, page),
        "title": page.title,
        "slug": page.slug,
        "intro": page.intro,
        "organisation": organisation_ref(organisation),
        "city": organisation.city,
        "country": _country(organisation.country),
        "population": organisation.population,
        "hr_city_declaration_year": organisation.hr_city_declaration_year,
        "hr_city_declaration_url": organisation.hr_city_declaration_url or None,
        "last_published_at": page.last_published_at,
    }


def cities_for_api():
    """The public cities the API and the CSV exports read, with what their serialiser needs."""
    return city_pages_public().defer_streamfields()


@router.get("/cities/", response={200: CityPageOut, **ERRORS}, summary="List cities", tags=["Cities"])
def city_list(request: HttpRequest, filters: Query[CityFilters]):
    """Live city pages of verified local and regional governments, by id."""
    queryset = cities_for_api()
    if filters.q:
        queryset = queryset.filter(title__icontains=filters.q.strip())
    if filters.country:
        queryset = queryset.filter(organisation__country__code__iexact=filters.country)
    if filters.updated_since:
        queryset = queryset.filter(last_published_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda page: serialize_city(request, page))


@router.get("/cities/{int:city_id}", response={200: CityOut, **ERRORS}, summary="One city", tags=["Cities"])
def city_detail(request: HttpRequest, city_id: int):
    page = cities_for_api().filter(pk=city_id).first()
    if page is None:
        raise Http404("No city page with this id.")
    return serialize_city(request, page)


# Organisations --------------------------------------------------------------------------------------------------


class OrganisationFilters(ListParams):
    q: str | None = Field(None, max_length=200, description="Words in the name or city.")
    kind: Literal[tuple(Organisation.Kind.values)] | None = Field(None, description="Kind of organisation.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country code.")


class OrganisationOut(Schema):
    id: int
    url: str | None
    name: str
    slug: str
    kind: str
    country: CountryRef | None
    city: str
    website: str | None
    description: str
    logo: str | None
    population: int | None
    hr_city_declaration_year: int | None
    networks: list[OrganisationRef]
    verified_at: dt.datetime | None


OrganisationPage = page_schema(OrganisationOut, "OrganisationList")


def serialize_organisation(request: HttpRequest, organisation: Organisation) -> dict:
    """One organisation as the open data API and the CSV exports give it."""
    return {
        "id": organisation.pk,
        "url": object_url(request, organisation),
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "country": _country(organisation.country),
        "city": organisation.city,
        "website": organisation.website or None,
        "description": organisation.description,
        "logo": absolute(request, organisation.logo.url) if organisation.logo else None,
        "population": organisation.population,
        "hr_city_declaration_year": organisation.hr_city_declaration_year,
        "networks": [organisation_ref(n) for n in organisation.networks.all() if n.verified],
        "verified_at": organisation.verified_at,
    }


def organisations_for_api():
    """The public organisations the API and the CSV exports read, with what their serialiser needs."""
    return Organisation.objects.filter(verified=True).select_related("country").prefetch_related("networks")


@router.get(
    "/organisations/",
    response={200: OrganisationPage, **ERRORS},
    summary="List verified organisations",
    tags=["Organisations"],
)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]):
    """Verified organisations (cities, universities, NHRIs, civil society …), by id; filters as /organisations/."""
    data = filter_data(filters)
    # The page's country menu refuses a country with no organisation; here, as for calls, it matches nothing.
    country = data.pop("country", None)
    queryset = filtered(OrganisationFilter(data, queryset=organisations_for_api()))
    if country:
        queryset = queryset.filter(country__code__iexact=country)
    return paginate(request, queryset.order_by("pk"), filters, lambda o: serialize_organisation(request, o))


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
    return serialize_organisation(request, organisation)


# Researchers ----------------------------------------------------------------------------------------------------


class ResearcherFilters(HarvestParams):
    """The facets of /researchers/; filters on personal fields only match profiles that show that field publicly."""

    q: str | None = Field(None, max_length=200, description="Words in the name or headline.")
    theme: str | None = Field(None, max_length=80, description="Human-rights theme slug.")
    method: str | None = Field(None, max_length=80, description="Method slug.")
    sdg: int | None = Field(None, ge=1, le=17, description="SDG number.")
    group: str | None = Field(None, max_length=80, description="Group-in-focus slug.")
    country: CountryCode | None = Field(None, description="Works in (ISO 3166-1 alpha-2).")
    language: str | None = Field(None, max_length=3, description="Language (ISO 639-1).")
    career_stage: Literal[tuple(ResearcherProfile.CareerStage.values)] | None = Field(None)
    available: Literal["yes", "no"] | None = Field(None, description="Open to new partnerships.")


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


ResearcherPage = page_schema(ResearcherOut, "ResearcherList")


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
    response={200: ResearcherPage, **ERRORS},
    summary="List researchers (public fields)",
    tags=["Researchers"],
    exclude_unset=True,
)
def researcher_list(request: HttpRequest, filters: Query[ResearcherFilters]):
    """Researchers listed in the public directory, by id, with only the fields they made public."""
    queryset = filtered(ResearcherFilter(filter_data(filters), queryset=researchers_for_api(), viewer=None))
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=since(filters.updated_since))
    return paginate(request, queryset.order_by("pk"), filters, lambda p: serialize_researcher(request, p))


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
