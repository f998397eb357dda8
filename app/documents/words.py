"""Amounts in words, in French, as invoices in Cameroon print them."""
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

CURRENCY_WORDS = {"XAF": "francs CFA", "XOF": "francs CFA", "EUR": "euros"}


def amount_in_words(amount, currency="XAF"):
    """182500 -> "Cent quatre-vingt-deux mille cinq cents francs CFA" (whole units: FCFA has no cents)."""
    units = int(Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    words = num2words(units, lang="fr")
    name = CURRENCY_WORDS.get(currency, currency)
    if units in (0, 1):
        name = name.replace("francs", "franc").replace("euros", "euro")
    return f"{words[0].upper()}{words[1:]} {name}"
