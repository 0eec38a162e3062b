"""Money reads as people write it in each language, with cents only when there are some."""

from decimal import Decimal

import pytest

from hub.money import format_money


@pytest.mark.parametrize(
    ("language", "whole", "cents"),
    [
        ("en", "€48,000", "€1,234.50"),
        ("es", "48.000\xa0€", "1.234,50\xa0€"),
        ("fr", "48\u202f000\xa0€", "1\u202f234,50\xa0€"),
    ],
)
def test_amounts_in_each_language(language, whole, cents):
    assert format_money(Decimal("48000.00"), "EUR", language) == whole
    assert format_money(Decimal("1234.5"), "EUR", language) == cents


def test_unknown_currency_and_empty_values():
    assert format_money(None, "EUR") == ""
    assert "10" in format_money(10, "XYZ", "en") and "XYZ" in format_money(10, "XYZ", "en")


@pytest.mark.django_db
def test_the_call_page_shows_the_budget_as_money(client, open_call):
    path = open_call.url
    english = client.get(path).content.decode()
    assert "€50,000" in english and "50000" not in english
    spanish = client.get(f"/es{path}").content.decode()
    assert "50.000\xa0€" in spanish and ".00 EUR" not in spanish
