from django import template

from hub.money import format_money

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    """``{{ call.budget_max|money:call.currency }}`` → "€48,000" / "48.000 €" / "48 000 €"."""
    return format_money(value, currency)
