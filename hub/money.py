"""Amounts of money as people read them in each language: "€48,000", "48.000 €", "48 000 €".

Babel holds the Unicode CLDR patterns (symbol placement, grouping, decimal mark); cents are shown
only when there are some.
"""

import copy
import functools
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language, to_locale

from babel import Locale, UnknownLocaleError
from babel.numbers import UnknownCurrencyError, format_decimal, parse_pattern


@functools.lru_cache(maxsize=64)
def _locale_and_pattern(locale_name: str):
    """The CLDR locale and its parsed currency pattern (parsing costs more than formatting: once per language)."""
    try:
        locale = Locale.parse(locale_name)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return locale, parse_pattern(locale.currency_formats["standard"].pattern)


def format_money(value, currency: str, language: str | None = None) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    locale, shared = _locale_and_pattern(to_locale(language or get_language() or "en"))
    pattern = copy.copy(shared)  # frac_prec is set per amount below
    whole = amount == amount.to_integral_value()
    pattern.frac_prec = (0, 0) if whole else (2, 2)
    try:
        return pattern.apply(amount, locale, currency=(currency or "").upper() or None, currency_digits=False)
    except UnknownCurrencyError:
        return f"{format_decimal(amount, locale=locale)} {currency}"
