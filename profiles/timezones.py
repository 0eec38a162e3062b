"""The time zone each request's pages show times in.

Users keep no time zone of their own; organisations do (a city's calls close in its zone). So: a signed-in
member of an organisation reads times in that organisation's zone (a city official in Madrid sees the review
desk, the proposal page and their dashboard in Madrid time); everyone else, and every anonymous (cacheable)
page, reads ``settings.TIME_ZONE``. Pages about one call pass the call's zone to ``|local_time`` explicitly,
and every rendered time names its zone, so readers can always tell.

The organisation is looked up only when a page renders a time in the active zone (a lazy ``tzinfo``), so
pages without times cost no query.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from profiles.models import Membership, Organisation


def zone_for_user(user) -> str:
    """The zone of the user's approved organisation (governments first), else ``settings.TIME_ZONE``."""
    if not getattr(user, "is_authenticated", False):
        return settings.TIME_ZONE
    rows = list(
        Membership.objects.filter(user=user, status=Membership.Status.APPROVED)
        .exclude(organisation__time_zone="")
        .order_by("organisation_id")
        .values_list("organisation__kind", "organisation__time_zone")
    )
    # Local and regional governments first: their officials' work is in their city's zone.
    for kind, name in rows:
        if kind in Organisation.GOVERNMENT_KINDS:
            return name
    return rows[0][1] if rows else settings.TIME_ZONE


class LazyZone(dt.tzinfo):
    """A ``tzinfo`` that resolves its zone name on first use and then behaves as that ``ZoneInfo``."""

    def __init__(self, resolve: Callable[[], str]):
        self._resolve = resolve
        self._zone: zoneinfo.ZoneInfo | None = None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        if self._zone is None:
            try:
                self._zone = zoneinfo.ZoneInfo(self._resolve() or settings.TIME_ZONE)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                self._zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return self._zone

    def utcoffset(self, moment):
        return self.zone.utcoffset(moment)

    def dst(self, moment):
        return self.zone.dst(moment)

    def tzname(self, moment):
        return self.zone.tzname(moment)

    def fromutc(self, moment):
        return self.zone.fromutc(moment.replace(tzinfo=self.zone)).replace(tzinfo=self)

    def __str__(self) -> str:
        return self.zone.key

    def __repr__(self) -> str:
        return f"LazyZone({self._zone.key if self._zone else '…'})"


class TimeZoneMiddleware:
    """Activates the request's zone (``zone_for_user``) for the request, then restores the default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None:
            timezone.deactivate()
        else:
            timezone.activate(LazyZone(lambda: zone_for_user(user)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
