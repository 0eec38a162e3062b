"""Reads of partnerships with their visibility rule: public ones only."""

from django.db.models import Prefetch, QuerySet

from projects.models import Partnership, PartnershipMember


def partnerships_public() -> QuerySet[Partnership]:
    """Public partnerships with their city and call, newest first."""
    return Partnership.objects.filter(is_public=True).select_related("city", "city__country", "call")


def partnership_list_public() -> QuerySet[Partnership]:
    """What the list shows: public partnerships with their members' countries."""
    return partnerships_public().prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("country"))
    )


def partnership_detail_public() -> QuerySet[Partnership]:
    """What a partnership page shows: members with their countries and organisations, methods and themes."""
    return partnerships_public().prefetch_related(
        Prefetch("members", queryset=PartnershipMember.objects.select_related("country", "organisation")),
        "methods",
        "themes",
    )
