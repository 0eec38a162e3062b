"""Issue 18 §3, the reads: who sees which comments and events, the people one may mention, and the reviews released
to a team (anonymised). The writes are in calls/services/dialogue.py."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from calls.models import (
    Audience,
    Proposal,
    ProposalActivity,
    ProposalComment,
    ReviewAssignment,
    ReviewScore,
    TeamMember,
)
from calls.selectors import proposal_roles, proposals_visible_to
from profiles.models import Membership, Organisation, User

# What each role reads and writes. A reply takes its thread's audience, which its author can always read.
SEES = {
    "team": {Audience.TEAM, Audience.TEAM_CITY, Audience.EVERYONE},
    "city": {Audience.TEAM_CITY, Audience.INTERNAL, Audience.EVERYONE},
    "reviewer": {Audience.INTERNAL, Audience.EVERYONE},
}
WRITES = {
    "team": [Audience.TEAM, Audience.TEAM_CITY],
    "city": [Audience.TEAM_CITY, Audience.INTERNAL],
    "reviewer": [Audience.INTERNAL],
}
ACTIVITY_LIMIT = 50


def audiences_seen(roles: set[str]) -> set[str]:
    return {a.value for role in roles for a in SEES.get(role, ())}


def audiences_written(roles: set[str]) -> list[str]:
    """The audiences a user may choose for a new comment, in the order the form offers them."""
    return [a.value for a in (Audience.TEAM, Audience.TEAM_CITY, Audience.INTERNAL) if a in audiences_seen(roles)]


def visible_proposal(user: User, pk: int) -> Proposal | None:
    """The proposal when the user may see it (team, the call's city, an assigned reviewer), else None."""
    return proposals_visible_to(user).filter(pk=pk).first()


def comments_visible_to(user: User, proposal: Proposal, roles: set[str] | None = None) -> QuerySet[ProposalComment]:
    """The comments of ``proposal`` the user may read: nothing at all when the proposal is not theirs to see."""
    if not proposals_visible_to(user).filter(pk=proposal.pk).exists():
        return ProposalComment.objects.none()
    roles = proposal_roles(user, proposal) if roles is None else roles
    return ProposalComment.objects.filter(proposal=proposal, visibility__in=audiences_seen(roles))


def hides_team(proposal: Proposal, roles: set[str]) -> bool:
    """Blind review: a reviewer who is neither on the team nor an official of the city never learns the team."""
    return proposal.call.blind_review and "reviewer" in roles and not roles & {"team", "city"}


def author_label(comment: ProposalComment, *, hide_team: bool) -> str:
    if hide_team and comment.author_role == ProposalComment.AuthorRole.TEAM:
        return _("Applicant team")
    if comment.author is None:
        return _("Former member")
    return comment.author.display_name


def threads(user: User, proposal: Proposal, roles: set[str]) -> list[dict]:
    """The visible comments as threads (oldest first, replies under their comment) in one query."""
    hide = hides_team(proposal, roles)
    rows = list(comments_visible_to(user, proposal, roles).select_related("author", "attachment"))
    by_parent: dict[int | None, list] = {}
    for comment in rows:
        comment.author_label = author_label(comment, hide_team=hide)
        comment.role_label = (
            _("Applicant team")
            if comment.author_role == ProposalComment.AuthorRole.TEAM
            else comment.get_author_role_display()
        )
        by_parent.setdefault(comment.parent_id, []).append(comment)
    return [{"comment": c, "replies": by_parent.get(c.pk, [])} for c in by_parent.get(None, [])]


def people_with_roles(proposal: Proposal) -> dict[int, tuple[User, set[str]]]:
    """Everyone who can read something of the proposal, with their roles (three queries)."""
    people: dict[int, tuple[User, set[str]]] = {}

    def add(user: User, role: str) -> None:
        people.setdefault(user.pk, (user, set()))[1].add(role)

    team = TeamMember.objects.filter(
        Q(role=TeamMember.Role.LEAD) | Q(status=TeamMember.Status.ACCEPTED), proposal=proposal, user__isnull=False
    ).select_related("user")
    for member in team:
        add(member.user, "team")
    if proposal.lead_id:
        add(proposal.lead, "team")
    if proposal.status in Proposal.SUBMITTED_STATES:
        officials = Membership.objects.filter(
            organisation_id=proposal.call.organisation_id,
            organisation__verified=True,
            organisation__kind__in=Organisation.GOVERNMENT_KINDS,
            status=Membership.Status.APPROVED,
        ).select_related("user")
        for membership in officials:
            add(membership.user, "city")
        reviewers = ReviewAssignment.objects.filter(
            proposal=proposal,
            reviewer__isnull=False,
            status__in=[ReviewAssignment.Status.ACCEPTED, ReviewAssignment.Status.SUBMITTED],
        ).select_related("reviewer")
        for assignment in reviewers:
            add(assignment.reviewer, "reviewer")
    return {pk: (user, roles) for pk, (user, roles) in people.items() if user.is_active}


def mention_candidates(user: User, proposal: Proposal, roles: set[str]) -> list[tuple[User, set[str]]]:
    """The people the user may mention: those who can read at least one audience the user writes to. A team
    member is never offered reviewers, nor a reviewer the team (blind review or not: they share no audience)."""
    writes = set(audiences_written(roles))
    blind = hides_team(proposal, roles)
    found = []
    for pk, (person, person_roles) in people_with_roles(proposal).items():
        if blind and "team" in person_roles:
            continue
        if pk != user.pk and writes & audiences_seen(person_roles):
            found.append((person, person_roles))
    return sorted(found, key=lambda item: item[0].display_name.lower())


def activity_visible_to(user: User, proposal: Proposal, roles: set[str]) -> list[ProposalActivity]:
    """The newest events of the proposal the user may see (no names: the log says what happened, not who)."""
    if not audiences_seen(roles):
        return []
    events = list(
        ProposalActivity.objects.filter(proposal=proposal, audience__in=audiences_seen(roles))[:ACTIVITY_LIMIT]
    )
    labels = dict(Proposal.Status.choices)
    for event in events:
        event.status_label = labels.get(event.data.get("status"), "")
    return events


# --- Reviews released to the team ----------------------------------------------------------------------------------


def reviews_released(proposal: Proposal, now: dt.datetime) -> bool:
    """Whether the call shows this proposal's reviews to its team now (the call's choice, issue 18 §3)."""
    call = proposal.call
    if call.review_release == "after_decision":
        return proposal.status in Proposal.DECIDED
    if call.review_release == "response_stage":
        opened = call.response_opens_at is not None and now >= call.response_opens_at
        return proposal.status in Proposal.SUBMITTED_STATES and opened
    return False


def response_open(proposal: Proposal, now: dt.datetime) -> bool:
    """The team may answer the reviews: the response stage runs and the city has not decided yet."""
    call = proposal.call
    return (
        call.review_release == "response_stage"
        and reviews_released(proposal, now)
        and call.response_closes_at is not None
        and now < call.response_closes_at
        and proposal.status not in Proposal.DECIDED
        and proposal.status != Proposal.Status.WITHDRAWN
    )


def _shuffle_key(assignment_id: int) -> str:
    # A fixed order that follows neither who was invited first nor who answered first.
    return hashlib.sha256(f"{settings.SECRET_KEY}:review-order:{assignment_id}".encode()).hexdigest()


def released_reviews(proposal: Proposal) -> list[dict]:
    """The submitted reviews as the team reads them: "Review 1, 2 …", scores per criterion and comments; never the
    reviewer, the dates or the order they came in (two queries)."""
    assignments = list(
        ReviewAssignment.objects.filter(proposal=proposal, status=ReviewAssignment.Status.SUBMITTED).only(
            "pk", "comments"
        )
    )
    scores: dict[int, list] = {}
    for score in (
        ReviewScore.objects.filter(assignment__in=[a.pk for a in assignments])
        .select_related("criterion")
        .order_by("criterion__sort_order", "criterion_id")
    ):
        scores.setdefault(score.assignment_id, []).append(
            {"criterion": score.criterion.name, "weight": score.criterion.weight, "score": score.score}
        )
    ordered = sorted(assignments, key=lambda a: _shuffle_key(a.pk))
    return [
        {"number": number, "scores": scores.get(a.pk, []), "comments": a.comments}
        for number, a in enumerate(ordered, start=1)
    ]


def officials_of(proposal: Proposal) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(
            organisation_id=proposal.call.organisation_id, status=Membership.Status.APPROVED
        ).values("user_id"),
        is_active=True,
    )
