"""A small shop for the POS tests: products with EAN-13 barcodes and stock in DLA1 (ids, not ORM objects)."""
from tests.conftest import sign_in as login
from tests.factories import make_shop

HX = {"HX-Request": "true"}


def make_pos_shop(app):
    return make_shop(app, pos=True)


def text_of(response):
    """The answer's text without markup, whitespace squeezed (for assertions on what people read)."""
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
