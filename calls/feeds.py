"""Subscriptions to calls: an Atom feed and an iCalendar file of deadlines, both filtered like /calls/."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed

from calls.filters import calls_filtered
from hub.public_address import absolute_url

FEED_LIMIT = 200


def feed_calls(params) -> list:
    """Published calls matching the /calls/ filters in ``params``, at most FEED_LIMIT."""
    filterset, _facets = calls_filtered(params, with_facets=False)
    return list(filterset.ordered_qs[:FEED_LIMIT])


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose entry summaries are plain text (``type="text"``): Django marks them ``html``, which would make
    readers take "<" or "&amp;" in a call's summary for markup."""

    def add_item_elements(self, handler, item):
        description = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if description is not None:
            handler.addQuickElement("summary", description, {"type": "text"})


class CallsAtomFeed(Feed):
    """New and current research calls as Atom (RFC 4287).

    Every address is absolute on ``SITE_BASE_URL``; the feed's id is its own address (each filtered feed is a
    feed of its own), each entry's id a stable address of the call, and each entry names its author: the city
    that commissions the call (the hub is the feed's author).
    """

    feed_type = PlainTextAtomFeed
    title = "Bridges — research calls"
    subtitle = "Calls for human-rights research commissioned by cities."
    author_name = "Bridges"

    def get_object(self, request, *args, **kwargs):
        return request  # the feed object is shared by every request: nothing is stored on it

    def link(self):
        return absolute_url("/calls/")

    def feed_url(self, request):
        return absolute_url(request.get_full_path())

    def feed_guid(self, request):
        return absolute_url(request.get_full_path())

    def author_link(self):
        return absolute_url("/")

    def items(self, request):
        return feed_calls(request.GET)

    def item_title(self, call):
        return f"{call.title} ({call.organisation.name})" if call.organisation else call.title

    def item_description(self, call):
        closes = call.local_closes_at
        return f"{call.summary}\n\nDeadline: {closes:%Y-%m-%d %H:%M} ({call.time_zone})"

    def item_link(self, call):
        return absolute_url(call.url)

    def item_guid(self, call):
        return absolute_url(f"/calls/{call.pk}")

    def item_author_name(self, call):
        return call.organisation.name if call.organisation else self.author_name

    def item_author_link(self, call):
        if not call.organisation:
            return absolute_url("/")
        with translation.override(settings.LANGUAGE_CODE):  # the city's page in the feed's language, always
            return absolute_url(call.organisation.get_absolute_url())

    def item_pubdate(self, call):
        return call.first_published_at

    def item_updateddate(self, call):
        # atom:updated is required on every entry.
        return call.last_published_at or call.first_published_at or call.latest_revision_created_at


def ics_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # back up to the start of a multi-byte character
        parts.append(encoded[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calls_calendar(calls, *, base_url: str, now: dt.datetime | None = None) -> str:
    """An iCalendar with one VEVENT per call deadline, lines CRLF-terminated and folded."""
    stamp = _utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bridges//Research call deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Bridges research call deadlines",
    ]
    host = urlsplit(base_url).netloc or "bridges"
    for call in calls:
        url = f"{base_url.rstrip('/')}{call.url or ''}"
        city = call.organisation.name if call.organisation else ""
        description = f"{call.summary}\n\n{url}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:call-{call.pk}-deadline@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(call.closes_at - dt.timedelta(hours=1))}",
            f"DTEND:{_utc(call.closes_at)}",
            f"SUMMARY:{ics_escape(f'Deadline: {call.title} ({city})')}",
            f"URL:{url}",
            f"DESCRIPTION:{ics_escape(description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)


def calls_ics(request):
    """/calls.ics: the deadlines of the calls matching the query's filters."""
    body = calls_calendar(feed_calls(request.GET), base_url=settings.SITE_BASE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bridges-calls.ics"'
    return response
