"""Writes for partnerships: creating one from an awarded proposal."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from calls.alerts import enqueue_instant_alerts
from calls.models import Proposal, TeamMember
from profiles.models import User
from projects.models import Partnership, PartnershipMember


def unique_partnership_slug(title: str) -> str:
    """A slug from the title, numbered when taken."""
    base = slugify(title)[:180] or "partnership"
    slug, n = base, 2
    while Partnership.objects.filter(slug=slug).exists():
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
