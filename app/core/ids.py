"""Row ids as the database stores them: PostgreSQL `integer`, 1 .. 2**31 - 1.

A larger number in a URL or a body is no row of ours: refusing it here answers 404 / 422
instead of letting PostgreSQL fail on an out-of-range parameter (a 500).
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:pk>` everywhere: a number beyond the integer column matches no route (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_row_id(value):
    """A JSON value naming a row: a whole number (or its ASCII digits) within the integer column."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            return False
        value = int(value)
    return isinstance(value, int) and 0 < value <= MAX_ID


def row_id(raw):
    """int(raw) when it names a row, else ValueError: also usable as `request.args.get(name, type=row_id)`."""
    if not is_row_id(raw):
        raise ValueError("not a row id")
    return int(raw)


def row_id_or_none(raw):
    """A form or query value naming a row, else None (a select left empty, a hand-edited URL)."""
    return int(raw) if is_row_id(raw) else None
