"""Who may see which part of a researcher's profile: the one rule every channel applies.

Each personal field of a :class:`~profiles.models.ResearcherProfile` (see
``ResearcherProfile.VISIBILITY_FIELDS``) has its own setting: everyone (``public``),
signed-in users only (``members``) or only the researcher (``hidden``). The research
interests (themes, SDG targets, methods, groups in focus), the name and the headline are
always shown on a listed profile; an unlisted profile (``is_public=False``) is shown to
nobody but its owner.

The profile page, the researcher directory and its facet counts, the personal data
export, search and the open data API all go through this module:

``allowed_levels(viewer)``
    the visibility levels a viewer may see (``{"public"}`` or ``{"public", "members"}``).
``can_see(profile, field, viewer)`` / ``visible_fields(profile, viewer)``
    whether one field, or which fields, of one profile the viewer may see; the owner sees all.
``public_view(profile, viewer)``
    a :class:`ProfileView`: the profile with every field the viewer may not see blanked
    out; render or serialise this, never the profile itself.
``profiles_visible_to(viewer)``
    the profiles a viewer may open at all (listed and active, plus their own).
``can_see_photo_file(name, viewer)``
    whether a stored photo file (or rendition) may be sent to the viewer: the photo route's rule.
``visible_q(field, viewer)`` / ``restrict(queryset, field, viewer)``
    the database condition "this field is visible to the viewer", so that filtering or
    counting on a field never matches a profile whose field is hidden from the viewer.

Every form that finds a person (a result's authors, a proposal's team, reviewers, the members
of a registered partnership) goes through the lookups at the end of this module:

``profile_by_orcid(orcid, viewer)``
    the profile found by an ORCID iD only where the viewer could read that iD on the profile
    anyway; an unknown, unlisted or hidden iD all give the same ``None``.
``shown_to(profile, field, audience)`` / ``facts_shown_to(profile, audience)``
    what the researcher shows to ``EVERYONE`` or to any ``SIGNED_IN`` person, whoever looks:
    the only fields another record (a published result, a proposal's team) may copy.
``account_for_address(email)``
    the account whose *verified* address this is, to address an invitation in the site rather
    than by email; never to tell the person who typed the address whether it exists.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wagtail.images import get_image_model

from allauth.account.models import EmailAddress

from profiles.emails import normalise_email
from profiles.models import ResearcherProfile, User, Visibility

PERSONAL_FIELDS: tuple[str, ...] = tuple(ResearcherProfile.VISIBILITY_FIELDS)

_SIGNED_IN = frozenset({Visibility.PUBLIC, Visibility.MEMBERS})
_ANONYMOUS = frozenset({Visibility.PUBLIC})
# Audiences of a copy made for others: a public record (``EVERYONE``) or a private one that signed-in people
# other than the researcher read (``SIGNED_IN``: a proposal's team, its city and reviewers).
EVERYONE = _ANONYMOUS
SIGNED_IN = _SIGNED_IN


def _is_signed_in(viewer) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_active)


def allowed_levels(viewer) -> frozenset[str]:
    """The visibility levels this viewer may see on other people's profiles."""
    return _SIGNED_IN if _is_signed_in(viewer) else _ANONYMOUS


def is_owner(profile: ResearcherProfile, viewer) -> bool:
    return _is_signed_in(viewer) and profile.user_id == viewer.pk


def _check_field(name: str) -> str:
    if name not in ResearcherProfile.VISIBILITY_FIELDS:
        raise ValueError(f"{name!r} is not a personal field; choose one of {', '.join(PERSONAL_FIELDS)}")
    return ResearcherProfile.VISIBILITY_FIELDS[name]


def level_of(profile: ResearcherProfile, name: str) -> str:
    """The visibility the researcher chose for one personal field."""
    return getattr(profile, _check_field(name))


def can_see(profile: ResearcherProfile, name: str, viewer) -> bool:
    """May ``viewer`` see the personal field ``name`` of ``profile``?"""
    return is_owner(profile, viewer) or level_of(profile, name) in allowed_levels(viewer)


def visible_fields(profile: ResearcherProfile, viewer) -> frozenset[str]:
    """The personal fields of ``profile`` that ``viewer`` may see (all of them for the owner)."""
    if is_owner(profile, viewer):
        return frozenset(PERSONAL_FIELDS)
    levels = allowed_levels(viewer)
    return frozenset(name for name in PERSONAL_FIELDS if level_of(profile, name) in levels)


def profiles_visible_to(viewer, queryset: QuerySet[ResearcherProfile] | None = None) -> QuerySet[ResearcherProfile]:
    """Profiles the viewer may open: listed profiles of active users, and the viewer's own."""
    queryset = ResearcherProfile.objects.all() if queryset is None else queryset
    listed = Q(is_public=True, user__is_active=True)
    if _is_signed_in(viewer):
        return queryset.filter(listed | Q(user=viewer))
    return queryset.filter(listed)


def can_see_photo_file(name: str, viewer) -> bool:
    """May ``viewer`` see this stored file: the photo, or a rendition of the photo, of a profile they may open and
    whose photo they may see? (``profiles.storage`` keeps photos not shown to everyone where only this lets them out.)"""
    rendition_model = get_image_model().get_rendition_model()
    of_rendition = rendition_model.objects.filter(file=name).values("image_id")
    profile = (
        profiles_visible_to(viewer)
        .filter(Q(photo__file=name) | Q(photo__in=of_rendition))
        .select_related("user")
        .first()
    )
    return profile is not None and can_see(profile, "photo", viewer)


def visible_q(name: str, viewer, *, prefix: str = "") -> Q:
    """The condition "field ``name`` of the profile is visible to ``viewer``".

    ``prefix`` reaches the profile through a relation, e.g. ``"user__researcher_profile__"``.
    """
    visibility_field = _check_field(name)
    condition = Q(**{f"{prefix}{visibility_field}__in": sorted(allowed_levels(viewer))})
    if _is_signed_in(viewer):
        condition |= Q(**{f"{prefix}user": viewer})
    return condition


def restrict(queryset: QuerySet, name: str, viewer, *, prefix: str = "") -> QuerySet:
    """Keep only rows whose profile shows field ``name`` to ``viewer``; apply before filtering on that field."""
    return queryset.filter(visible_q(name, viewer, prefix=prefix))


@dataclass(frozen=True)
class ProfileView:
    """What one viewer may see of one profile. Hidden fields are ``None`` (or empty lists).

    ``profile`` is there for the always-public parts (name, headline, themes, SDG targets,
    methods, groups, URL); read personal fields from the view's own attributes only.
    """

    profile: ResearcherProfile
    visible: frozenset[str]
    is_owner: bool
    # The visible fields that were read (all of ``visible`` unless ``public_view(only=…)`` narrowed it).
    loaded: frozenset[str] = frozenset()
    photo: Any = None
    affiliation: Any = None
    orcid: str | None = None
    orcid_url: str | None = None
    career_stage: str | None = None
    career_stage_label: str | None = None
    is_early_career: bool | None = None
    countries: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    bio: str | None = None
    publications: list = field(default_factory=list)
    is_available: bool | None = None
    available_from: dt.date | None = None
    # For the owner: field → the chosen level's label, to say who sees what.
    levels: dict[str, str] = field(default_factory=dict)

    def shows(self, name: str) -> bool:
        """Is this personal field visible to the viewer and filled in on this view?"""
        return name in self.loaded

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data of everything visible (for exports, the API and search documents)."""
        profile = self.profile
        data: dict[str, Any] = {
            "id": profile.pk,
            "name": profile.user.display_name,
            "headline": profile.headline,
            "url": profile.get_absolute_url(),
            "themes": [t.slug for t in profile.themes.all()],
            "sdg_targets": [t.code for t in profile.sdg_targets.all()],
            "methods": [m.slug for m in profile.methods.all()],
            "groups": [g.slug for g in profile.groups.all()],
        }
        if self.shows("photo"):
            data["photo"] = self.photo.file.url if self.photo else None
        if self.shows("affiliation"):
            data["affiliation"] = self.affiliation.name if self.affiliation else None
        if self.shows("orcid"):
            data["orcid"] = self.orcid or None
        if self.shows("career_stage"):
            data["career_stage"] = self.career_stage
        if self.shows("countries"):
            data["countries"] = [c.code for c in self.countries]
        if self.shows("languages"):
            data["languages"] = [{"language": pl.language.code, "level": pl.level} for pl in self.languages]
        if self.shows("bio"):
            data["bio"] = self.bio
        if self.shows("publications"):
            data["publications"] = [
                {"title": p.title, "year": p.year, "doi": p.doi or None, "url": p.url or None}
                for p in self.publications
            ]
        if self.shows("availability"):
            data["available"] = self.is_available
            data["available_from"] = self.available_from.isoformat() if self.available_from else None
        return data


def public_view(profile: ResearcherProfile, viewer, *, only: Iterable[str] | None = None) -> ProfileView:
    """The profile as ``viewer`` may see it.

    ``only`` limits which personal fields are read (a listing that shows a few of them need not
    prefetch the rest); ``visible`` still names every field the viewer may see. On listings,
    prefetch ``countries``, ``profile_languages__language`` and ``publications`` as far as they are read.
    """
    visible = visible_fields(profile, viewer)
    owner = is_owner(profile, viewer)
    wanted = visible if only is None else visible & frozenset(only)
    values: dict[str, Any] = {}
    if "photo" in wanted:
        values["photo"] = profile.photo
    if "affiliation" in wanted:
        values["affiliation"] = profile.affiliation
    if "orcid" in wanted:
        values["orcid"] = profile.orcid
        values["orcid_url"] = profile.orcid_url
    if "career_stage" in wanted:
        values["career_stage"] = profile.career_stage
        values["career_stage_label"] = profile.get_career_stage_display()
        values["is_early_career"] = profile.is_early_career
    if "countries" in wanted:
        values["countries"] = list(profile.countries.all())
    if "languages" in wanted:
        values["languages"] = list(profile.profile_languages.all())
    if "bio" in wanted:
        values["bio"] = profile.bio
    if "publications" in wanted:
        values["publications"] = list(profile.publications.all())
    if "availability" in wanted:
        values["is_available"] = profile.is_available
        values["available_from"] = profile.available_from
    levels = {}
    if owner:
        labels = dict(Visibility.choices)
        levels = {name: str(labels[level_of(profile, name)]) for name in PERSONAL_FIELDS}
    return ProfileView(profile=profile, visible=visible, is_owner=owner, loaded=wanted, levels=levels, **values)


# --- Finding a person ----------------------------------------------------------------------------


def profile_by_orcid(orcid: str, viewer) -> ResearcherProfile | None:
    """The profile the viewer may open whose ORCID iD ``orcid`` the viewer may read, else None.

    An unknown iD, the iD of an unlisted profile and an iD its researcher hides all give None, so that the
    answer tells the viewer nothing they could not read on the profile pages.
    """
    if not orcid:
        return None
    return restrict(profiles_visible_to(viewer), "orcid", viewer).filter(orcid=orcid).select_related("user").first()


def shown_to(profile: ResearcherProfile, name: str, audience: frozenset[str]) -> bool:
    """Does the researcher show the personal field ``name`` to ``audience`` (``EVERYONE`` or ``SIGNED_IN``)?"""
    return level_of(profile, name) in audience


def facts_shown_to(profile: ResearcherProfile, audience: frozenset[str]) -> frozenset[str]:
    """The personal fields the researcher shows to ``audience``: the only ones a copy for that audience may take."""
    return frozenset(name for name in PERSONAL_FIELDS if shown_to(profile, name, audience))


def account_for_address(email: str) -> User | None:
    """The active account whose verified address is ``email`` or a variant of it (``normalise_email``), else None.

    For choosing how to deliver an invitation (in the site, or by email to sign up); what the inviting person is
    told must never depend on it.
    """
    email = normalise_email(email)
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return address.user if address is not None else None


def verified_addresses(user) -> list[str]:
    """The canonical forms of the signed-in user's verified addresses (where invitations to them are matched)."""
    if not _is_signed_in(user):
        return []
    return [
        normalise_email(e)
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]


def owns_address(user, email: str) -> bool:
    """Has this signed-in user verified the address ``email``?"""
    if not _is_signed_in(user) or not email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=normalise_email(email), verified=True).exists()


__all__ = [
    "EVERYONE",
    "PERSONAL_FIELDS",
    "SIGNED_IN",
    "ProfileView",
    "account_for_address",
    "allowed_levels",
    "can_see",
    "can_see_photo_file",
    "verified_addresses",
    "facts_shown_to",
    "is_owner",
    "level_of",
    "owns_address",
    "profile_by_orcid",
    "profiles_visible_to",
    "public_view",
    "restrict",
    "shown_to",
    "visible_fields",
    "visible_q",
]
