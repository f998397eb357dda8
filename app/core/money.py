"""Money: Decimal everywhere, Numeric(14, 2) in the database, never float."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from sqlalchemy import Numeric

MoneyColumn = Numeric(14, 2, asdecimal=True)
CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    """Parse a JSON number, a decimal string or a Decimal into a 2-place Decimal.

    Raises ValueError on anything else (floats are converted through str so that
    15000.1 stays 15000.10, not 15000.1000000000003638).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("not an amount")
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError("not an amount") from exc
    if not amount.is_finite():
        raise ValueError("not an amount")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # beyond Decimal's 28 digits, e.g. 1e308: no amount of ours
        raise ValueError("not an amount") from exc


def money_text(value):
    """An amount as API answers and audit rows write it: '15000.00' (None stays None)."""
    return None if value is None else str(Decimal(value).quantize(CENT))


def currency_unit(currency="XAF") -> Decimal:
    """The smallest amount of the currency: 1 for XAF, 0.01 for EUR."""
    return Decimal(1).scaleb(-get_currency_precision(currency or "XAF"))
