"""Deadline logic across time zones and daylight-saving changes, and the weights rule (pure, no database)."""

import datetime as dt

import pytest

from calls import deadlines, scoring
from calls.deadlines import CallDates, LocalTimeError, Status, localize

UTC = dt.UTC
OPENS = dt.datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CLOSES = dt.datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
CONSULTATION = dt.datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)


def dates(**changes) -> CallDates:
    return CallDates(**{"opens_at": OPENS, "closes_at": CLOSES, **changes})


@pytest.mark.parametrize(
    ("call", "now", "status"),
    [
        (dates(), OPENS - SECOND, Status.UPCOMING),
        (dates(), OPENS, Status.OPEN),
        (dates(), CLOSES - SECOND, Status.OPEN),
        (dates(), CLOSES, Status.CLOSED),  # the closing instant is already closed
        (dates(), CLOSES + SECOND, Status.CLOSED),
        (dates(consultation_opens_at=CONSULTATION), CONSULTATION - SECOND, Status.UPCOMING),
        (dates(consultation_opens_at=CONSULTATION), CONSULTATION, Status.CONSULTATION),
        (dates(consultation_opens_at=CONSULTATION), OPENS - SECOND, Status.CONSULTATION),
        (dates(consultation_opens_at=CONSULTATION), OPENS, Status.OPEN),
        (dates(awarded_at=CLOSES + SECOND), CLOSES + 2 * SECOND, Status.AWARDED),
        (dates(cancelled_at=OPENS), OPENS + SECOND, Status.CANCELLED),
        (dates(cancelled_at=OPENS, awarded_at=CLOSES), CLOSES, Status.CANCELLED),
    ],
)
def test_status_at_each_boundary(call, now, status):
    assert deadlines.call_status(call, now) == status


@pytest.mark.parametrize(
    ("call", "now", "full_stage", "accepts"),
    [
        (dates(), OPENS - SECOND, False, False),
        (dates(), OPENS, False, True),
        (dates(), CLOSES - SECOND, False, True),
        (dates(), CLOSES, False, False),
        (dates(cancelled_at=OPENS), OPENS + SECOND, False, False),
        (dates(awarded_at=OPENS), OPENS + SECOND, False, False),
        (dates(full_proposal_closes_at=CLOSES + dt.timedelta(days=30)), CLOSES + SECOND, True, True),
        (dates(full_proposal_closes_at=CLOSES + dt.timedelta(days=30)), CLOSES + dt.timedelta(days=30), True, False),
        (dates(full_proposal_closes_at=CLOSES + dt.timedelta(days=30)), CLOSES + SECOND, False, False),
    ],
)
def test_accepts_submissions_until_the_deadline_of_the_stage(call, now, full_stage, accepts):
    assert deadlines.accepts_submissions(call, now, full_stage=full_stage) is accepts


@pytest.mark.parametrize(
    ("zone", "wall", "utc"),
    [
        ("Europe/Vienna", dt.datetime(2027, 3, 1, 12, 0), dt.datetime(2027, 3, 1, 11, 0)),
        ("Europe/Vienna", dt.datetime(2027, 7, 1, 12, 0), dt.datetime(2027, 7, 1, 10, 0)),
        ("America/Bogota", dt.datetime(2027, 7, 1, 23, 59), dt.datetime(2027, 7, 2, 4, 59)),
        ("Asia/Seoul", dt.datetime(2027, 1, 1, 0, 0), dt.datetime(2026, 12, 31, 15, 0)),
        ("Pacific/Auckland", dt.datetime(2027, 1, 15, 17, 0), dt.datetime(2027, 1, 15, 4, 0)),
        ("Pacific/Auckland", dt.datetime(2027, 7, 15, 17, 0), dt.datetime(2027, 7, 15, 5, 0)),
        ("America/Toronto", dt.datetime(2027, 11, 8, 17, 0), dt.datetime(2027, 11, 8, 22, 0)),
    ],
)
def test_localize_interprets_wall_clock_time_in_the_city(zone, wall, utc):
    assert localize(wall, zone).astimezone(UTC) == utc.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "wall", "message"),
    [
        ("Europe/Vienna", dt.datetime(2027, 3, 28, 2, 30), "does not exist"),
        ("America/Toronto", dt.datetime(2027, 3, 14, 2, 0), "does not exist"),
        ("Pacific/Auckland", dt.datetime(2027, 9, 26, 2, 15), "does not exist"),
        ("Europe/Vienna", dt.datetime(2027, 10, 31, 2, 30), "happens twice"),
        ("America/Toronto", dt.datetime(2027, 11, 7, 1, 30), "happens twice"),
        ("Pacific/Auckland", dt.datetime(2027, 4, 4, 2, 45), "happens twice"),
    ],
)
def test_localize_refuses_times_skipped_or_repeated_by_dst(zone, wall, message):
    with pytest.raises(LocalTimeError, match=message):
        localize(wall, zone)


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        ("Europe/Vienna", dt.datetime(2027, 3, 28, 1, 59)),
        ("Europe/Vienna", dt.datetime(2027, 3, 28, 3, 0)),
        ("Europe/Vienna", dt.datetime(2027, 10, 31, 3, 0)),
        ("America/Bogota", dt.datetime(2027, 3, 14, 2, 30)),
        ("Asia/Seoul", dt.datetime(2027, 3, 28, 2, 30)),
    ],
)
def test_localize_accepts_times_just_outside_the_change_and_zones_without_dst(zone, wall):
    assert localize(wall, zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    ("zone", "before", "after", "hours"),
    [
        # Spring forward: the local day is 23 hours long, so two days at noon are 47 hours apart.
        ("Europe/Vienna", dt.datetime(2027, 3, 27, 12), dt.datetime(2027, 3, 29, 12), 47),
        ("America/Toronto", dt.datetime(2027, 3, 13, 12), dt.datetime(2027, 3, 15, 12), 47),
        ("Pacific/Auckland", dt.datetime(2027, 9, 25, 12), dt.datetime(2027, 9, 27, 12), 47),
        # Fall back: a 25-hour day.
        ("Europe/Vienna", dt.datetime(2027, 10, 30, 12), dt.datetime(2027, 11, 1, 12), 49),
        ("Pacific/Auckland", dt.datetime(2027, 4, 3, 12), dt.datetime(2027, 4, 5, 12), 49),
        # No DST: always whole days.
        ("America/Bogota", dt.datetime(2027, 3, 13, 12), dt.datetime(2027, 3, 15, 12), 48),
        ("Asia/Seoul", dt.datetime(2027, 3, 27, 12), dt.datetime(2027, 3, 29, 12), 48),
    ],
)
def test_deadlines_across_a_dst_change_keep_their_wall_clock_time(zone, before, after, hours):
    apart = localize(after, zone) - localize(before, zone)

    assert apart == dt.timedelta(hours=48)  # arithmetic within one zone is wall-clock time...
    utc_apart = localize(after, zone).astimezone(UTC) - localize(before, zone).astimezone(UTC)
    assert utc_apart == dt.timedelta(hours=hours)  # ...but real elapsed time differs by the DST hour
    assert deadlines.to_local(localize(after, zone).astimezone(UTC), zone).hour == 12


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(0), "closed"),
        (-dt.timedelta(hours=1), "closed"),
        (dt.timedelta(seconds=30), "less than a minute"),
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(minutes=5, seconds=59), "5 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=2, minutes=5), "2 hours, 5 minutes"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=3, hours=4, minutes=10), "3 days, 4 hours"),
        (dt.timedelta(days=2, minutes=5), "2 days"),
        (dt.timedelta(days=30), "30 days"),
    ],
)
def test_humanize_time_left(delta, text):
    assert deadlines.humanize_time_left(delta) == text


def test_time_left_is_never_negative():
    assert deadlines.time_left(CLOSES, CLOSES + SECOND) == dt.timedelta(0)
    assert deadlines.time_left(CLOSES, CLOSES - SECOND) == SECOND


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        (dates(), set()),
        (dates(closes_at=OPENS), {"closes_at"}),
        (dates(closes_at=OPENS - SECOND), {"closes_at"}),
        (dates(consultation_opens_at=OPENS), {"consultation_opens_at"}),
        (dates(full_proposal_closes_at=CLOSES), {"full_proposal_closes_at"}),
    ],
)
def test_dates_problems(call, fields):
    assert set(deadlines.dates_problems(call)) == fields


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([100], ""),
        ([30, 30, 25, 15], ""),
        ([30, 30, 25], "The criteria's weights add up to 85; they must add up to 100."),
        ([60, 60], "The criteria's weights add up to 120; they must add up to 100."),
        ([], "Add at least one evaluation criterion."),
        ([100, 0], "Every criterion needs a weight above 0."),
        ([110, -10], "Every criterion needs a weight above 0."),
    ],
)
def test_weights_must_add_up_to_100(weights, message):
    assert scoring.weights_problem(weights) == message
