"""Dates as the factories' city officials see them.

A city's official works in the city's zone (``CityOrganisationFactory.time_zone``, Europe/Vienna): from 23:00 to
24:00 UTC in winter (22:00 in summer) their "today" is already the next UTC day. A test that types today's date
as an official, or checks a date the site records for one, takes it from here.
"""

import datetime as dt
import zoneinfo

from django.utils import timezone

from profiles.factories import CityOrganisationFactory

CITY_ZONE = zoneinfo.ZoneInfo(CityOrganisationFactory.time_zone)


def city_today() -> dt.date:
    """Today in the factories' cities (what a signed-in official's forms call today)."""
    return timezone.localdate(timezone=CITY_ZONE)
