"""Hand-built sales, payments and refunds at chosen moments, written as rows (the figures under test
are the reports', not the till's)."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from app.cashier.models import CashShift, Payment
from app.extensions import db
from app.sales.models import Refund, RefundLine, Sale, SaleItem
from app.stock.models import InventoryMovement

DOUALA = ZoneInfo("Africa/Douala")


def local(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=DOUALA)


def shift(store, cashier):
    row = CashShift(store_id=store.id, cashier_id=cashier.id, status="OPEN", opening_float=Decimal("0"),
                    opened_at=local(2026, 11, 1, 8))
    db.session.add(row)
    db.session.flush()
    return row


def paid_sale(store, seller, cashier_shift, moment, lines, payments, tax_rate=Decimal("19.25")):
    """lines: [(product, quantity, unit_price TTC, unit_cost)]; payments: [(method, amount)]."""
    total = sum(Decimal(q) * Decimal(p) for _, q, p, _ in lines)
    ht = (total / (1 + tax_rate / 100)).quantize(Decimal("1"))
    sale = Sale(store_id=store.id, status="PAID", seller_id=seller.id, subtotal=total, tax_total=total - ht,
                total=total, amount_paid=total, created_at=moment, submitted_at=moment, paid_at=moment,
                number=f"T-{store.code}-{moment:%Y%m%d%H%M%S}-{id(lines)}")
    db.session.add(sale)
    db.session.flush()
    for position, (product, quantity, price, cost) in enumerate(lines):
        db.session.add(SaleItem(sale_id=sale.id, position=position, product_id=product.id, quantity=quantity,
                                unit_price=Decimal(price), tax_rate=tax_rate,
                                line_total=Decimal(quantity) * Decimal(price)))
        db.session.add(InventoryMovement(store_id=store.id, product_id=product.id, type="SALE", quantity=-quantity,
                                         balance_after=0, reference_type="Sale", reference_id=sale.id,
                                         created_at=moment, unit_cost=Decimal(cost)))
    for method, amount in payments:
        db.session.add(Payment(sale_id=sale.id, store_id=store.id, shift_id=cashier_shift.id,
                               cashier_id=cashier_shift.cashier_id, method=method, amount=Decimal(amount),
                               operator="MTN" if method == "MOBILE_MONEY" else None,
                               reference="MP-TEST" if method in ("MOBILE_MONEY", "BANK_TRANSFER") else None,
                               sale_status_after="PAID", balance_due_after=Decimal("0"), created_at=moment))
    db.session.flush()
    return sale


def refund(sale, manager, cashier_shift, moment, quantity, unit_cost):
    """Refund `quantity` units of the sale's first line, in cash, back into stock."""
    item = sale.items[0]
    amount = Decimal(quantity) * item.unit_price
    row = Refund(sale_id=sale.id, store_id=sale.store_id, method="CASH", amount=amount, restock=True, shift_id=cashier_shift.id,
                 approved_by_id=manager.id, created_at=moment)
    db.session.add(row)
    db.session.flush()
    db.session.add(RefundLine(refund_id=row.id, sale_item_id=item.id, quantity=quantity, amount=amount))
    db.session.add(InventoryMovement(store_id=sale.store_id, product_id=item.product_id, type="RETURN",
                                     quantity=quantity, balance_after=0, reference_type="Refund",
                                     reference_id=row.id, created_at=moment, unit_cost=Decimal(unit_cost)))
    item.refunded_quantity += quantity
    sale.amount_refunded += amount
    db.session.flush()
    return row
