"""Call status and deadlines: pure functions of aware datetimes (no request, no ORM).

Editors type local times in the city's time zone; ``localize`` turns them into aware
datetimes and refuses the times that do not exist (clocks go forward) or exist twice
(clocks go back) on that day, so a deadline is never silently an hour off.
"""

import datetime as dt
import enum
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(enum.StrEnum):
    UPCOMING = "upcoming"
    CONSULTATION = "consultation"
    OPEN = "open"
    CLOSED = "closed"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    Status.UPCOMING: pgettext_lazy("call status", "Upcoming"),
    Status.CONSULTATION: _("In public consultation"),
    Status.OPEN: pgettext_lazy("call status", "Open"),
    Status.CLOSED: pgettext_lazy("call status", "Closed"),
    Status.AWARDED: pgettext_lazy("call status", "Awarded"),
    Status.CANCELLED: pgettext_lazy("call status", "Cancelled"),
}


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist, or exists twice, in a time zone."""


def localize(naive: dt.datetime, zone: str) -> dt.datetime:
    """The aware datetime for a wall-clock time in ``zone``; refuses DST gaps and overlaps."""
    if naive.tzinfo is not None:
        raise ValueError("localize() takes a naive datetime")
    tz = zoneinfo.ZoneInfo(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Round-tripping through UTC tells a gap (the time is skipped) from an overlap.
        round_trip = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise LocalTimeError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks go forward that night. "
                "Choose a time outside the skipped hour."
            )
        raise LocalTimeError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {zone}: the clocks go back that night. "
            "Choose a time outside the repeated hour."
        )
    return first


def to_local(moment: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` as wall-clock time in ``zone`` (still aware)."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


@dataclass(frozen=True)
class CallDates:
    opens_at: dt.datetime
    closes_at: dt.datetime
    consultation_opens_at: dt.datetime | None = None
    full_proposal_closes_at: dt.datetime | None = None
    awarded_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None


def call_status(dates: CallDates, now: dt.datetime) -> Status:
    """Cancelled and awarded win; otherwise the dates decide. The closing instant is already closed."""
    if dates.cancelled_at is not None:
        return Status.CANCELLED
    if dates.awarded_at is not None:
        return Status.AWARDED
    if now < dates.opens_at:
        if dates.consultation_opens_at is not None and dates.consultation_opens_at <= now:
            return Status.CONSULTATION
        return Status.UPCOMING
    if now < dates.closes_at:
        return Status.OPEN
    return Status.CLOSED


def submission_deadline(dates: CallDates, *, full_stage: bool) -> dt.datetime:
    """The deadline that applies to a proposal of the given stage."""
    if full_stage and dates.full_proposal_closes_at is not None:
        return dates.full_proposal_closes_at
    return dates.closes_at


def accepts_submissions(dates: CallDates, now: dt.datetime, *, full_stage: bool = False) -> bool:
    """Whether a proposal of that stage may be submitted at ``now`` (deadline exclusive)."""
    if dates.cancelled_at is not None or dates.awarded_at is not None:
        return False
    if full_stage:
        return now < submission_deadline(dates, full_stage=True)
    return dates.opens_at <= now < dates.closes_at


def dates_problems(dates: CallDates) -> dict[str, str]:
    """Field → message for dates that contradict each other."""
    problems: dict[str, str] = {}
    if dates.closes_at <= dates.opens_at:
        problems["closes_at"] = "The call must close after it opens."
    if dates.consultation_opens_at is not None and dates.consultation_opens_at >= dates.opens_at:
        problems["consultation_opens_at"] = "The consultation must start before the call opens."
    if dates.full_proposal_closes_at is not None and dates.full_proposal_closes_at <= dates.closes_at:
        problems["full_proposal_closes_at"] = "Full proposals must be due after the concept-note deadline."
    return problems


def time_left(deadline: dt.datetime, now: dt.datetime) -> dt.timedelta:
    """Time until the deadline, never negative."""
    return max(deadline - now, dt.timedelta(0))


def humanize_time_left(delta: dt.timedelta) -> str:
    """“3 days, 4 hours” / “2 hours, 5 minutes” / “closed”: the two largest units."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "closed"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    # The largest unit and the one right below it: "2 days, 5 minutes" would skip the hours.
    first = next((i for i, (n, _unit) in enumerate(parts) if n), None)
    if first is None:
        return "less than a minute"
    shown = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts[first : first + 2] if n]
    return ", ".join(shown)
