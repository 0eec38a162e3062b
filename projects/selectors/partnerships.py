"""Reads of partnerships with their visibility rule: public ones only, except for their own members."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from hub.facets import FacetedList, related
from hub.models import Method, SDGTarget
from profiles.visibility import verified_addresses
from projects.filters import PAGE_SIZE, PartnershipFilter
from projects.models import Dataset, Indicator, Milestone, Partnership, PartnershipMember, Result


def partnerships_public() -> QuerySet[Partnership]:
    """Public partnerships with their city and call, newest first."""
    return Partnership.objects.filter(is_public=True).select_related("city", "city__country", "call")


def partnership_list_public() -> QuerySet[Partnership]:
    """What the list shows: public partnerships with their members' countries."""
    return partnerships_public().prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("country"))
    )


def partnership_list_rows(queryset: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """A page of the list with what each card shows, in a constant number of queries."""
    return queryset.prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("country")), "themes"
    )


PARTNERSHIPS = FacetedList(
    key="partnerships",
    filterset=PartnershipFilter,
    base=partnerships_public,
    facets=(
        "theme",
        "sdg",
        "method",
        related("country", "members__country__code", "members__country__name"),
        "city",
        "status",
    ),
    chips=("q", "status", "method", "sdg", "theme", "country", "city"),  # most narrowing first
    page_size=PAGE_SIZE,
    rows=partnership_list_rows,
)


partnerships_filtered = PARTNERSHIPS.filtered


def partnership_detail_public() -> QuerySet[Partnership]:
    """What a partnership page shows: members with their countries and organisations, methods and themes."""
    return partnerships_public().prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("country", "organisation")),
        Prefetch("methods", queryset=Method.objects.select_related("page")),
        "themes",
        "groups",
        Prefetch("sdg_targets", queryset=_sdg_targets()),
    )


def _sdg_targets():

    return SDGTarget.objects.select_related("goal")


def is_late(milestone: Milestone, today: dt.date) -> bool:
    """Past its due date and neither done nor dropped."""
    return milestone.due_date < today and milestone.status not in (Milestone.Status.DONE, Milestone.Status.DROPPED)


@dataclass
class PartnershipOutcomes:
    """What a partnership produced, as shown on its public page."""

    results: list[Result]
    datasets: list[Dataset]
    indicators: list[Indicator]
    milestones: list[Milestone]


def partnership_outcomes(partnership: Partnership, *, today: dt.date | None = None) -> PartnershipOutcomes:
    """Public results, datasets, indicators and the public timeline of a partnership (four queries)."""
    today = today or timezone.localdate()
    results = list(Result.objects.public(today=today).filter(partnership=partnership))
    datasets = list(Dataset.objects.public().filter(partnership=partnership))
    indicator_ids = Indicator.objects.filter(
        Q(partnerships=partnership) | Q(observations__partnership=partnership)
    ).values("pk")
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).select_related("theme"))
    milestones = list(partnership.milestones.filter(is_public=True).order_by("due_date", "pk"))
    for milestone in milestones:
        milestone.is_late = is_late(milestone, today)
    return PartnershipOutcomes(results, datasets, indicators, milestones)


def is_member(user, partnership: Partnership) -> bool:
    """Whether the user is in the partnership (any side)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return PartnershipMember.objects.filter(partnership=partnership, user=user).exists()


def partnership_invitations_for(user) -> list[PartnershipMember]:
    """Invitations to join a partnership sent to any of the user's verified addresses, not answered yet."""
    addresses = verified_addresses(user)
    if not addresses:
        return []
    return list(
        PartnershipMember.objects.filter(
            invited_email__in=addresses, user__isnull=True, joined_at__isnull=True, token__isnull=False
        )
        .select_related("partnership__city")
        .order_by("-pk")
    )


def partnerships_of(user) -> QuerySet[Partnership]:
    """The user's partnerships (any side, public or not), newest first."""
    return Partnership.objects.with_member(user).select_related("city", "call").order_by("-created_at")
