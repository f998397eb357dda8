"""The KPIs of SPEC §9, computed in one place for the API, the dashboard, the export and the job.

Definitions (SPEC §9), per store, over local days (the store's zone, both ends included):
- revenue: the totals TTC of the sales that became PAID in the period (credit sales included)
  minus the refunds made in it; revenue_ht the same without tax (a refund's HT is its share of
  its sale's HT);
- sales_count: the sales that became PAID in it; average_basket = their TTC / their count;
- gross_margin = revenue_ht - the cost of the goods at the unit_cost recorded on the SALE
  movements of those sales, less that of the RETURN movements made in the period;
- items_sold: the quantities of those sales less the quantities refunded in the period;
- payments_by_method: the money taken in the period per method; credit repayments apart;
- credit_outstanding: what the store's customers owe at the end of the period (from the ledger);
  credit_overdue and low_stock_count: as they stand now (today) or when the last day's
  snapshot was taken (a past period).
Past days read KPISnapshot; days from today on are computed live; `day_figures` is the one
computation behind both, so they agree.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from ..cashier.models import Payment
from ..catalog.models import Product
from ..credits.models import CreditLedgerEntry, CreditRepayment, CustomerAccount, Installment
from ..extensions import db
from ..sales.models import Refund, RefundLine, Sale, SaleItem
from ..stock.models import InventoryMovement, ProductStock
from ..stores.models import Store
from .models import KPISnapshot

ZERO = Decimal("0")
TOP = 5


def whole(amount) -> Decimal:
    return Decimal(amount or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def utc_bounds(store, date_from, date_to):
    """[start, end) in UTC of the local days date_from..date_to of `store`."""
    zone = store.zone
    start = datetime.combine(date_from, time.min, zone).astimezone(timezone.utc)
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone).astimezone(timezone.utc)
    return start, end


@dataclass
class Figures:
    """The additive figures of a store over some days (a sum of days)."""

    revenue: Decimal = ZERO
    revenue_ht: Decimal = ZERO
    sales_total: Decimal = ZERO
    sales_count: int = 0
    items_sold: int = 0
    cost: Decimal = ZERO
    repayments: Decimal = ZERO
    payments: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))
    products: dict = field(default_factory=lambda: defaultdict(lambda: [0, ZERO]))
    sellers: dict = field(default_factory=lambda: defaultdict(lambda: [0, ZERO]))

    def add(self, other):
        for name in ("revenue", "revenue_ht", "sales_total", "sales_count", "items_sold", "cost", "repayments"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for method, amount in other.payments.items():
            self.payments[method] += amount
        for target, source in ((self.products, other.products), (self.sellers, other.sellers)):
            for key, (count, amount) in source.items():
                target[key][0] += count
                target[key][1] += amount
        return self


def day_figures(store, date_from, date_to) -> Figures:
    """The additive figures of `store` over the local days date_from..date_to, from the live rows."""
    start, end = utc_bounds(store, date_from, date_to)
    figures = Figures()
    paid = (Sale.store_id == store.id, Sale.paid_at >= start, Sale.paid_at < end, Sale.paid_at.isnot(None))
    count, total, tax = db.session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0), func.coalesce(func.sum(Sale.tax_total), 0))
        .where(*paid)).one()
    figures.sales_count, figures.sales_total = count, Decimal(total)
    revenue, revenue_ht = Decimal(total), Decimal(total) - Decimal(tax)

    refunds = db.session.execute(
        select(Refund.id, Refund.amount, Sale.total, Sale.tax_total, Sale.seller_id)
        .join(Sale, Sale.id == Refund.sale_id)
        .where(Refund.store_id == store.id, Refund.created_at >= start, Refund.created_at < end)).all()
    for _, amount, sale_total, sale_tax, seller_id in refunds:
        revenue -= amount
        share = whole(Decimal(amount) * (sale_total - sale_tax) / sale_total) if sale_total else ZERO
        revenue_ht -= share
        figures.sellers[str(seller_id)][1] -= amount
    figures.revenue, figures.revenue_ht = revenue, revenue_ht

    for product_id, quantity, amount in db.session.execute(
            select(SaleItem.product_id, func.sum(SaleItem.quantity), func.sum(SaleItem.line_total))
            .join(Sale, Sale.id == SaleItem.sale_id).where(*paid).group_by(SaleItem.product_id)):
        figures.products[str(product_id)][0] += int(quantity)
        figures.products[str(product_id)][1] += Decimal(amount)
        figures.items_sold += int(quantity)
    if refunds:
        for product_id, quantity, amount in db.session.execute(
                select(SaleItem.product_id, func.sum(RefundLine.quantity), func.sum(RefundLine.amount))
                .join(SaleItem, SaleItem.id == RefundLine.sale_item_id)
                .where(RefundLine.refund_id.in_([row[0] for row in refunds])).group_by(SaleItem.product_id)):
            figures.products[str(product_id)][0] -= int(quantity)
            figures.products[str(product_id)][1] -= Decimal(amount)
            figures.items_sold -= int(quantity)

    for seller_id, sales, amount in db.session.execute(
            select(Sale.seller_id, func.count(Sale.id), func.sum(Sale.total)).where(*paid).group_by(Sale.seller_id)):
        figures.sellers[str(seller_id)][0] += sales
        figures.sellers[str(seller_id)][1] += Decimal(amount)

    cost_out = db.session.execute(
        select(func.coalesce(func.sum(-InventoryMovement.quantity * func.coalesce(InventoryMovement.unit_cost, 0)), 0))
        .join(Sale, (InventoryMovement.reference_type == "Sale") & (InventoryMovement.reference_id == Sale.id))
        .where(InventoryMovement.type == "SALE", *paid)).scalar()
    cost_back = db.session.execute(
        select(func.coalesce(func.sum(InventoryMovement.quantity * func.coalesce(InventoryMovement.unit_cost, 0)), 0))
        .where(InventoryMovement.store_id == store.id, InventoryMovement.type == "RETURN",
               InventoryMovement.created_at >= start, InventoryMovement.created_at < end)).scalar()
    figures.cost = whole(cost_out) - whole(cost_back)

    for method, amount in db.session.execute(
            select(Payment.method, func.sum(Payment.amount))
            .where(Payment.store_id == store.id, Payment.created_at >= start, Payment.created_at < end)
            .group_by(Payment.method)):
        figures.payments[method] += Decimal(amount)
    figures.repayments = Decimal(db.session.execute(
        select(func.coalesce(func.sum(CreditRepayment.amount), 0))
        .where(CreditRepayment.store_id == store.id, CreditRepayment.created_at >= start,
               CreditRepayment.created_at < end)).scalar())
    return figures


def credit_outstanding(store, at):
    """What the store's customers owe at the moment `at` (UTC): debits less credits of the ledger."""
    debit = db.session.execute(select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
        CreditLedgerEntry.store_id == store.id, CreditLedgerEntry.kind == "DEBIT",
        CreditLedgerEntry.created_at < at)).scalar()
    credit = db.session.execute(select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
        CreditLedgerEntry.store_id == store.id, CreditLedgerEntry.kind == "CREDIT",
        CreditLedgerEntry.created_at < at)).scalar()
    return Decimal(debit) - Decimal(credit)


def credit_overdue(store, today):
    """The unpaid part of the store's installments due before `today`."""
    return Decimal(db.session.execute(
        select(func.coalesce(func.sum(Installment.amount - Installment.paid), 0))
        .join(CustomerAccount, CustomerAccount.id == Installment.account_id)
        .where(Installment.store_id == store.id, Installment.due_date < today,
               Installment.amount > Installment.paid)).scalar())


def low_stock_count(store):
    """Products the store carries whose available quantity is at or under the reorder level, or 0."""
    available = ProductStock.quantity - ProductStock.reserved
    return db.session.execute(
        select(func.count(ProductStock.id)).join(Product, Product.id == ProductStock.product_id)
        .where(ProductStock.store_id == store.id,
               (available <= Product.reorder_level) | (available <= 0))).scalar()


def _to_json(figures):
    return {"payments": {k: str(v) for k, v in figures.payments.items()},
            "products": {k: [q, str(a)] for k, (q, a) in figures.products.items()},
            "sellers": {k: [q, str(a)] for k, (q, a) in figures.sellers.items()}}


def _from_snapshot(snapshot) -> Figures:
    figures = Figures(revenue=snapshot.revenue, revenue_ht=snapshot.revenue_ht, sales_total=snapshot.sales_total,
                      sales_count=snapshot.sales_count, items_sold=snapshot.items_sold, cost=snapshot.cost,
                      repayments=snapshot.repayments)
    for method, amount in (snapshot.payments or {}).items():
        figures.payments[method] += Decimal(amount)
    for target, source in ((figures.products, snapshot.products), (figures.sellers, snapshot.sellers)):
        for key, (count, amount) in (source or {}).items():
            target[key][0] += count
            target[key][1] += Decimal(amount)
    return figures


def write_snapshot(store, day):
    """Write (or rewrite) the snapshot of `store` for the local `day`; one row per store and day."""
    figures = day_figures(store, day, day)
    _, end = utc_bounds(store, day, day)
    snapshot = db.session.execute(select(KPISnapshot).where(KPISnapshot.store_id == store.id,
                                                            KPISnapshot.day == day)).scalar_one_or_none()
    if snapshot is None:
        snapshot = KPISnapshot(store_id=store.id, day=day)
        db.session.add(snapshot)
    parts = _to_json(figures)
    for name in ("revenue", "revenue_ht", "sales_total", "sales_count", "items_sold", "cost", "repayments"):
        setattr(snapshot, name, getattr(figures, name))
    snapshot.payments, snapshot.products, snapshot.sellers = parts["payments"], parts["products"], parts["sellers"]
    snapshot.credit_outstanding = credit_outstanding(store, end)
    snapshot.credit_overdue = credit_overdue(store, day + timedelta(days=1))
    snapshot.low_stock_count = low_stock_count(store)
    snapshot.created_at = datetime.now(timezone.utc)
    db.session.flush()
    return snapshot


def store_figures(store, date_from, date_to, today=None):
    """The figures of `store` over the period: snapshots for its past days, live rows for the rest."""
    today = today or store.local_now().date()
    figures = Figures()
    last_past = min(date_to, today - timedelta(days=1))
    snapshots = {}
    if date_from <= last_past:
        snapshots = {s.day: s for s in db.session.execute(select(KPISnapshot).where(
            KPISnapshot.store_id == store.id, KPISnapshot.day >= date_from, KPISnapshot.day <= last_past)).scalars()}
    day, gap_start = date_from, None
    while day <= date_to:  # consecutive days without a snapshot are read live in one go
        if day <= last_past and day in snapshots:
            if gap_start is not None:
                figures.add(day_figures(store, gap_start, day - timedelta(days=1)))
                gap_start = None
            figures.add(_from_snapshot(snapshots[day]))
        elif gap_start is None:
            gap_start = day
        day += timedelta(days=1)
    if gap_start is not None:
        figures.add(day_figures(store, gap_start, date_to))
    if date_to >= today:
        _, end = utc_bounds(store, today, today)
        state = (credit_outstanding(store, end), credit_overdue(store, today), low_stock_count(store))
    elif date_to in snapshots:
        last = snapshots[date_to]
        state = (last.credit_outstanding, last.credit_overdue, last.low_stock_count)
    else:
        _, end = utc_bounds(store, date_to, date_to)
        state = (credit_outstanding(store, end), credit_overdue(store, date_to + timedelta(days=1)),
                 low_stock_count(store))
    return figures, state


def _names(model, column, ids):
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, column).where(model.id.in_([int(i) for i in ids]))).all())


def payload(figures, state):
    """The KPI answer of SPEC §10, amounts as decimal strings."""
    outstanding, overdue, low = state
    money = lambda amount: str(whole(amount))  # noqa: E731
    top_products = sorted(figures.products.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP]
    top_sellers = sorted(figures.sellers.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP]
    products = _names(Product, Product.name, [k for k, _ in top_products])
    users = dict(db.session.execute(select(User.id, User.first_name + " " + User.last_name).where(
        User.id.in_([int(k) for k, _ in top_sellers] or [0]))).all())
    methods = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD", "CREDIT")
    return {
        "revenue": money(figures.revenue),
        "revenue_ht": money(figures.revenue_ht),
        "sales_count": figures.sales_count,
        "average_basket": money(figures.sales_total / figures.sales_count if figures.sales_count else 0),
        "gross_margin": money(figures.revenue_ht - figures.cost),
        "items_sold": figures.items_sold,
        "payments_by_method": {m: money(figures.payments.get(m, ZERO)) for m in methods},
        "credit_repayments": money(figures.repayments),
        "credit_outstanding": money(outstanding),
        "credit_overdue": money(overdue),
        "low_stock_count": low,
        "top_products": [{"product": int(k), "name": products.get(int(k)), "quantity": q, "revenue": money(a)}
                         for k, (q, a) in top_products],
        "top_sellers": [{"seller": int(k), "name": users.get(int(k)), "sales": q, "revenue": money(a)}
                        for k, (q, a) in top_sellers],
    }


def compute_kpis(stores, date_from, date_to, today=None):
    """{"result": the KPIs of all `stores` together, "stores": [{"store", "code", "name", **KPIs}]}."""
    total, state_total, per_store = Figures(), [ZERO, ZERO, 0], []
    for store in stores:
        figures, state = store_figures(store, date_from, date_to, today)
        per_store.append({"store": store.id, "code": store.code, "name": store.name, **payload(figures, state)})
        total.add(figures)
        state_total = [a + b for a, b in zip(state_total, state)]
    return {"result": payload(total, tuple(state_total)), "stores": per_store}


def snapshot_day(day, store_ids=None):
    """Write the snapshots of `day` for the active stores (or `store_ids`); returns how many."""
    query = select(Store).order_by(Store.id)
    query = query.where(Store.id.in_(store_ids)) if store_ids is not None else query.where(Store.is_active.is_(True))
    stores = list(db.session.execute(query).scalars())
    for store in stores:
        write_snapshot(store, day)
    db.session.commit()
    return len(stores)


def snapshot_yesterday(store_ids, now):
    """The job's work at 01:00 local: each store's yesterday (at `now`, UTC), in its own zone."""
    count = 0
    for store in db.session.execute(select(Store).where(Store.id.in_(store_ids))).scalars():
        write_snapshot(store, now.astimezone(store.zone).date() - timedelta(days=1))
        count += 1
    db.session.commit()
    return count


def period_of(date_from=None, date_to=None, today=None):
    today = today or date.today()
    return date_from or today, date_to or date_from or today


def daily_revenue(stores, date_from, date_to, today=None):
    """[(day, revenue)] for each local day of the period, all `stores` together: the snapshots'
    revenue for past days that have one, the live figures (the same computation) for the others."""
    totals = {date_from + timedelta(days=n): ZERO for n in range((date_to - date_from).days + 1)}
    for store in stores:
        store_today = today or store.local_now().date()
        snapshots = dict(db.session.execute(select(KPISnapshot.day, KPISnapshot.revenue).where(
            KPISnapshot.store_id == store.id, KPISnapshot.day >= date_from, KPISnapshot.day <= date_to,
            KPISnapshot.day < store_today)).all())
        for day in totals:
            if day in snapshots:
                totals[day] += snapshots[day]
            else:
                totals[day] += day_figures(store, day, day).revenue
    return sorted(totals.items())
