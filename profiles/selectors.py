"""Reads with their visibility rules for profiles, organisations and cities."""

from django.db.models import Count, Prefetch, Q, QuerySet

from profiles.filters import OrganisationFilter
from profiles.models import CityPage, Membership, Organisation, ResearcherProfile, User


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
    from profiles.services import is_coordinator

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
    from profiles.services import can_manage_memberships

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
    return CityPage.objects.live().public().select_related("organisation", "organisation__country").order_by("title")


def city_page_context(page: CityPage) -> dict:
    """What a city page shows besides its own fields (higher apps add theirs through the registry)."""
    from hub.registry import city_sections

    organisation = (
        Organisation.objects.select_related("country").prefetch_related("networks").get(pk=page.organisation_id)
    )
    return {
        "organisation": organisation,
        "members": organisation_listed_members(organisation)[:24],
        "city_sections": city_sections(page),
    }


def researchers_public() -> QuerySet[ResearcherProfile]:
    """Researchers listed in the public directory."""
    return (
        ResearcherProfile.objects.filter(is_public=True, user__is_active=True)
        .select_related("user", "affiliation", "affiliation__country")
        .prefetch_related("themes", "methods", "countries", "languages")
    )


def personal_data_export(*, user: User) -> dict:
    """Everything Bridges stores about one person, as plain JSON-ready data."""
    from allauth.account.models import EmailAddress

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
    profile = (
        ResearcherProfile.objects.filter(user=user)
        .select_related("affiliation")
        .prefetch_related(Prefetch("themes"), "methods", "countries", "languages")
        .first()
    )
    if profile:
        data["researcher_profile"] = {
            "career_stage": profile.career_stage,
            "headline": profile.headline,
            "bio": profile.bio,
            "affiliation": profile.affiliation.name if profile.affiliation else None,
            "themes": [t.name for t in profile.themes.all()],
            "methods": [m.name for m in profile.methods.all()],
            "countries": [c.code for c in profile.countries.all()],
            "languages": [lang.code for lang in profile.languages.all()],
            "public": profile.is_public,
        }
    return data
