"""Conflicts of interest between reviewers and proposals (issue 18 §2), for many pairs at once.

Computed for many proposals × many reviewers in a fixed number of queries:

- team: the reviewer leads or is on the proposal's team;
- organisation: the reviewer and the team share a current organisation (membership or affiliation);
- affiliation: the reviewer and a team member were at the same organisation within the call's ``conflict_years``
  (the profiles' affiliation history; a current affiliation or membership counts as "until now");
- co-authorship: a DOI among the reviewer's publications is among a team member's;
- partnership: an app above calls says they work together (the ``review_conflicts`` hook; projects answers it
  with its partnerships).

Each conflict has two wordings: the city's (who, where, which DOI) and the reviewer's (no team names, so that a
blind reviewer learns nothing of the team from it).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail import hooks

from calls.models import Proposal, ResearchCall, TeamMember
from profiles.emails import normalise_email
from profiles.models import AffiliationPeriod, Membership, Organisation, Publication, ResearcherProfile, User


@dataclass(frozen=True)
class Conflict:
    """One reason a reviewer may not review a proposal, in the city's words and in the reviewer's."""

    kind: str  # team / organisation / affiliation / coauthor / partnership
    for_city: str
    for_reviewer: str


# -- conflicts ------------------------------------------------------------------------------------------------------


@dataclass
class _Team:
    users: dict[int, str] = field(default_factory=dict)  # user id → name
    emails: set[str] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)


def _teams(proposals: Sequence[Proposal]) -> dict[int, _Team]:
    teams = {p.pk: _Team() for p in proposals}
    for p in proposals:
        teams[p.pk].users[p.lead_id] = p.lead.display_name
        teams[p.pk].emails.add(normalise_email(p.lead.email))
    rows = (
        TeamMember.objects.filter(proposal__in=[p.pk for p in proposals])
        .exclude(status=TeamMember.Status.DECLINED)
        .values_list("proposal_id", "user_id", "email", "name", "organisation_id")
    )
    for proposal_id, user_id, email, name, organisation_id in rows:
        team = teams[proposal_id]
        if user_id:
            team.users.setdefault(user_id, name)
        if email:
            team.emails.add(normalise_email(email))
        if organisation_id:
            team.organisations.add(organisation_id)
    return teams


def _current_organisations(user_ids: set[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=user_ids, status=Membership.Status.APPROVED
    ).values_list("user_id", "organisation_id"):
        found[user_id].add(organisation_id)
    for user_id, organisation_id in ResearcherProfile.objects.filter(
        user_id__in=user_ids, affiliation__isnull=False
    ).values_list("user_id", "affiliation_id"):
        found[user_id].add(organisation_id)
    return found


def _recent_affiliations(user_ids: set[int], since_year: int) -> dict[int, dict[int, str]]:
    """user → organisation → the years there ("2019–2023"), for periods that reach ``since_year`` or later."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    rows = AffiliationPeriod.objects.filter(profile__user_id__in=user_ids).filter(
        Q(end_year__isnull=True) | Q(end_year__gte=since_year)
    )
    for user_id, organisation_id, start, end in rows.values_list(
        "profile__user_id", "organisation_id", "start_year", "end_year"
    ):
        found[user_id][organisation_id] = f"{start}–{end}" if end else _("%(start)s–now") % {"start": start}
    return found


def _dois(user_ids: set[int]) -> dict[int, dict[str, bool]]:
    """user → DOI (lower-case) → whether its owner shows their publications to signed-in users."""
    found: dict[int, dict[str, bool]] = defaultdict(dict)
    rows = Publication.objects.filter(profile__user_id__in=user_ids).exclude(doi="")
    for user_id, doi, visibility in rows.values_list("profile__user_id", "doi", "profile__publications_visibility"):
        found[user_id][doi.lower()] = visibility != "hidden"
    return found


def _partnership_conflicts(reviewer_ids: set[int], team_user_ids: set[int]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for answer in hooks.get_hooks("review_conflicts"):
        for reviewer_id, team_user_id, what in answer(reviewer_ids=reviewer_ids, team_user_ids=team_user_ids):
            found.setdefault((reviewer_id, team_user_id), what)
    return found


def conflicts_for(
    call: ResearchCall, proposals: Sequence[Proposal], reviewers: Iterable[User], *, now: dt.datetime | None = None
) -> dict[tuple[int, int], list[Conflict]]:
    """(proposal id, reviewer id) → the conflicts found; pairs without any are absent. Constant queries."""
    reviewers = {r.pk: r for r in reviewers}
    if not proposals or not reviewers:
        return {}
    teams = _teams(proposals)
    team_users = {uid for team in teams.values() for uid in team.users}
    people = team_users | set(reviewers)
    current = _current_organisations(people)
    since = (now or timezone.now()).year - call.conflict_years
    recent = _recent_affiliations(people, since)
    dois = _dois(people)
    partnerships = _partnership_conflicts(set(reviewers), team_users)
    organisation_ids = {o for orgs in current.values() for o in orgs} | {o for r in recent.values() for o in r}
    organisation_ids |= {o for team in teams.values() for o in team.organisations}
    names = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    found: dict[tuple[int, int], list[Conflict]] = {}
    for proposal in proposals:
        team = teams[proposal.pk]
        team_organisations = set(team.organisations)
        for uid in team.users:
            team_organisations |= current.get(uid, set())
        for reviewer_id, reviewer in reviewers.items():
            conflicts = []
            if reviewer_id in team.users or normalise_email(reviewer.email) in team.emails:
                conflicts.append(Conflict("team", _("On the proposal's team."), _("You are on the proposal's team.")))
            else:
                shared = sorted(names.get(o, "") for o in current.get(reviewer_id, set()) & team_organisations)
                if shared:
                    conflicts.append(
                        Conflict(
                            "organisation",
                            _("Works at %(organisation)s, like the team.") % {"organisation": ", ".join(shared)},
                            _("You share an organisation with the proposal's team."),
                        )
                    )
                for uid, name in team.users.items():
                    conflicts += _pair_conflicts(
                        call, reviewer_id, uid, name, recent, dois, partnerships, names, current
                    )
            if conflicts:
                found[(proposal.pk, reviewer_id)] = conflicts
    return found


def _pair_conflicts(call, reviewer_id, uid, name, recent, dois, partnerships, names, current) -> list[Conflict]:
    conflicts = []
    mine = recent.get(reviewer_id, {})
    theirs = dict(recent.get(uid, {}))
    for organisation_id in current.get(uid, set()):
        theirs.setdefault(organisation_id, _("now"))
    for organisation_id in current.get(reviewer_id, set()) | set(mine):
        if organisation_id in theirs and organisation_id in mine:
            conflicts.append(
                Conflict(
                    "affiliation",
                    _(
                        "Was at %(organisation)s (%(years)s) within the last %(n)s years, as was %(name)s "
                        "(%(their_years)s)."
                    )
                    % {
                        "organisation": names.get(organisation_id, ""),
                        "years": mine[organisation_id],
                        "n": call.conflict_years,
                        "name": name,
                        "their_years": theirs[organisation_id],
                    },
                    _("You shared an affiliation with a member of the proposal's team within the last %(n)s years.")
                    % {"n": call.conflict_years},
                )
            )
    shared_dois = sorted(set(dois.get(reviewer_id, {})) & set(dois.get(uid, {})))
    if shared_dois:
        shown = [d for d in shared_dois if dois[reviewer_id][d] and dois[uid][d]]
        conflicts.append(
            Conflict(
                "coauthor",
                (
                    _("Co-author with %(name)s (DOI %(dois)s).") % {"name": name, "dois": ", ".join(shown)}
                    if shown
                    else _("Co-author with %(name)s (a publication both list on their profiles).") % {"name": name}
                ),
                _("You co-authored a publication with a member of the proposal's team."),
            )
        )
    partnership = partnerships.get((reviewer_id, uid))
    if partnership:
        conflicts.append(
            Conflict(
                "partnership",
                _("Works with %(name)s in the partnership “%(partnership)s”.")
                % {"name": name, "partnership": partnership},
                _("You work in a partnership with a member of the proposal's team."),
            )
        )
    return conflicts


def reviewer_conflict_reasons(*, proposal: Proposal, reviewer: User) -> list[str]:
    """The conflicts of one pair, in the reviewer's words (used when they declare)."""
    found = conflicts_for(proposal.call, [proposal], [reviewer])
    return list(dict.fromkeys(c.for_reviewer for c in found.get((proposal.pk, reviewer.pk), [])))
