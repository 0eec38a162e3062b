"""Reads with their visibility rules for profiles, organisations and cities."""

from django.db.models import Count, Prefetch, Q, QuerySet

from wagtail.images import get_image_model

from allauth.account.models import EmailAddress

from hub import aggregates
from hub.facets import FacetDef, FacetedList, Listing
from hub.models import SDGTarget
from hub.registry import city_sections, personal_data_parts
from hub.translation import originals
from profiles import visibility
from profiles.filters import (
    RESEARCHER_FACETS,
    OrganisationFilter,
    ResearcherFilter,
    researcher_facet_rows,
    researcher_filter_key,
)
from profiles.models import CityPage, Membership, Organisation, ProfileLanguage, ResearcherProfile, User
from profiles.services import can_manage_memberships, is_coordinator

DIRECTORY_PHOTO = "fill-64x64"
# The personal fields a directory card shows; pass to ``visibility.public_view(..., only=CARD_FIELDS)``.
CARD_FIELDS = frozenset({"photo", "affiliation", "career_stage", "countries", "availability"})
PAGE_PHOTO = "fill-240x240"
RESEARCHERS_PER_PAGE = 24


def organisations_public(*, filters: dict | None = None) -> OrganisationFilter:
    """Verified organisations, filtered by django-filter (kind, country, search)."""
    qs = (
        Organisation.objects.filter(verified=True)
        .select_related("country", "city_page")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.APPROVED)))
        .order_by("name")
    )
    return OrganisationFilter(filters or {}, queryset=qs)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Verified organisations, plus unverified ones the user belongs to (or all for coordinators)."""

    qs = Organisation.objects.select_related("country")
    if is_coordinator(user):
        return qs
    if user.is_authenticated:
        return qs.filter(Q(verified=True) | Q(memberships__user=user)).distinct()
    return qs.filter(verified=True)


def organisation_listed_members(organisation: Organisation) -> QuerySet[Membership]:
    """Approved members who chose to be listed publicly."""
    return (
        organisation.memberships.filter(status=Membership.Status.APPROVED, is_listed=True, user__is_active=True)
        .select_related("user", "user__researcher_profile")
        .order_by("-role", "user__last_name", "user__first_name")
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.select_related("organisation", "organisation__city_page").order_by("organisation__name")


def membership_requests_for(user: User, organisation: Organisation) -> QuerySet[Membership]:
    """All memberships of an organisation, for someone who may manage them (else none)."""

    allowed, _reason = can_manage_memberships(user, organisation)
    if not allowed:
        return Membership.objects.none()
    return organisation.memberships.select_related("user").order_by("status", "-created_at")


def pending_requests_managed_by(user: User) -> QuerySet[Membership]:
    """Requests waiting in every organisation the user administers."""
    return Membership.objects.filter(
        status=Membership.Status.REQUESTED,
        organisation__memberships__user=user,
        organisation__memberships__role=Membership.Role.ADMIN,
        organisation__memberships__status=Membership.Status.APPROVED,
    ).select_related("user", "organisation")


def city_pages_public() -> QuerySet[CityPage]:
    return (
        originals(CityPage.objects.live().public())
        .select_related("organisation", "organisation__country")
        .order_by("title")
    )


def city_page_context(page: CityPage) -> dict:
    """What a city page shows besides its own fields (higher apps add theirs through the registry)."""

    organisation = (
        Organisation.objects.select_related("country").prefetch_related("networks").get(pk=page.organisation_id)
    )
    return {
        "organisation": organisation,
        "members": organisation_listed_members(organisation)[:24],
        "city_sections": city_sections(page),
    }


def _with_profile_relations(queryset: QuerySet[ResearcherProfile], *, photo_filter: str) -> QuerySet[ResearcherProfile]:
    """Everything a profile page or export reads, fetched in a fixed number of queries."""
    return _with_card_relations(queryset, photo_filter=photo_filter).prefetch_related(
        Prefetch("sdg_targets", queryset=SDGTarget.objects.select_related("goal")),
        "methods",
        "groups",
        Prefetch("profile_languages", queryset=ProfileLanguage.objects.select_related("language")),
        "publications",
    )


def _with_card_relations(queryset: QuerySet[ResearcherProfile], *, photo_filter: str) -> QuerySet[ResearcherProfile]:
    """What a directory card reads (``CARD_FIELDS`` and themes)."""
    return queryset.select_related("user", "affiliation", "affiliation__country").prefetch_related(
        Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(photo_filter)),
        "themes",
        "countries",
    )


def researchers_public() -> QuerySet[ResearcherProfile]:
    """Researchers listed in the public directory (what an anonymous visitor may open)."""
    return _with_card_relations(visibility.profiles_visible_to(None), photo_filter=DIRECTORY_PHOTO)


def _directory_base() -> QuerySet[ResearcherProfile]:
    return _with_card_relations(visibility.profiles_visible_to(None), photo_filter=DIRECTORY_PHOTO)


RESEARCHERS = FacetedList(
    key="researchers",
    filterset=ResearcherFilter,
    base=_directory_base,  # the anonymous directory; ``researchers_directory`` gives the viewer's
    facets=tuple(FacetDef(name) for name in RESEARCHER_FACETS),  # counted together: one UNION query
    chips=RESEARCHER_FACETS,
    page_size=RESEARCHERS_PER_PAGE,
    # The counts depend on what a viewer may see of others' profiles, and on their own profile; on the raw
    # values rather than the cleaned ones, because an unknown or malformed value is shown back in its facet.
    cache_parts=lambda filterset: (researcher_filter_key(filterset.data), aggregates.viewer_key(filterset.viewer)),
    count_facets=researcher_facet_rows,
)


def researchers_directory(*, params, viewer) -> Listing:
    """The directory as ``viewer`` sees it: one page of the profiles they may see that match ``params``, the facets
    with counts and how many profiles match (the counts from the aggregate cache, per filter values and viewer)."""
    base = visibility.profiles_visible_to(viewer).filter(is_public=True)
    cards = _with_card_relations(base, photo_filter=DIRECTORY_PHOTO)
    return RESEARCHERS.listing(params, queryset=cards, viewer=viewer)


def researcher_for_page(*, pk: int, viewer) -> ResearcherProfile | None:
    """One profile the viewer may open (listed, or their own), with everything its page shows."""
    queryset = _with_profile_relations(visibility.profiles_visible_to(viewer), photo_filter=PAGE_PHOTO)
    return queryset.filter(pk=pk).first()


def city_researchers(*, organisation_id: int, limit: int = 24) -> list[ResearcherProfile]:
    """Listed researchers who are members of a public partnership of this city (projects' data, read only)."""
    return list(
        visibility.profiles_visible_to(None)
        .filter(
            pk__in=ResearcherProfile.objects.filter(
                user__partnerships__partnership__city_id=organisation_id,
                user__partnerships__partnership__is_public=True,
            ).values("pk")
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")[:limit]
    )


def personal_data_export(*, user: User) -> dict:
    """Everything Bridges stores about one person, as plain JSON-ready data."""

    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "account_type": user.account_type,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "memberships": [
            {
                "organisation": m.organisation.name,
                "role": m.role,
                "status": m.status,
                "message": m.message,
                "listed": m.is_listed,
                "requested_at": m.created_at.isoformat(),
            }
            for m in memberships_of(user)
        ],
        "researcher_profile": None,
    }
    profile = _with_profile_relations(ResearcherProfile.objects.filter(user=user), photo_filter=PAGE_PHOTO).first()
    if profile:
        # The owner sees every field of their own profile; the same view serialises it for everyone else.
        view = visibility.public_view(profile, user)
        data["researcher_profile"] = {
            **view.to_dict(),
            "themes": [t.name for t in profile.themes.all()],
            "sdg_targets": [t.code for t in profile.sdg_targets.all()],
            "methods": [m.name for m in profile.methods.all()],
            "groups": [g.name for g in profile.groups.all()],
            "photo": {"title": profile.photo.title, "file": profile.photo.file.name} if profile.photo else None,
            "affiliation": profile.affiliation.name if profile.affiliation else None,
            "public": profile.is_public,
            "visibility": {name: visibility.level_of(profile, name) for name in visibility.PERSONAL_FIELDS},
            "created_at": profile.created_at.isoformat(),
            "updated_at": profile.updated_at.isoformat(),
        }
    data.update(personal_data_parts(user))
    return data
