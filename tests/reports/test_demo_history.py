"""`flask seed-demo-data`: a small history holds every kind of sale, and every ledger in it adds up
as the app's own rules would have it (stock, credit, shifts, numbering); the same seed gives the
same history, --reset replaces it, and the dashboard reads it."""
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from decimal import Decimal

from sqlalchemy import func, select

from app.cashier.models import CashShift, Payment
from app.cashier.services import shift_figures
from app.core.models import AuditLog, Sequence
from app.core.numbering import allocate_number
from app.credits.models import CreditLedgerEntry, CreditRepayment, CustomerAccount, Installment
from app.extensions import db
from app.purchases.models import GoodsReceiptLine, PurchaseOrder, PurchaseOrderLine
from app.reports import services
from app.reports.models import KPISnapshot
from app.sales.models import Refund, RefundLine, Sale, SaleItem
from app.sales.totals import compute_totals
from app.stock.models import InventoryMovement, ProductStock, Transfer
from app.stores.models import Store
from tests.conftest import sign_in

DAYS = 12
DOUALA = ZoneInfo("Africa/Douala")


@pytest.fixture(autouse=True)
def two_in_the_afternoon(monkeypatch):
    """The history runs up to now: a fixed 14:00 today (Douala) gives both runs the same today."""
    from app.reports import demo

    now = datetime.combine(datetime.now(DOUALA).date(), time(14, 0), DOUALA)
    monkeypatch.setattr(demo, "current_time", lambda: now)
    return now


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo-data", "--days", str(DAYS), "--stores", "3", *args])
    assert result.exit_code == 0, result.output
    return result


def _fingerprint():
    sales = db.session.execute(select(Sale.number, Sale.status, Sale.total, Sale.amount_paid, Sale.amount_refunded)
                               .order_by(Sale.number)).all()
    stores = db.session.execute(select(Store).order_by(Store.id)).scalars().all()
    today = stores[0].local_now().date()
    return sales, services.compute_kpis(stores, today - timedelta(days=DAYS), today)


def test_seed_demo_data_writes_a_consistent_history(app, client, two_in_the_afternoon):
    _seed(app)
    with app.app_context():
        statuses = dict(db.session.execute(select(Sale.status, func.count(Sale.id)).group_by(Sale.status)).all())
        assert {"PAID", "PARTIALLY_PAID", "PENDING_PAYMENT", "CANCELLED"} <= set(statuses), statuses
        refunds = db.session.execute(select(Refund)).scalars().all()
        assert any(r.is_cancellation for r in refunds) and any(not r.is_cancellation for r in refunds)
        methods = set(db.session.execute(select(Payment.method).distinct()).scalars())
        assert {"CASH", "MOBILE_MONEY", "CREDIT"} <= methods
        assert db.session.execute(select(func.count(PurchaseOrder.id))).scalar() > 0
        assert db.session.execute(select(func.count(Transfer.id))).scalar() > 0
        assert db.session.execute(select(func.count(KPISnapshot.id))).scalar() == DAYS * 3
        # a third store, with sellers and a cashier of its own, sold what its first orders brought
        extra = db.session.execute(select(Store).where(Store.code == "BAF1")).scalar_one()
        assert db.session.execute(select(func.count(Sale.id)).where(Sale.store_id == extra.id)).scalar() > 0
        sellers = set(db.session.execute(select(Sale.seller_id).where(Sale.store_id == extra.id)).scalars())
        cashiers = set(db.session.execute(select(Payment.cashier_id).where(Payment.store_id == extra.id)).scalars())
        assert len(sellers) == 2 and len(cashiers) == 1 and not sellers & cashiers

        # stock: each row is the sum of its movements, each movement's balance the running sum;
        # reserved = the goods of the partly paid sales that reserved them
        running, rows = defaultdict(int), {}
        for movement in db.session.execute(select(InventoryMovement).order_by(InventoryMovement.id)).scalars():
            key = (movement.store_id, movement.product_id)
            running[key] += movement.quantity
            assert movement.balance_after == running[key], movement
            if movement.type in ("PURCHASE", "SALE", "RETURN"):
                assert movement.unit_cost is not None
        reserved = defaultdict(int)
        for store_id, product_id, quantity in db.session.execute(
                select(Sale.store_id, SaleItem.product_id, SaleItem.quantity).join(Sale, Sale.id == SaleItem.sale_id)
                .where(Sale.stock_reserved.is_(True))):
            reserved[(store_id, product_id)] += quantity
        for row in db.session.execute(select(ProductStock)).scalars():
            rows[(row.store_id, row.product_id)] = row
            assert row.quantity == running[(row.store_id, row.product_id)]
            assert row.reserved == reserved[(row.store_id, row.product_id)]
        assert set(running) <= set(rows)

        # sales: totals as the app computes them, paid = the payments, paid ones left the stock
        sold = defaultdict(int)
        for sale_id, quantity in db.session.execute(
                select(InventoryMovement.reference_id, func.sum(InventoryMovement.quantity))
                .where(InventoryMovement.type == "SALE").group_by(InventoryMovement.reference_id)):
            sold[sale_id] = -quantity
        paid = dict(db.session.execute(select(Payment.sale_id, func.sum(Payment.amount)).group_by(Payment.sale_id)).all())
        refunded = dict(db.session.execute(select(Refund.sale_id, func.sum(Refund.amount)).group_by(Refund.sale_id)).all())
        for sale in db.session.execute(select(Sale)).scalars():
            totals = compute_totals(sale.items)
            assert (sale.total, sale.tax_total) == (totals.total, totals.total_tva)
            assert sale.amount_paid == paid.get(sale.id, 0) and sale.amount_refunded == refunded.get(sale.id, 0)
            assert sold[sale.id] == (sum(i.quantity for i in sale.items) if sale.paid_at else 0)
            if sale.status == "REFUNDED":
                assert all(i.refunded_quantity == i.quantity for i in sale.items)
        for refund in refunds:
            lines = db.session.execute(select(func.sum(RefundLine.amount)).where(RefundLine.refund_id == refund.id)
                                       ).scalar()
            assert lines in (None, refund.amount)

        # credit: balance = the ledger = what the installments still ask
        for account in db.session.execute(select(CustomerAccount)).scalars():
            entries = db.session.execute(select(CreditLedgerEntry).where(CreditLedgerEntry.account_id == account.id)
                                         .order_by(CreditLedgerEntry.id)).scalars().all()
            balance = Decimal("0")
            for entry in entries:
                balance += entry.signed_amount
                assert entry.balance_after == balance
            assert account.balance == balance <= account.credit_limit
            left = db.session.execute(select(func.coalesce(func.sum(Installment.amount - Installment.paid), 0))
                                      .where(Installment.account_id == account.id)).scalar()
            assert left == balance
        credit_paid = db.session.execute(select(func.sum(Payment.amount)).where(Payment.method == "CREDIT")).scalar()
        debits = db.session.execute(select(func.sum(CreditLedgerEntry.amount))
                                    .where(CreditLedgerEntry.source == "SALE")).scalar()
        assert credit_paid == debits > 0

        # today up to 14:00: each store's till still open (no totals before its close), sales taken
        # since the morning and none after now
        today = datetime.now(DOUALA).date()
        open_shifts = db.session.execute(select(CashShift).where(CashShift.status == "OPEN")).scalars().all()
        assert len(open_shifts) == 3 and all(s.opened_at.astimezone(DOUALA).date() == today for s in open_shifts)
        assert all(s.cash_in is None and s.expected_cash is None for s in open_shifts)
        assert all(p.created_at <= two_in_the_afternoon for s in open_shifts for p in s.payments)
        paid_today = db.session.execute(select(func.count(Sale.id)).where(
            Sale.paid_at >= datetime.combine(today, time(0), DOUALA))).scalar()
        assert paid_today >= 3 * 5  # a morning's worth in each store, not only what was waiting

        # past shifts: each closed with the expected figures the till computes, the variance counted - expected
        shifts = db.session.execute(select(CashShift).where(CashShift.status == "CLOSED")).scalars().all()
        assert len(shifts) == DAYS * 3
        for shift in shifts:
            figures = shift_figures(shift)
            assert shift.expected_cash == figures.expected_cash
            assert shift.variance == shift.counted_cash - shift.expected_cash
            assert shift.expected_mobile_money == figures.by_method["MOBILE_MONEY"]["expected"]
        assert any(s.variance for s in shifts)
        repaid = db.session.execute(select(func.count(CreditRepayment.id))).scalar()
        assert repaid == db.session.execute(select(func.count(CreditLedgerEntry.id))
                                            .where(CreditLedgerEntry.source == "REPAYMENT")).scalar()

        # purchases: what the lines say was received is what the receipts brought in
        for line in db.session.execute(select(PurchaseOrderLine)).scalars():
            received = db.session.execute(select(func.coalesce(func.sum(GoodsReceiptLine.quantity), 0))
                                          .where(GoodsReceiptLine.order_line_id == line.id)).scalar()
            assert line.received_quantity == received <= line.quantity

        # numbering: gapless per store, type and year, and the next real number follows
        numbers = defaultdict(list)
        for number in db.session.execute(select(Sale.number)).scalars():
            code, doc, year, value = number.split("-")
            numbers[(code, doc, int(year))].append(int(value))
        for (code, doc, year), values in numbers.items():
            assert sorted(values) == list(range(1, len(values) + 1))
            store = db.session.execute(select(Store).where(Store.code == code)).scalar_one()
            assert db.session.execute(select(Sequence.last_value).where(
                Sequence.store_id == store.id, Sequence.doc_type == doc, Sequence.year == year)).scalar() == len(values)
        store = db.session.execute(select(Store).where(Store.code == "DLA1")).scalar_one()
        year = store.local_year
        assert allocate_number(store, "FAC", year) == f"DLA1-FAC-{year}-{len(numbers[('DLA1', 'FAC', year)]) + 1:06d}"
        db.session.rollback()

        # the audit trail: every submit and every payment, as the services write them
        actions = dict(db.session.execute(select(AuditLog.action, func.count(AuditLog.id)).group_by(AuditLog.action)).all())
        assert actions["sale.submit"] == sum(statuses.values())
        assert actions["sale.payment"] == db.session.execute(select(func.count(Payment.id))).scalar()
        assert actions["shift.close"] == len(shifts)

        first = _fingerprint()
        assert first[1]["result"]["sales_count"] > 0

    # the dashboard reads it
    sign_in(client, "MANAGER")
    assert client.get("/").status_code == 200

    # again on top: refused; with --reset: the same history again, not a second one
    refused = app.test_cli_runner().invoke(args=["seed-demo-data", "--days", str(DAYS)])
    assert refused.exit_code != 0 and "--reset" in refused.output
    _seed(app, "--reset")
    with app.app_context():
        assert _fingerprint() == first
        # after --reset the catalog's stock arrived when the history began: each ledger runs forward in time
        last = {}
        for store_id, product_id, moment in db.session.execute(select(
                InventoryMovement.store_id, InventoryMovement.product_id, InventoryMovement.created_at)
                .order_by(InventoryMovement.id)):
            assert moment >= last.get((store_id, product_id), moment)
            last[(store_id, product_id)] = moment
