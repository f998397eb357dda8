"""Every user-facing string has its English translation (French is the source language)."""
import os

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def test_english_catalog_covers_every_string(no_seed):
    found = set()
    for _, _, message, _, _ in extract_from_dir(ROOT, METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    with open(os.path.join(ROOT, "app/translations/en/LC_MESSAGES/messages.po"), "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(found - translated)
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing[:10])
