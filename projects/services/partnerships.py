"""Writes for partnerships: creating one from an awarded proposal, registering one that exists outside a call."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calls.alerts import enqueue_instant_alerts
from calls.models import Proposal, TeamMember
from hub.models import Country
from profiles.models import Organisation, User
from profiles.services import is_coordinator
from projects.models import Partnership, PartnershipMember

# Paths under /partnerships/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"register"})


def unique_partnership_slug(title: str) -> str:
    """A slug from the title, numbered when taken."""
    base = slugify(title)[:180] or "partnership"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Partnership.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def partnership_create_from_award(*, proposal: Proposal, by: User) -> Partnership:
    """The awarded team and the awarding official become a partnership with a public page; once per proposal."""
    existing = Partnership.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    call = proposal.call
    partnership = Partnership.objects.create(
        title=proposal.title,
        slug=unique_partnership_slug(proposal.title),
        summary=proposal.summary,
        call=call,
        proposal=proposal,
        city=call.organisation,
        started_at=timezone.localdate(),
    )
    methods = list(proposal.methods.all()) or list(call.methods.all())
    partnership.methods.set(methods)
    partnership.themes.set(call.themes.all())
    team = proposal.team.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED)).select_related(
        "user", "country"
    )
    members = [
        PartnershipMember(
            partnership=partnership,
            user=m.user,
            name=m.name,
            role=m.get_role_display(),
            side=PartnershipMember.Side.RESEARCH,
            organisation=m.organisation,
            affiliation=m.affiliation,
            country=m.country,
        )
        for m in team
    ]
    team_user_ids = {m.user_id for m in team if m.user_id}
    if by.pk not in team_user_ids:
        members.append(
            PartnershipMember(
                partnership=partnership,
                user=by,
                name=by.display_name,
                role="City official",
                side=PartnershipMember.Side.CITY,
                organisation=call.organisation,
                affiliation=call.organisation.name if call.organisation else "",
                country=call.organisation.country if call.organisation else None,
            )
        )
    PartnershipMember.objects.bulk_create(members)
    if partnership.is_public:
        enqueue_instant_alerts()  # after commit, once themes and members are saved
    return partnership


@dataclass
class MemberInput:
    """One member of a registered partnership: an existing user (by email) or a named external person."""

    side: str
    email: str = ""
    name: str = ""
    role: str = ""
    organisation: Organisation | None = None
    affiliation: str = ""
    country: Country | None = None


def can_register_partnership(user) -> tuple[bool, str]:
    """Network coordinators register partnerships that exist outside a call."""
    if is_coordinator(user):
        return True, ""
    return False, _("Only network coordinators can register partnerships outside a call.")


def _members_from(inputs: list[MemberInput]) -> list[PartnershipMember]:
    """Resolve emails to accounts; every problem is reported by row, nothing is saved half-done."""
    emails = {i.email.strip().lower() for i in inputs if i.email.strip()}
    # Emails are stored as typed: match them case-insensitively.
    users = {email: User.objects.filter(email__iexact=email, is_active=True).first() for email in emails}
    errors, members, seen = [], [], set()
    for n, item in enumerate(inputs, start=1):
        email = item.email.strip().lower()
        user = users.get(email) if email else None
        if email and user is None:
            errors.append(
                _("Member %(n)s: nobody has an account with the email “%(email)s”. Add them by name instead.")
                % {"n": n, "email": item.email.strip()}
            )
            continue
        if user is not None:
            if user.pk in seen:
                errors.append(_("Member %(n)s: %(email)s is listed twice.") % {"n": n, "email": item.email.strip()})
                continue
            seen.add(user.pk)
        name = item.name.strip() or (user.display_name if user else "")
        if not name:
            errors.append(_("Member %(n)s: give an email of an account or a name.") % {"n": n})
            continue
        if item.side not in PartnershipMember.Side.values:
            errors.append(_("Member %(n)s: choose a side.") % {"n": n})
            continue
        organisation = item.organisation
        members.append(
            PartnershipMember(
                user=user,
                name=name[:200],
                role=item.role.strip()[:100],
                side=item.side,
                organisation=organisation,
                affiliation=(item.affiliation.strip() or (organisation.name if organisation else ""))[:300],
                country=item.country or (organisation.country if organisation else None),
            )
        )
    if errors:
        raise ValidationError({"members": errors})
    if not members:
        raise ValidationError({"members": _("Add at least one member: a partnership is people working together.")})
    return members


@transaction.atomic
def partnership_register(
    *,
    by: User,
    title: str,
    city: Organisation,
    members: list[MemberInput],
    summary: str = "",
    description: str = "",
    themes=(),
    sdg_targets=(),
    methods=(),
    groups=(),
    started_at: dt.date | None = None,
    website: str = "",
    is_public: bool = True,
) -> Partnership:
    """Register a collaboration that exists outside a call, with its members; coordinators only."""
    allowed, reason = can_register_partnership(by)
    if not allowed:
        raise PermissionDenied(reason)
    errors: dict[str, list] = {}
    title = title.strip()
    if not title:
        errors["title"] = [_("Give the partnership a title.")]
    if city is None or not city.is_government or not city.verified:
        errors["city"] = [_("Choose a verified local or regional government.")]
    if started_at and started_at > timezone.localdate():
        errors["started_at"] = [_("A registered partnership has already started: the date cannot be in the future.")]
    try:
        member_rows = _members_from(members)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    partnership = Partnership.objects.create(
        title=title[:300],
        slug=unique_partnership_slug(title),
        summary=summary.strip(),
        description=description.strip(),
        origin=Partnership.Origin.REGISTERED,
        city=city,
        started_at=started_at,
        website=website,
        is_public=is_public,
        registered_by=by,
    )
    partnership.themes.set(themes)
    partnership.sdg_targets.set(sdg_targets)
    partnership.methods.set(methods)
    partnership.groups.set(groups)
    for member in member_rows:
        member.partnership = partnership
    PartnershipMember.objects.bulk_create(member_rows)
    if partnership.is_public:
        enqueue_instant_alerts()
    return partnership
