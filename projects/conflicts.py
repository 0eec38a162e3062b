"""What projects answers to ``review_conflicts`` (hub/hooks.py): reviewers who work in a partnership with a team
member of a proposal are in conflict with it, whatever the partnership's status or visibility (the city is told its
title, as it is told of co-authorship)."""

from collections.abc import Iterable

from projects.models import PartnershipMember


def partnership_conflicts(*, reviewer_ids: set[int], team_user_ids: set[int]) -> Iterable[tuple[int, int, str]]:
    """(reviewer id, team member's user id, the partnership's title) for each pair in one partnership; one query."""
    if not reviewer_ids or not team_user_ids:
        return []
    rows = PartnershipMember.objects.filter(user_id__in=reviewer_ids | team_user_ids).values_list(
        "partnership_id", "user_id", "partnership__title"
    )
    members: dict[int, set[int]] = {}
    titles: dict[int, str] = {}
    for partnership_id, user_id, title in rows:
        members.setdefault(partnership_id, set()).add(user_id)
        titles[partnership_id] = title
    found = []
    for partnership_id, users in sorted(members.items()):
        for reviewer_id in users & reviewer_ids:
            for team_user_id in (users & team_user_ids) - {reviewer_id}:
                found.append((reviewer_id, team_user_id, titles[partnership_id]))
    return found
