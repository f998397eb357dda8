"""`flask seed-demo-data`: a deterministic sales history for the dashboard and reports (SPEC §12).

Written set-based for speed (bulk inserts of plain rows), with the ledgers kept consistent:
per store and product one PURCHASE movement brings in, at the start of the history, exactly what
the history sells, then each sold line is a SALE movement (running `balance_after`, the product's
cost as `unit_cost`), so the stock stays the sum of its movements (it ends where it started, plus the units returned). Each
store has one closed shift per day (its cash counted with a small variance) carrying that day's
payments. Most sales are PAID (cash, mobile money, card, transfer); a few are left PENDING_PAYMENT
or CANCELLED; a few paid ones get a partial refund in cash with the goods back in stock. The past
days' KPI snapshots are written at the end, as the 01:00 job would have.
"""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from ..cashier.models import CashShift, Payment
from ..catalog.models import Product
from ..extensions import db
from ..sales.models import Refund, RefundLine, Sale, SaleItem
from ..stock.models import InventoryMovement, ProductStock
from ..stores.models import Store, StoreUser
from . import services

EXTRA_STORES = [("BAF1", "Bafoussam Marché A"), ("GAR1", "Garoua Centre"), ("KRI1", "Kribi Plage"),
                ("LIM1", "Limbé Down Beach"), ("BUE1", "Buea Molyko"), ("EBO1", "Ebolowa Centre")]
METHODS = [("CASH", 55), ("MOBILE_MONEY", 30), ("CARD", 8), ("BANK_TRANSFER", 7)]


def _stores(count):
    stores = list(db.session.execute(select(Store).order_by(Store.id)).scalars())
    for code, name in EXTRA_STORES[:max(0, count - len(stores))]:
        store = Store(code=code, name=name)
        db.session.add(store)
        stores.append(store)
    db.session.flush()
    users = list(db.session.execute(select(StoreUser.user_id).distinct()).scalars())
    for store in stores[2:count]:  # the demo team works in the extra stores too
        known = set(db.session.execute(select(StoreUser.user_id).where(StoreUser.store_id == store.id)).scalars())
        for user_id in users:
            if user_id not in known:
                db.session.add(StoreUser(store_id=store.id, user_id=user_id))
    db.session.commit()
    return stores[:count]


def _team(store):
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    rows = db.session.execute(
        select(User.id, Role.name).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .join(StoreUser, StoreUser.user_id == User.id).where(StoreUser.store_id == store.id)).all()
    team = {}
    for user_id, role in rows:
        team.setdefault(role, []).append(user_id)
    return team


def seed_demo_history(days=90, store_count=2, seed=17, echo=print):
    rng = random.Random(seed)
    stores = _stores(store_count)
    products = list(db.session.execute(select(Product.id, Product.sale_price, Product.cost_price, Product.tax_rate)
                                       .where(Product.is_active.is_(True), Product.track_serial.is_(False))
                                       .order_by(Product.id)).all())
    if not products:
        raise RuntimeError("no catalog: run `flask seed-data` first")
    weights = [rng.randint(1, 10) for _ in products]
    today = stores[0].local_now().date()
    first = today - timedelta(days=days)
    for store in stores:
        team = _team(store)
        sellers = team.get("SALES") or team.get("MANAGER") or team.get("ADMIN")
        cashier = (team.get("CASHIER") or sellers)[0]
        manager = (team.get("MANAGER") or team.get("ADMIN") or sellers)[0]
        sale_id = (db.session.execute(select(func.max(Sale.id))).scalar() or 0)
        shift_id = (db.session.execute(select(func.max(CashShift.id))).scalar() or 0)
        item_id = (db.session.execute(select(func.max(SaleItem.id))).scalar() or 0)
        refund_id = (db.session.execute(select(func.max(Refund.id))).scalar() or 0)
        sales, items, payments, shifts, refunds, refund_lines = [], [], [], [], [], []
        sold = {}  # product id -> [(moment, quantity, cost, sale id)] leaving stock
        back = {}  # product id -> [(moment, quantity, cost, refund id)] back in stock
        number = 0
        for offset in range(days):  # the past days (today stays for live figures)
            day = first + timedelta(days=offset)
            opened = datetime.combine(day, time(7, 30), store.zone)
            shift_id += 1
            cash = Decimal("0")
            count = rng.randint(6, 18) + (6 if day.weekday() == 5 else 0)
            for _ in range(count):
                moment = datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59)), store.zone)
                sale_id += 1
                number += 1
                lines, total, tax = [], Decimal("0"), Decimal("0")
                for product_id, price, cost, rate in rng.choices(products, weights, k=rng.choice((1, 1, 1, 2, 2, 3))):
                    quantity = rng.choice((1, 1, 1, 2, 3))
                    line_total = price * quantity
                    item_id += 1
                    lines.append((item_id, product_id, quantity, price, cost, rate, line_total))
                    total += line_total
                    tax += line_total - (line_total / (1 + rate / 100)).quantize(Decimal("1"))
                roll = rng.random()
                status = "PAID" if roll < 0.94 else "PENDING_PAYMENT" if roll < 0.97 else "CANCELLED"
                paid_at = moment + timedelta(minutes=rng.randint(1, 15)) if status == "PAID" else None
                sales.append(dict(id=sale_id, store_id=store.id, number=f"{store.code}-FAC-{day.year}-H{number:06d}",
                                  status=status, seller_id=rng.choice(sellers), discount=0, subtotal=total,
                                  tax_total=tax, total=total, amount_paid=total if paid_at else 0, amount_refunded=0,
                                  stock_reserved=False, created_at=moment, updated_at=paid_at or moment,
                                  submitted_at=moment, paid_at=paid_at,
                                  cancelled_at=moment + timedelta(minutes=30) if status == "CANCELLED" else None,
                                  cancelled_by_id=manager if status == "CANCELLED" else None,
                                  cancel_reason="Client parti" if status == "CANCELLED" else None))
                for position, (iid, product_id, quantity, price, cost, rate, line_total) in enumerate(lines):
                    items.append(dict(id=iid, sale_id=sale_id, position=position, product_id=product_id,
                                      quantity=quantity, unit_price=price, discount=0, tax_rate=rate,
                                      line_total=line_total, refunded_quantity=0))
                    if paid_at:
                        sold.setdefault(product_id, []).append((paid_at, -quantity, cost, sale_id))
                if not paid_at:
                    continue
                method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
                payments.append(dict(sale_id=sale_id, store_id=store.id, shift_id=shift_id, cashier_id=cashier,
                                     method=method, amount=total, change_given=0,
                                     operator="MTN" if method == "MOBILE_MONEY" else None,
                                     reference=f"REF{sale_id}" if method in ("MOBILE_MONEY", "BANK_TRANSFER") else None,
                                     sale_status_after="PAID", balance_due_after=0, created_at=paid_at))
                if method == "CASH":
                    cash += total
                if rng.random() < 0.02:  # a partial refund, a few days later, goods back in stock
                    iid, product_id, quantity, price, cost, rate, line_total = lines[0]
                    when = paid_at + timedelta(days=rng.randint(0, 3), hours=1)
                    if when.date() < today:
                        refund_id += 1
                        refunds.append(dict(id=refund_id, sale_id=sale_id, store_id=store.id, is_cancellation=False,
                                            method="CASH", amount=price, restock=True, reason="Retour client",
                                            shift_id=shift_id, approved_by_id=manager, created_at=when))
                        refund_lines.append(dict(refund_id=refund_id, sale_item_id=iid, quantity=1, amount=price,
                                                 restock=True))
                        back.setdefault(product_id, []).append((when, 1, cost, refund_id))
                        items[-len(lines)]["refunded_quantity"] = 1
                        sales[-1]["amount_refunded"] = price
            variance = Decimal(rng.choice((0, 0, 0, -500, 500, -1000, 250)))
            shifts.append(dict(id=shift_id, store_id=store.id, cashier_id=cashier, status="CLOSED",
                               opening_float=Decimal("50000"), opened_at=opened,
                               closed_at=datetime.combine(day, time(21, 0), store.zone),
                               counted_cash=Decimal("50000") + cash + variance, expected_cash=Decimal("50000") + cash,
                               cash_in=cash, change_given=0, cash_refunds=0, cash_payouts=0, variance=variance))
        movements = []
        levels = dict(db.session.execute(select(ProductStock.product_id, ProductStock.quantity)
                                         .where(ProductStock.store_id == store.id)).all())
        start = datetime.combine(first, time(7, 0), store.zone)
        for product_id in sorted(set(sold) | set(back)):
            outs, ins = sold.get(product_id, []), back.get(product_id, [])
            needed = -sum(q for _, q, _, _ in outs)  # what leaves; the units returned stay in stock
            cost = (outs or ins)[0][2]
            balance = levels.get(product_id, 0) + needed
            movements.append(dict(store_id=store.id, product_id=product_id, type="PURCHASE", quantity=needed,
                                  balance_after=balance, reference="Historique de démonstration",
                                  created_at=start, unit_cost=cost))
            events = [(m, q, c, "SALE", "Sale", r) for m, q, c, r in outs] + \
                     [(m, q, c, "RETURN", "Refund", r) for m, q, c, r in ins]
            for moment, quantity, unit_cost, kind, ref_type, ref_id in sorted(events, key=lambda e: e[0]):
                balance += quantity
                movements.append(dict(store_id=store.id, product_id=product_id, type=kind, quantity=quantity,
                                      balance_after=balance, reference_type=ref_type, reference_id=ref_id,
                                      created_at=moment, unit_cost=unit_cost))
            if product_id not in levels:
                db.session.add(ProductStock(store_id=store.id, product_id=product_id, quantity=balance, reserved=0))
            elif balance != levels[product_id]:
                db.session.execute(db.update(ProductStock).where(ProductStock.store_id == store.id,
                                                                 ProductStock.product_id == product_id)
                                   .values(quantity=balance))
        for table, rows in ((CashShift, shifts), (Sale, sales), (SaleItem, items), (Payment, payments),
                            (Refund, refunds), (RefundLine, refund_lines), (InventoryMovement, movements)):
            for chunk in range(0, len(rows), 5000):
                db.session.execute(insert(table), rows[chunk:chunk + 5000])
        db.session.commit()
        echo(f"{store.code}: {len(sales)} sales, {len(payments)} payments, {len(refunds)} refunds, "
             f"{len(movements)} movements over {days} days")
    _fix_sequences()
    for offset in range(days):
        services.snapshot_day(first + timedelta(days=offset), [s.id for s in stores])
    echo(f"{days * len(stores)} KPI snapshots written")
    try:
        from ..alerts import services as alert_services

        alert_services.run_job("check_low_stock")
        alert_services.run_job("check_pending_payments")
    except Exception as exc:  # noqa: BLE001  the history stands without its alerts
        echo(f"alerts not run: {exc}")
    return stores


def _fix_sequences():
    """Ids were given explicitly: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("cash_shift", "sale", "sale_item", "refund"):
        db.session.execute(db.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"))
    db.session.commit()
