"""Numbers, rates and amounts as people read them, in the request's language."""
from decimal import Decimal

import pytest

from app.core.formatting import format_money, format_number, format_percent


@pytest.mark.parametrize("lang, value, number, percent", [
    ("fr", Decimal("30.00"), "30", "30\u00a0%"),
    ("fr", Decimal("19.25"), "19,25", "19,25\u00a0%"),
    ("fr", "12.50", "12,5", "12,5\u00a0%"),
    ("en", Decimal("19.25"), "19.25", "19.25\u00a0%"),
])
def test_numbers_and_rates_follow_the_language(app, lang, value, number, percent):
    with app.test_request_context(f"/?_l_={lang}"):  # FAB's locale selector reads _l_ first
        assert format_number(value) == number
        assert format_percent(value) == percent


def test_nothing_shows_as_nothing(app):
    with app.test_request_context():
        assert format_number(None) == format_percent(None) == format_money(None) == ""
