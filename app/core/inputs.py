"""Reading values typed by people or sent by scripts: the one input layer of every domain.

Two ways to use it, with the same limits and the same French messages:

- a reader alone raises `FieldError` (a ValueError with a French message)::

      price = inputs.money(form["price"], required=False)          # Decimal in whole francs, or None

- a `FieldErrors` collects the problems of a whole body and raises one 422::

      errors = FieldErrors()
      store_id = read_id(body.get("store"), "store", errors)
      for index, raw in enumerate(body.get("items") or []):
          field = path("items", index)                            # "items[0]"
          read_quantity(raw.get("quantity"), f"{field}.quantity", errors)
      errors.raise_if_any()                                       # ValidationFailed {"items[0].quantity": [...]}

  `check(field, reader, value, ...)` reads one value and raises ValidationFailed at once.

Field paths: `name`, `items[0].quantity` (list index in brackets, attribute after a dot).
Limits: a quantity is 1..MAX_QUANTITY (0..MAX_QUANTITY for a count, ±MAX_QUANTITY for a signed
change); an amount is below MAX_AMOUNT, in whole units of the currency (XAF: whole francs);
an id is a row id (1..MAX_ID).
"""
import datetime as dt
import re
from decimal import Decimal

from babel.numbers import get_currency_symbol
from flask_babel import lazy_gettext as _l

from .errors import ValidationFailed
from .ids import MAX_ID
from .money import currency_unit, to_money

MISSING = object()  # "not sent" (keep the current value), unlike None ("sent empty")
MAX_QUANTITY = 100_000  # one line, one movement, one count: far above a shop's, inside the integer columns
MAX_AMOUNT = Decimal("1000000000000")
MAX_TEXT = 255


class FieldError(ValueError):
    """One field's French message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _empty(value):
    return value is None or value is MISSING or (isinstance(value, str) and not value.strip())


def path(*parts):
    """path("items", 0, "quantity") -> "items[0].quantity"."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- readers: value -> clean value, or FieldError ------------------------------------------------

def row(value, *, required=True):
    """A row id (int, or its digits) within the integer column."""
    if _empty(value):
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return None
    if isinstance(value, bool):
        raise FieldError(_l("Identifiant invalide."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise FieldError(_l("Identifiant invalide.")) from None
    if not 0 < number <= MAX_ID or (isinstance(value, float) and value != number):
        raise FieldError(_l("Identifiant invalide."))
    return number


_QUANTITY_MESSAGES = {
    1: _l("Quantité entière positive attendue."),
    0: _l("Quantité entière positive ou nulle attendue."),
    None: _l("Quantité entière non nulle attendue."),
}


def quantity(value, *, minimum=1, required=True, strict=False):
    """A whole number of units: minimum=1 (a line), 0 (a count) or None (a signed change, not 0).

    Typed text ("3") and whole floats are read; `strict` takes only an int (a ledger call's).
    """
    message = _QUANTITY_MESSAGES[minimum]
    if _empty(value) and not strict:
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return None
    if (isinstance(value, bool) or isinstance(value, float) and not value.is_integer()
            or strict and not isinstance(value, int)):
        raise FieldError(message)
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise FieldError(message) from None
    if abs(number) > MAX_QUANTITY or (minimum is None and number == 0) or (minimum is not None and number < minimum):
        raise FieldError(message)
    return number


# "12 500" as people write it: thousands in groups of three, apart by any kind of space
# (Excel and Word put U+00A0 or U+202F), an optional decimal part after a comma or a dot.
_GROUPED_AMOUNT = re.compile(r"^[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
# "12.500" or "1.250.000": a dot between groups of three, thousands to some, decimals to others.
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
MAX_SHOWN = 40


def shown(value):
    """A refused value as a message repeats it: on one line, cut when long."""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


SPOKEN_CURRENCY = {"XAF": ("CFA", "F")}  # "12 500 F", as price tags in Cameroon say it


def _currency_words(currency):
    """What may follow an amount: the currency's code, its French symbol (XAF: "FCFA", also
    spaced "F CFA") and how people shorten it, longest first."""
    words = {currency.upper(), get_currency_symbol(currency, locale="fr").upper(), *SPOKEN_CURRENCY.get(currency, ())}
    return sorted(words, key=len, reverse=True)


def _amount_text(text, currency):
    """Typed money text as plain digits: "12 500 FCFA" -> "12500". Raises FieldError."""
    typed = text
    text = " ".join(text.split())  # every kind of space, as one ordinary space
    for word in _currency_words(currency):
        if text.upper().replace(" ", "").endswith(word.replace(" ", "")):
            cut, letters = len(text), len(word.replace(" ", ""))
            while letters:  # drop the word, however it was spaced ("F CFA", "FCFA")
                cut -= 1
                letters -= text[cut] != " "
            text = text[:cut].rstrip()
            break
    if " " in text:
        if not _GROUPED_AMOUNT.match(text):
            raise FieldError(_l("Montant invalide : « %(value)s ».", value=shown(typed)))
        text = text.replace(" ", "")
    if currency_unit(currency) == 1 and _DOTTED_THOUSANDS.match(text):
        raise FieldError(_l("Montant ambigu : « %(value)s ». Séparez les milliers par des espaces (12 500).",
                            value=shown(typed)))
    return text


def money(value, *, currency="XAF", required=True, default=None, positive=False):
    """An amount >= 0 (> 0 when positive), in whole units of the currency: a JSON number, or text
    as people type it ("12500", "12 500", "12 500 FCFA"). The refused value is repeated."""
    if _empty(value):
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return default
    invalid = _l("Montant invalide : « %(value)s ».", value=shown(value))
    try:
        amount = to_money(_amount_text(value, currency) if isinstance(value, str) else value)
    except FieldError:
        raise
    except ValueError:
        raise FieldError(invalid) from None
    if amount < 0 or (positive and amount == 0):
        raise FieldError(_l("Montant positif attendu.") if positive else _l("Le montant ne peut pas être négatif."))
    if amount >= MAX_AMOUNT:
        raise FieldError(_l("Montant trop grand."))
    if amount % currency_unit(currency):
        raise FieldError(_l("Montant en unités entières de la devise attendu (pas de centimes en FCFA)."))
    return amount


def boolean(value, *, default=False):
    if value is None or value is MISSING:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes", "oui"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "off", "no", "non", ""):
        return False
    raise FieldError(_l("Valeur oui/non invalide."))


def text(value, *, required=False, max_length=MAX_TEXT):
    """Stripped text (None when empty)."""
    if _empty(value):
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return None
    if not isinstance(value, str):
        raise FieldError(_l("Texte invalide."))
    if len(value.strip()) > max_length:
        raise FieldError(_l("Texte trop long."))
    return value.strip()


def date(value, *, required=False):
    """A date given as a date or as ISO text (2026-03-31)."""
    if _empty(value):
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldError(_l("Date invalide (AAAA-MM-JJ).")) from None


def choice(value, choices, *, required=True):
    """One of `choices` (a collection of accepted values)."""
    if _empty(value):
        if required:
            raise FieldError(_l("Champ obligatoire."))
        return None
    if value not in choices:
        raise FieldError(_l("Valeur inconnue."))
    return value


# --- collecting the errors of a body -------------------------------------------------------------

class FieldErrors(dict):
    """field path -> [messages]; `raise_if_any()` turns them into one 422."""

    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def read(self, field, reader, value, *args, **kwargs):
        """reader(value, ...) or None, the FieldError noted under `field`."""
        try:
            return reader(value, *args, **kwargs)
        except FieldError as exc:
            self.add(field, exc.message)
            return kwargs.get("default")

    def nest(self, prefix, errors):
        """Note another check's errors (a ValidationFailed's) under `prefix`: items[0] + quantity."""
        for field, messages in errors.items():
            for message in messages:
                self.add(f"{prefix}.{field}" if field else prefix, message)

    def raise_if_any(self, message=None):
        if self:
            raise ValidationFailed(message, errors=dict(self))


def check(field, reader, value, *args, **kwargs):
    """One value read at once: the clean value, or ValidationFailed {field: [message]}."""
    try:
        return reader(value, *args, **kwargs)
    except FieldError as exc:
        raise ValidationFailed(errors={field: [exc.message]}) from None


# The collecting forms the services use: read_x(value, field, errors, ...).
def read_id(value, field, errors, required=True):
    return errors.read(field, row, value, required=required)


def read_quantity(value, field, errors, minimum=1):
    return errors.read(field, quantity, value, minimum=minimum)


def read_money(value, field, errors, *, currency="XAF", required=True, default=None, positive=False):
    return errors.read(field, money, value, currency=currency, required=required, default=default, positive=positive)


def read_bool(value, field, errors, default=False):
    return errors.read(field, boolean, value, default=default)


def read_text(value, field, errors, *, required=False, max_length=MAX_TEXT):
    return errors.read(field, text, value, required=required, max_length=max_length)


def serial_list(text):
    """Serials (or codes) typed one per line, or separated by commas / spaces."""
    return [part for part in (text or "").replace(",", "\n").split() if part.strip()]
