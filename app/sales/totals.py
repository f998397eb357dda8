"""The one place where a sale's figures are computed: API, screens and PDFs call `compute_totals`.

Rules:
- line total = quantity x unit price - line discount, rounded to the currency's unit
  (XAF has no cents: whole francs);
- the sale-level discount is shared between the lines in proportion to their totals
  (largest remainder, so that the shares add up exactly);
- prices are tax-inclusive: per tax rate, TTC is the sum of the lines, HT = TTC / (1 + rate)
  rounded to the unit, TVA = TTC - HT; so HT + TVA = TTC on every row and in total.
"""
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..catalog.models import DEFAULT_TAX_RATE
from ..core.money import currency_unit

HUNDRED = Decimal("100")


def round_money(amount, currency="XAF") -> Decimal:
    return Decimal(amount).quantize(currency_unit(currency), rounding=ROUND_HALF_UP)


@dataclass
class LineInput:
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    tax_rate: Decimal = DEFAULT_TAX_RATE


@dataclass
class LineTotals:
    gross: Decimal  # quantity x unit price
    discount: Decimal  # the line's own discount
    line_total: Decimal  # gross - discount
    sale_discount_share: Decimal  # its part of the sale-level discount
    ttc: Decimal  # what the customer pays for the line
    tax_rate: Decimal


@dataclass
class TaxRow:
    rate: Decimal
    ht: Decimal
    tva: Decimal
    ttc: Decimal


@dataclass
class SaleTotals:
    lines: list = field(default_factory=list)
    gross: Decimal = Decimal("0")
    line_discounts: Decimal = Decimal("0")
    subtotal: Decimal = Decimal("0")  # sum of line totals
    sale_discount: Decimal = Decimal("0")
    total: Decimal = Decimal("0")  # TTC
    total_ht: Decimal = Decimal("0")
    total_tva: Decimal = Decimal("0")
    taxes: list = field(default_factory=list)  # TaxRow per rate, by rate

    @property
    def discount_total(self):
        return self.line_discounts + self.sale_discount

    def max_discount_percent(self):
        """The largest discount rate given: on any line, or on the whole sale."""
        rates = [line.discount * HUNDRED / line.gross for line in self.lines if line.gross > 0]
        if self.gross > 0:
            rates.append(self.discount_total * HUNDRED / self.gross)
        return max(rates, default=Decimal("0")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def compute_totals(lines, sale_discount=Decimal("0"), currency="XAF") -> SaleTotals:
    """`lines`: LineInput (or objects with quantity, unit_price, discount, tax_rate)."""
    unit = currency_unit(currency)
    result = SaleTotals()
    for line in lines:
        gross = round_money(Decimal(line.quantity) * Decimal(line.unit_price), currency)
        discount = round_money(line.discount or 0, currency)
        rate = Decimal(line.tax_rate if line.tax_rate is not None else DEFAULT_TAX_RATE)
        result.lines.append(LineTotals(gross=gross, discount=discount, line_total=gross - discount,
                                       sale_discount_share=Decimal("0"), ttc=gross - discount, tax_rate=rate))
    result.gross = sum((line.gross for line in result.lines), Decimal("0"))
    result.line_discounts = sum((line.discount for line in result.lines), Decimal("0"))
    result.subtotal = sum((line.line_total for line in result.lines), Decimal("0"))
    result.sale_discount = min(round_money(sale_discount or 0, currency), max(result.subtotal, Decimal("0")))
    for line, share in zip(result.lines, _shares(result.sale_discount, [l.line_total for l in result.lines], unit)):
        line.sale_discount_share = share
        line.ttc = line.line_total - share
    result.total = result.subtotal - result.sale_discount

    by_rate = {}
    for line in result.lines:
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, Decimal("0")) + line.ttc
    for rate in sorted(by_rate):
        ttc = by_rate[rate]
        ht = round_money(ttc * HUNDRED / (HUNDRED + rate), currency)
        result.taxes.append(TaxRow(rate=rate, ht=ht, tva=ttc - ht, ttc=ttc))
    result.total_ht = sum((row.ht for row in result.taxes), Decimal("0"))
    result.total_tva = sum((row.tva for row in result.taxes), Decimal("0"))
    return result


def _shares(amount, weights, unit):
    """Split `amount` in proportion to `weights`, in whole units, the shares adding up to `amount`."""
    total = sum(weights, Decimal("0"))
    if amount <= 0 or total <= 0:
        return [Decimal("0")] * len(weights)
    exact = [amount * weight / total for weight in weights]
    floors = [(value / unit).to_integral_value(rounding=ROUND_FLOOR) * unit for value in exact]
    left = int(((amount - sum(floors, Decimal("0"))) / unit).to_integral_value())
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for index in by_remainder[:left]:
        floors[index] += unit
    return floors


def sale_totals(sale) -> SaleTotals:
    """The figures of a Sale (its items, its discount, its store's currency)."""
    currency = sale.store.currency if sale.store is not None else "XAF"
    return compute_totals(sale.items, sale.discount, currency)


def refund_value(sale, quantities) -> Decimal:
    """What `quantities` ({SaleItem: quantity}) of the sale are worth, sale discount included.

    Each line is worth its TTC (after its share of the sale discount) per unit; rounded
    to the currency unit. The caller gives the exact remainder when everything is refunded.
    """
    totals = sale_totals(sale)
    currency = sale.store.currency if sale.store is not None else "XAF"
    value = Decimal("0")
    for item, line in zip(sale.items, totals.lines):
        quantity = quantities.get(item, 0)
        if quantity:
            value += line.ttc * quantity / item.quantity
    return round_money(value, currency)
