"""Machine-readable values in templates: never localised, in the forms validators accept."""

import datetime as dt

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def iso(value) -> str:
    """An ISO 8601 date or date-time for ``<time datetime>``, feeds and data attributes.

    Date-times are given to the second with their offset, in the time zone the page shows
    ("2027-01-05T22:21:16+01:00"); ``|date:'c'`` writes six fractional digits, which the HTML checker
    refuses in ``datetime``.
    """
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
