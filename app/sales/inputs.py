"""Reading values typed by people or sent by scripts: ids, quantities, amounts.

Services call these so that the REST API and the POS pages refuse the same inputs with
the same French field messages (collected in a `FieldErrors`, raised as ValidationFailed).
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..core.errors import ValidationFailed
from ..core.ids import MAX_ID
from ..core.money import to_money
from .totals import currency_unit

MISSING = object()


class FieldErrors(dict):
    """field -> [messages]; `raise_if_any()` turns them into one 422."""

    def add(self, field, message):
        self.setdefault(field, []).append(message)

    def raise_if_any(self, message=None):
        if self:
            raise ValidationFailed(message, errors=dict(self))


def read_id(value, field, errors, required=True):
    if value is None or value == "":
        if required:
            errors.add(field, _l("Champ obligatoire."))
        return None
    if isinstance(value, bool):
        errors.add(field, _l("Identifiant invalide."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        errors.add(field, _l("Identifiant invalide."))
        return None
    if not 0 < number <= MAX_ID or (isinstance(value, float) and value != number):
        errors.add(field, _l("Identifiant invalide."))
        return None
    return number


def read_quantity(value, field, errors):
    if value is None or value == "":
        errors.add(field, _l("Champ obligatoire."))
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        errors.add(field, _l("Quantité entière positive attendue."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        errors.add(field, _l("Quantité entière positive attendue."))
        return None
    if number <= 0 or number > 100000:
        errors.add(field, _l("Quantité entière positive attendue."))
        return None
    return number


def read_money(value, field, errors, *, currency="XAF", required=True, default=None, positive=False):
    """A JSON number or a decimal string, in whole units of the currency (XAF: francs)."""
    if value is None or value == "":
        if required:
            errors.add(field, _l("Champ obligatoire."))
        return default
    try:
        amount = to_money(value)
    except ValueError:
        errors.add(field, _l("Montant invalide."))
        return None
    if amount < 0 or (positive and amount == 0):
        errors.add(field, _l("Montant positif attendu.") if positive else _l("Le montant ne peut pas être négatif."))
        return None
    if amount >= Decimal("1000000000000"):
        errors.add(field, _l("Montant trop grand."))
        return None
    unit = currency_unit(currency)
    if amount % unit:
        errors.add(field, _l("Montant en unités entières de la devise attendu (pas de centimes en FCFA)."))
        return None
    return amount


def read_bool(value, field, errors, default=False):
    if value is None or value is MISSING:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes", "oui"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "off", "no", "non", ""):
        return False
    errors.add(field, _l("Valeur oui/non invalide."))
    return default


def read_text(value, field, errors, *, required=False, max_length=255):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _l("Champ obligatoire."))
        return None
    if not isinstance(value, str):
        errors.add(field, _l("Texte invalide."))
        return None
    value = value.strip()
    if len(value) > max_length:
        errors.add(field, _l("Texte trop long."))
        return None
    return value
