"""Totals in one function: lines, sale discount, HT / TVA / TTC per rate, whole francs."""
from decimal import Decimal as D

from app.sales.totals import LineInput, compute_totals, currency_unit, round_money


def test_line_total_is_quantity_times_price_minus_discount():
    totals = compute_totals([LineInput(2, D("15000"), D("1000")), LineInput(3, D("2500"))])
    assert [line.line_total for line in totals.lines] == [D("29000"), D("7500")]
    assert (totals.gross, totals.line_discounts, totals.subtotal, totals.total) == (D("37500"), D("1000"), D("36500"), D("36500"))


def test_prices_are_tax_inclusive_and_split_per_rate():
    totals = compute_totals([LineInput(1, D("11925"), tax_rate=D("19.25")), LineInput(1, D("5000"), tax_rate=D("0"))])
    rows = {row.rate: (row.ht, row.tva, row.ttc) for row in totals.taxes}
    assert rows == {D("0"): (D("5000"), D("0"), D("5000")), D("19.25"): (D("10000"), D("1925"), D("11925"))}
    assert totals.total_ht + totals.total_tva == totals.total == D("16925")


def test_whole_francs_and_ht_plus_tva_equal_ttc_on_every_row():
    totals = compute_totals([LineInput(3, D("999")), LineInput(7, D("1234"), D("17"))], D("333"))
    for row in totals.taxes:
        assert row.ht + row.tva == row.ttc
        assert row.ht == row.ht.to_integral_value() and row.tva == row.tva.to_integral_value()
    assert totals.total == D("2997") + D("8621") - D("333")


def test_the_sale_discount_is_shared_exactly_between_lines():
    totals = compute_totals([LineInput(1, D("10000")), LineInput(1, D("10000")), LineInput(1, D("10000"))], D("1000"))
    shares = [line.sale_discount_share for line in totals.lines]
    assert sum(shares) == D("1000") and sorted(shares) == [D("333"), D("333"), D("334")]
    assert sum(line.ttc for line in totals.lines) == totals.total == D("29000")


def test_the_sale_discount_never_exceeds_the_subtotal():
    assert compute_totals([LineInput(1, D("5000"))], D("9000")).total == D("0")


def test_discount_percent_is_the_largest_of_any_line_and_the_whole():
    totals = compute_totals([LineInput(1, D("10000"), D("2000")), LineInput(1, D("90000"))])
    assert totals.max_discount_percent() == D("20.00")
    assert compute_totals([LineInput(1, D("10000"))], D("1500")).max_discount_percent() == D("15.00")


def test_currency_units():
    assert currency_unit("XAF") == D("1") and currency_unit("EUR") == D("0.01")
    assert round_money(D("1234.5"), "XAF") == D("1235") and round_money(D("1.005"), "EUR") == D("1.01")
