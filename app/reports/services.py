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
Past days read KPISnapshot; days from today on are computed live; `live_figures` is the one
computation behind both, so they agree. It computes each figure with one query grouped by store
and local day across all the stores and days asked, and `Period` reads each (store, day) once, so
that the dashboard's several views of the same 30 days cost one read.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Date, Text, bindparam, case, cast, func, select

from ..core.days import local_day_bounds
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
METHODS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD", "CREDIT")
ADDITIVE = ("revenue", "revenue_ht", "sales_total", "sales_count", "items_sold", "cost", "repayments")


def whole(amount) -> Decimal:
    return Decimal(amount or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def days_between(date_from, date_to):
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


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
        for name in ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for method, amount in other.payments.items():
            self.payments[method] += amount
        for target, source in ((self.products, other.products), (self.sellers, other.sellers)):
            for key, (count, amount) in source.items():
                bucket = target[key]
                bucket[0] += count
                bucket[1] += amount
        return self


def per_store(store_column, values):
    """{store id: value} as one SQL value: the value itself when all stores share it, else a CASE."""
    if len(set(values.values())) == 1:
        return bindparam(None, next(iter(values.values())))
    return case(values, value=store_column)


class LocalDays:
    """The local day of a moment column, in SQL, for grouping by store and day. PostgreSQL converts
    to each store's zone; SQLite (no zones, moments kept as UTC text) groups by the UTC minute,
    which `day` turns into the store's local day here."""

    def __init__(self, stores):
        self.zones = {store.id: store.zone for store in stores}
        self.postgres = db.session.get_bind().dialect.name == "postgresql"

    def of(self, moment, store_column):
        if self.postgres:
            zone = per_store(store_column, {sid: zone.key for sid, zone in self.zones.items()})
            return cast(func.timezone(cast(zone, Text), moment), Date).label("day")
        return func.substr(moment, 1, 16).label("day")

    def day(self, store_id, key):
        if self.postgres:
            return key
        return utc_minute_day(key, self.zones[store_id])


def utc_minute_day(key, zone):
    """The local day in `zone` of the UTC minute 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(key, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc).astimezone(zone).date()


def live_figures(stores, date_from, date_to):
    """{(store id, local day): Figures} of `stores` over the local days date_from..date_to, from the
    live rows: each figure is one query grouped by store and local day (days without any row are absent)."""
    result = {}
    if not stores:
        return result
    ids = [store.id for store in stores]
    local = LocalDays(stores)
    bounds = [local_day_bounds(date_from, date_to, store.zone) for store in stores]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)

    def key_of(store_id, key):
        """(store id, local day), or None for a row just outside the store's own days (zones differ)."""
        day = local.day(store_id, key)
        return (store_id, day) if date_from <= day <= date_to else None

    def at(store_id, key):
        wanted = key_of(store_id, key)
        if wanted is None:
            return Figures()
        if wanted not in result:
            result[wanted] = Figures()
        return result[wanted]

    paid_day = local.of(Sale.paid_at, Sale.store_id)
    paid = (Sale.store_id.in_(ids), Sale.paid_at >= start, Sale.paid_at < end)
    for store_id, key, seller, count, total, tax in db.session.execute(
            select(Sale.store_id, paid_day, Sale.seller_id, func.count(Sale.id), func.sum(Sale.total),
                   func.sum(Sale.tax_total)).where(*paid).group_by(Sale.store_id, paid_day, Sale.seller_id)):
        figures = at(store_id, key)
        figures.sales_count += count
        figures.sales_total += total
        figures.revenue += total
        figures.revenue_ht += total - tax
        figures.sellers[str(seller)][0] += count
        figures.sellers[str(seller)][1] += total

    refund_day = local.of(Refund.created_at, Refund.store_id)
    refunded = (Refund.store_id.in_(ids), Refund.created_at >= start, Refund.created_at < end)
    for store_id, key, amount, sale_total, sale_tax, seller in db.session.execute(  # few rows: one per refund
            select(Refund.store_id, refund_day, Refund.amount, Sale.total, Sale.tax_total, Sale.seller_id)
            .join(Sale, Sale.id == Refund.sale_id).where(*refunded)):
        figures = at(store_id, key)
        figures.revenue -= amount
        figures.revenue_ht -= whole(Decimal(amount) * (sale_total - sale_tax) / sale_total) if sale_total else ZERO
        figures.sellers[str(seller)][1] -= amount

    for store_id, key, product_id, quantity, amount in db.session.execute(
            select(Sale.store_id, paid_day, SaleItem.product_id, func.sum(SaleItem.quantity),
                   func.sum(SaleItem.line_total)).join(Sale, Sale.id == SaleItem.sale_id).where(*paid)
            .group_by(Sale.store_id, paid_day, SaleItem.product_id)):
        figures = at(store_id, key)
        figures.products[str(product_id)][0] += int(quantity)
        figures.products[str(product_id)][1] += amount
        figures.items_sold += int(quantity)
    for store_id, key, product_id, quantity, amount in db.session.execute(
            select(Refund.store_id, refund_day, SaleItem.product_id, func.sum(RefundLine.quantity),
                   func.sum(RefundLine.amount)).join(Refund, Refund.id == RefundLine.refund_id)
            .join(SaleItem, SaleItem.id == RefundLine.sale_item_id).where(*refunded)
            .group_by(Refund.store_id, refund_day, SaleItem.product_id)):
        figures = at(store_id, key)
        figures.products[str(product_id)][0] -= int(quantity)
        figures.products[str(product_id)][1] -= amount
        figures.items_sold -= int(quantity)

    # The cost of the goods: out with the sales paid on the day, back with the returns made on it;
    # each day's cost is rounded on its own, as its snapshot keeps it.
    costs = defaultdict(lambda: [ZERO, ZERO])
    for store_id, key, amount in db.session.execute(
            select(Sale.store_id, paid_day,
                   func.sum(-InventoryMovement.quantity * func.coalesce(InventoryMovement.unit_cost, 0)))
            .join(Sale, (InventoryMovement.reference_type == "Sale") & (InventoryMovement.reference_id == Sale.id))
            .where(InventoryMovement.type == "SALE", *paid).group_by(Sale.store_id, paid_day)):
        if wanted := key_of(store_id, key):
            costs[wanted][0] += amount
    moved_day = local.of(InventoryMovement.created_at, InventoryMovement.store_id)
    for store_id, key, amount in db.session.execute(
            select(InventoryMovement.store_id, moved_day,
                   func.sum(InventoryMovement.quantity * func.coalesce(InventoryMovement.unit_cost, 0)))
            .where(InventoryMovement.store_id.in_(ids), InventoryMovement.type == "RETURN",
                   InventoryMovement.created_at >= start, InventoryMovement.created_at < end)
            .group_by(InventoryMovement.store_id, moved_day)):
        if wanted := key_of(store_id, key):
            costs[wanted][1] += amount
    for (store_id, day), (out, back) in costs.items():
        if (store_id, day) not in result:
            result[(store_id, day)] = Figures()
        result[(store_id, day)].cost = whole(out) - whole(back)

    paid_in_day = local.of(Payment.created_at, Payment.store_id)
    for store_id, key, method, amount in db.session.execute(
            select(Payment.store_id, paid_in_day, Payment.method, func.sum(Payment.amount))
            .where(Payment.store_id.in_(ids), Payment.created_at >= start, Payment.created_at < end)
            .group_by(Payment.store_id, paid_in_day, Payment.method)):
        at(store_id, key).payments[method] += amount
    repaid_day = local.of(CreditRepayment.created_at, CreditRepayment.store_id)
    for store_id, key, amount in db.session.execute(
            select(CreditRepayment.store_id, repaid_day, func.sum(CreditRepayment.amount))
            .where(CreditRepayment.store_id.in_(ids), CreditRepayment.created_at >= start,
                   CreditRepayment.created_at < end).group_by(CreditRepayment.store_id, repaid_day)):
        at(store_id, key).repayments += amount
    return result


def live_states(stores, days, today):
    """{store id: (credit outstanding at the end of its day, credit overdue, low-stock count now)}
    for `days` = {store id: local day}, each a grouped query over all the stores. Overdue: the unpaid
    part of the installments due before `today` (the store's today), or due by a past day's end."""
    if not stores:
        return {}
    ids = [store.id for store in stores]
    ends = {store.id: local_day_bounds(days[store.id], days[store.id], store.zone)[1] for store in stores}
    dues = {store.id: min(today[store.id], days[store.id] + timedelta(days=1)) for store in stores}
    signed = case((CreditLedgerEntry.kind == "DEBIT", CreditLedgerEntry.amount), else_=-CreditLedgerEntry.amount)
    outstanding = dict(db.session.execute(
        select(CreditLedgerEntry.store_id, func.sum(signed))
        .where(CreditLedgerEntry.store_id.in_(ids), CreditLedgerEntry.kind.in_(("DEBIT", "CREDIT")),
               CreditLedgerEntry.created_at < per_store(CreditLedgerEntry.store_id, ends))
        .group_by(CreditLedgerEntry.store_id)).all())
    overdue = dict(db.session.execute(
        select(Installment.store_id, func.sum(Installment.amount - Installment.paid))
        .join(CustomerAccount, CustomerAccount.id == Installment.account_id)
        .where(Installment.store_id.in_(ids), Installment.amount > Installment.paid,
               Installment.due_date < per_store(Installment.store_id, dues))
        .group_by(Installment.store_id)).all())
    available = ProductStock.quantity - ProductStock.reserved
    low = dict(db.session.execute(  # products the store carries at or under their reorder level, or out
        select(ProductStock.store_id, func.count(ProductStock.id)).join(Product, Product.id == ProductStock.product_id)
        .where(ProductStock.store_id.in_(ids), (available <= Product.reorder_level) | (available <= 0))
        .group_by(ProductStock.store_id)).all())
    return {sid: (Decimal(outstanding.get(sid) or 0), Decimal(overdue.get(sid) or 0), low.get(sid, 0)) for sid in ids}


SNAPSHOT_COLUMNS = (KPISnapshot.store_id, KPISnapshot.day, *(getattr(KPISnapshot, n) for n in ADDITIVE),
                    KPISnapshot.payments, KPISnapshot.products, KPISnapshot.sellers,
                    KPISnapshot.credit_outstanding, KPISnapshot.credit_overdue, KPISnapshot.low_stock_count)


def _from_snapshot(row) -> Figures:
    figures = Figures(**{name: getattr(row, name) for name in ADDITIVE})
    for method, amount in (row.payments or {}).items():
        figures.payments[method] += Decimal(amount)
    for target, source in ((figures.products, row.products), (figures.sellers, row.sellers)):
        for key, (count, amount) in (source or {}).items():
            target[key] = [count, Decimal(amount)]
    return figures


class Period:
    """The figures of `stores` over the local days date_from..date_to, each (store, day) read once:
    the snapshots of the past days in one query, the other days (today on, or a past day without
    its snapshot) with `live_figures`. Any span of it then gives its KPIs (`kpis`) without reading
    again."""

    def __init__(self, stores, date_from, date_to, today=None):
        self.stores, self.date_from, self.date_to = list(stores), date_from, date_to
        self.today = {store.id: today or store.local_now().date() for store in self.stores}
        self.days, self.snapshot_states, self._states, self._names = {}, {}, {}, {User: {}, Product: {}}
        ids = [store.id for store in self.stores]
        last_past = min(date_to, max(self.today.values(), default=date_from) - timedelta(days=1))
        if ids and date_from <= last_past:
            for row in db.session.execute(select(*SNAPSHOT_COLUMNS).where(
                    KPISnapshot.store_id.in_(ids), KPISnapshot.day >= date_from, KPISnapshot.day <= last_past)):
                if row.day < self.today[row.store_id]:
                    self.days[(row.store_id, row.day)] = _from_snapshot(row)
                    self.snapshot_states[(row.store_id, row.day)] = (
                        row.credit_outstanding, row.credit_overdue, row.low_stock_count)
        missing = [(store, day) for store in self.stores for day in days_between(date_from, date_to)
                   if (store.id, day) not in self.days]
        if missing:
            live_stores = list({store.id: store for store, _ in missing}.values())
            live = live_figures(live_stores, min(day for _, day in missing), max(day for _, day in missing))
            for store, day in missing:
                self.days[(store.id, day)] = live.get((store.id, day)) or Figures()

    def figures(self, store_ids, first, last) -> Figures:
        total = Figures()
        for store_id in store_ids:
            for day in days_between(first, last):
                total.add(self.days[(store_id, day)])
        return total

    def states(self, last):
        """{store id: state at the end of `last`}: today's live state, else the day's snapshot, else live."""
        wanted = {}
        for store in self.stores:
            day = min(last, self.today[store.id])
            if (store.id, day) in self.snapshot_states:
                wanted[store.id] = self.snapshot_states[(store.id, day)]
            elif (store.id, day) in self._states:
                wanted[store.id] = self._states[(store.id, day)]
        todo = [store for store in self.stores if store.id not in wanted]
        if todo:
            days = {store.id: min(last, self.today[store.id]) for store in todo}
            for store_id, state in live_states(todo, days, self.today).items():
                self._states[(store_id, days[store_id])] = wanted[store_id] = state
        return wanted

    def names(self, model, column, ids):
        known = self._names[model]
        unknown = {int(i) for i in ids} - set(known)
        if unknown:
            known.update(db.session.execute(select(model.id, column).where(model.id.in_(sorted(unknown)))).all())
        return known

    def payload(self, figures, state):
        """The KPI answer of SPEC §10, amounts as decimal strings."""
        outstanding, overdue, low = state
        money = lambda amount: str(whole(amount))  # noqa: E731
        top_products = sorted(figures.products.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:TOP]
        top_sellers = sorted(figures.sellers.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP]
        products = self.names(Product, Product.name, [k for k, _ in top_products])
        users = self.names(User, User.first_name + " " + User.last_name, [k for k, _ in top_sellers])
        return {
            "revenue": money(figures.revenue),
            "revenue_ht": money(figures.revenue_ht),
            "sales_count": figures.sales_count,
            "average_basket": money(figures.sales_total / figures.sales_count if figures.sales_count else 0),
            "gross_margin": money(figures.revenue_ht - figures.cost),
            "items_sold": figures.items_sold,
            "payments_by_method": {m: money(figures.payments.get(m, ZERO)) for m in METHODS},
            "credit_repayments": money(figures.repayments),
            "credit_outstanding": money(outstanding),
            "credit_overdue": money(overdue),
            "low_stock_count": low,
            "top_products": [{"product": int(k), "name": products.get(int(k)), "quantity": q, "revenue": money(a)}
                             for k, (q, a) in top_products],
            "top_sellers": [{"seller": int(k), "name": users.get(int(k)), "sales": q, "revenue": money(a)}
                            for k, (q, a) in top_sellers],
        }

    def kpis(self, first=None, last=None):
        """{"result": the KPIs of all the stores together over first..last (default: the whole
        period), "stores": [{"store", "code", "name", **KPIs}]}."""
        first, last = first or self.date_from, last or self.date_to
        states = self.states(last)
        total, total_state, per_store_rows = Figures(), [ZERO, ZERO, 0], []
        for store in self.stores:
            figures = self.figures([store.id], first, last)
            per_store_rows.append({"store": store.id, "code": store.code, "name": store.name,
                                   **self.payload(figures, states[store.id])})
            total.add(figures)
            total_state = [a + b for a, b in zip(total_state, states[store.id])]
        return {"result": self.payload(total, tuple(total_state)), "stores": per_store_rows}

    def daily_revenue(self):
        """[(day, revenue)] for each local day of the period, all the stores together."""
        return [(day, sum((self.days[(store.id, day)].revenue for store in self.stores), ZERO))
                for day in days_between(self.date_from, self.date_to)]


def compute_kpis(stores, date_from, date_to, today=None):
    """{"result": the KPIs of all `stores` together, "stores": [{"store", "code", "name", **KPIs}]}."""
    return Period(stores, date_from, date_to, today).kpis()


def _to_json(figures):
    return {"payments": {k: str(v) for k, v in figures.payments.items()},
            "products": {k: [q, str(a)] for k, (q, a) in figures.products.items()},
            "sellers": {k: [q, str(a)] for k, (q, a) in figures.sellers.items()}}


def write_snapshots(stores, day):
    """Write (or rewrite) the snapshots of `stores` for the local `day`; one row per store and day."""
    if not stores:
        return 0
    live = live_figures(stores, day, day)
    states = live_states(stores, {store.id: day for store in stores},
                         {store.id: day + timedelta(days=1) for store in stores})
    existing = {row.store_id: row for row in db.session.execute(select(KPISnapshot).where(
        KPISnapshot.store_id.in_([store.id for store in stores]), KPISnapshot.day == day)).scalars()}
    now = datetime.now(timezone.utc)
    for store in stores:
        snapshot = existing.get(store.id)
        if snapshot is None:
            snapshot = KPISnapshot(store_id=store.id, day=day)
            db.session.add(snapshot)
        figures = live.get((store.id, day)) or Figures()
        for name in ADDITIVE:
            setattr(snapshot, name, getattr(figures, name))
        parts = _to_json(figures)
        snapshot.payments, snapshot.products, snapshot.sellers = parts["payments"], parts["products"], parts["sellers"]
        snapshot.credit_outstanding, snapshot.credit_overdue, snapshot.low_stock_count = states[store.id]
        snapshot.created_at = now
    db.session.flush()
    return len(stores)


def snapshot_day(day, store_ids=None):
    """Write the snapshots of `day` for the active stores (or `store_ids`); returns how many."""
    query = select(Store).order_by(Store.id)
    query = query.where(Store.id.in_(store_ids)) if store_ids is not None else query.where(Store.is_active.is_(True))
    count = write_snapshots(list(db.session.execute(query).scalars()), day)
    db.session.commit()
    return count


def snapshot_yesterday(store_ids, now):
    """The job's work at 01:00 local: each store's yesterday (at `now`, UTC), in its own zone."""
    by_day = defaultdict(list)
    for store in db.session.execute(select(Store).where(Store.id.in_(store_ids)).order_by(Store.id)).scalars():
        by_day[now.astimezone(store.zone).date() - timedelta(days=1)].append(store)
    count = sum(write_snapshots(stores, day) for day, stores in by_day.items())
    db.session.commit()
    return count
