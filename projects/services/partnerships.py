"""Writes for partnerships: creating one from an awarded proposal, registering one that exists outside a call."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calls.alerts import enqueue_instant_alerts
from calls.models import Proposal, TeamMember
from hub.mail import send_templated
from hub.models import Country
from profiles.emails import normalise_email
from profiles.models import Organisation, User
from profiles.services import is_coordinator, save_with_free_slug
from profiles.visibility import EVERYONE, account_for_address, owns_address, shown_to
from projects.models import Partnership, PartnershipMember

# Paths under /partnerships/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"register", "join"})


def unique_partnership_slug(title: str) -> str:
    """A slug from the title, numbered when taken."""
    base = slugify(title)[:180] or "partnership"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Partnership.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _public_facts(member: TeamMember) -> dict:
    """What of a team member goes on the public partnership page: what the lead typed for someone without a
    profile, else only what the member's profile shows to everyone (a proposal was read by few; this page by all)."""
    profile = getattr(member.user, "researcher_profile", None) if member.user_id else None
    if profile is None:
        return {"organisation": member.organisation, "affiliation": member.affiliation, "country": member.country}
    public_affiliation = shown_to(profile, "affiliation", EVERYONE)
    return {
        "organisation": member.organisation if public_affiliation else None,
        "affiliation": member.affiliation if public_affiliation else "",
        "country": member.country if public_affiliation or shown_to(profile, "countries", EVERYONE) else None,
    }


@transaction.atomic
def partnership_create_from_award(*, proposal: Proposal, by: User) -> Partnership:
    """The awarded team and the awarding official become a partnership with a public page; once per proposal."""
    existing = Partnership.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    call = proposal.call
    partnership = Partnership(
        title=proposal.title,
        slug=unique_partnership_slug(proposal.title),
        summary=proposal.summary,
        call=call,
        proposal=proposal,
        city=call.organisation,
        started_at=timezone.localdate(),
    )
    try:
        save_with_free_slug(partnership, next_slug=lambda: unique_partnership_slug(proposal.title))
    except IntegrityError:
        # Created for this proposal by a concurrent award: that partnership is the one.
        existing = Partnership.objects.filter(proposal=proposal).first()
        if existing is None:
            raise
        return existing
    methods = list(proposal.methods.all()) or list(call.methods.all())
    partnership.methods.set(methods)
    partnership.themes.set(call.themes.all())
    team = proposal.team.filter(Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED)).select_related(
        "user__researcher_profile", "organisation", "country"
    )
    members = [
        PartnershipMember(
            partnership=partnership,
            user=m.user,
            name=m.name,
            role=m.get_role_display(),
            side=PartnershipMember.Side.RESEARCH,
            **_public_facts(m),
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
    """The member rows; every problem is reported by row, nothing is saved half-done.

    An email address is never looked up here: it becomes an invitation to that address, and the person joins (gets
    the workspace) by answering it, so the answer is the same whether or not the address has an account.
    """
    errors, members, seen = [], [], set()
    for n, item in enumerate(inputs, start=1):
        email = normalise_email(item.email)
        if email:
            if email in seen:
                errors.append(_("Member %(n)s: %(email)s is listed twice.") % {"n": n, "email": item.email.strip()})
                continue
            seen.add(email)
        name = item.name.strip()
        if not name:
            errors.append(
                _("Member %(n)s: type their name (with an email address we will also email them an invitation).")
                % {"n": n}
                if email
                else _("Member %(n)s: give a name, and an email address to invite them to the workspace.") % {"n": n}
            )
            continue
        if item.side not in PartnershipMember.Side.values:
            errors.append(_("Member %(n)s: choose a side.") % {"n": n})
            continue
        organisation = item.organisation
        members.append(
            PartnershipMember(
                name=name[:200],
                role=item.role.strip()[:100],
                side=item.side,
                organisation=organisation,
                affiliation=(item.affiliation.strip() or (organisation.name if organisation else ""))[:300],
                country=item.country or (organisation.country if organisation else None),
                invited_email=email,
                token=uuid.uuid4() if email else None,
            )
        )
    if errors:
        raise ValidationError({"members": errors})
    if not members:
        raise ValidationError({"members": _("Add at least one member: a partnership is people working together.")})
    return members


def email_member_invitation(*, member_id: int) -> None:
    """Invite a registered member to join the workspace: in the site if the address has an account, else to sign up.

    Only the address's owner reads the difference; the coordinator is told "we will email them" either way.
    """
    member = PartnershipMember.objects.select_related("partnership__city").filter(pk=member_id).first()
    if member is None or member.user_id is not None or member.token is None:
        return
    send_templated(
        "projects/partnerships/email/member_invitation",
        {
            "member": member,
            "partnership": member.partnership,
            "has_account": account_for_address(member.invited_email) is not None,
            "invitation_url": reverse("partnership_join", args=[member.token]),
        },
        to=[member.invited_email],
    )


def join_problem(member: PartnershipMember, user) -> str:
    """Why this signed-in user cannot join through this invitation, or ""."""
    if not owns_address(user, member.invited_email):
        return _(
            "This invitation was sent to another email address. Sign in with the address it was sent to, and "
            "confirm that address first if you have just signed up."
        )
    if member.user_id is not None or member.joined_at is not None:
        return _("This invitation was already answered.")
    if PartnershipMember.objects.filter(partnership_id=member.partnership_id, user=user).exists():
        return _("You are already a member of this partnership.")
    return ""


@transaction.atomic
def partnership_join(*, member: PartnershipMember, user: User, accept: bool) -> PartnershipMember:
    """The invited person joins the partnership (its workspace) or declines; the row keeps the name typed for it."""
    member = PartnershipMember.objects.select_for_update().get(pk=member.pk)
    problem = join_problem(member, user)
    if problem:
        raise PermissionDenied(problem)
    if accept:
        member.user = user
    member.joined_at = timezone.now()
    member.save(update_fields=["user", "joined_at"])
    return member


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
    partnership = Partnership(
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
    save_with_free_slug(partnership, next_slug=lambda: unique_partnership_slug(title))
    partnership.themes.set(themes)
    partnership.sdg_targets.set(sdg_targets)
    partnership.methods.set(methods)
    partnership.groups.set(groups)
    for member in member_rows:
        member.partnership = partnership
        member.save()
        if member.invited_email:
            transaction.on_commit(lambda pk=member.pk: email_member_invitation(member_id=pk))
    if partnership.is_public:
        enqueue_instant_alerts()
    return partnership
