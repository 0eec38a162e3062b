"""Template tags of indicators: a sparkline for a series of values, values with suppression, gap permissions."""

from django import template
from django.utils.safestring import mark_safe

from projects import charts
from projects.services.indicators import can_commission_gap as allowed

register = template.Library()


@register.simple_tag
def sparkline(points, label: str):
    """A small trend line of ``[{"value": …}, …]`` (suppressed values are gaps), labelled for screen readers."""
    values = [None if p.get("value") is None else float(p["value"]) for p in points]
    return mark_safe(charts.sparkline(values, label=label))  # noqa: S308 — charts escapes every text


@register.filter
def chart_value(value):
    """A number as the charts print it: thousands separated, no trailing zeros."""
    return charts.format_value(value)


@register.simple_tag(takes_context=True)
def can_commission_gap(context, organisation_id: int) -> bool:
    """Whether the reader may start a draft call for one of the city's data gaps (one query, signed-in only)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return allowed(user, organisation_id)[0]
