"""Races at the till, on PostgreSQL with real threads released together by a barrier.

Each thread has its own app context, hence its own session and connection, as two
gunicorn workers would.
"""
import threading
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from app.cashier import services as till
from app.cashier.models import Payment
from app.core.errors import DomainError, ValidationFailed
from app.extensions import db
from app.sales import services
from app.sales.models import PAID, PENDING_PAYMENT, Sale
from app.stock import services as stock
from tests.factories import (
    make_draft,
    make_pending_sale,
    make_product,
    make_user,
    open_shift_for,
    put_in_stock,
    store_by_code,
)
from tests.sales.fixtures import user


def run_together(app, count, work):
    """Run work(index) in `count` threads started at once; returns [(index, result or exception)]."""
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def runner(index):
        with app.app_context():
            try:
                barrier.wait()
                result = work(index)
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
                db.session.rollback()
                result = exc
            finally:
                db.session.remove()
        with lock:
            outcomes.append((index, result))

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes, key=lambda pair: pair[0])


def cashiers(count, store_codes=("DLA1",), prefix="caisse"):
    """`count` cashiers, each with an open shift in the first store; returns their ids."""
    stores = [store_by_code(code) for code in store_codes]
    ids = []
    for index in range(count):
        person = make_user(f"{prefix}{index}@boutique.cm", "caisse123!", "CASHIER", stores)
        open_shift_for(person, stores[0], "10000")
        ids.append(person.id)
    return ids


def test_eight_cashiers_paying_sixty_percent_of_one_sale(postgres, shop):
    app = postgres
    with app.app_context():
        sale = make_pending_sale(store_by_code("DLA1"), user(shop.seller), [(product_of(shop.router), 2)])
        sale_id, total = sale.id, sale.total  # 90000: 60 % is 54000
        cashier_ids = cashiers(8)
    part = total * Decimal("0.6")

    outcomes = run_together(app, 8, lambda i: till.take_payment(
        user(cashier_ids[i]), sale_id, "MOBILE_MONEY", part, operator="MTN", reference=f"MP-RACE-{i}"))

    succeeded = [r for _, r in outcomes if not isinstance(r, Exception)]
    refused = [r for _, r in outcomes if isinstance(r, Exception)]
    assert len(succeeded) == 1
    assert len(refused) == 7 and all(isinstance(e, DomainError) and e.status == 409 for e in refused), refused
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        paid = db.session.execute(select(func.sum(Payment.amount)).where(Payment.sale_id == sale_id)).scalar_one()
        assert sale.amount_paid == paid == part <= sale.total
        assert sale.status == "PARTIALLY_PAID"


def test_ten_sales_of_the_last_unit_paid_at_once(postgres, shop):
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        last = make_product("AP-OUT", "Point d'accès extérieur", sale_price="60000")
        put_in_stock(dla, last, 1, "PURCHASE")
        sale_ids = [make_pending_sale(dla, user(shop.seller), [(last, 1)]).id for _ in range(10)]
        cashier_ids = cashiers(10)
        product_id, store_id = last.id, dla.id

    outcomes = run_together(app, 10, lambda i: till.take_payment(user(cashier_ids[i]), sale_ids[i], "CARD", "60000"))

    errors = [r for _, r in outcomes if isinstance(r, Exception)]
    assert len(errors) == 9 and all(isinstance(e, stock.NotEnoughStock) and e.status == 409 for e in errors), errors
    with app.app_context():
        statuses = Counter(db.session.get(Sale, sid).status for sid in sale_ids)
        assert statuses == {PAID: 1, PENDING_PAYMENT: 9}
        row = stock.stock_of(store_id, product_id)
        assert (row.quantity, row.reserved) == (0, 0)
        assert stock.ledger_sum(store_id, product_id) == 0
        # the refused payments left nothing behind
        assert db.session.execute(select(func.count(Payment.id)).where(Payment.sale_id.in_(sale_ids))).scalar_one() == 1


def test_two_hundred_submits_over_eight_threads_and_two_stores_are_gapless(postgres, shop):
    app = postgres
    with app.app_context():
        stores = [store_by_code("DLA1"), store_by_code("YDE1")]
        seller = make_user("vendeur.multi@boutique.cm", "vendeur123!", "SALES", stores)
        cable = make_product("CBL-RACE", "Câble RJ45 1 m", sale_price="1000")
        for store in stores:
            put_in_stock(store, cable, 1000, "PURCHASE")
        drafts = [make_draft(stores[i % 2], seller, [(cable, 1)]).id for i in range(200)]
        seller_id = seller.id
    doomed = set(drafts[::9])  # these transactions are rolled back after taking their number
    per_thread = [drafts[i::8] for i in range(8)]

    def submit_many(index):
        done = []
        for sale_id in per_thread[index]:
            session = db.session()
            listener = None
            if sale_id in doomed:
                def listener(_session):
                    raise RuntimeError("rolled back on purpose")
                event.listen(session, "before_commit", listener)
            try:
                sale = services.submit_sale(user(seller_id), sale_id)
                done.append((sale.store_id, sale.number))
            except RuntimeError:
                db.session.rollback()
            finally:
                if listener is not None:
                    event.remove(session, "before_commit", listener)
        return done

    outcomes = run_together(app, 8, submit_many)

    assert not [r for _, r in outcomes if isinstance(r, Exception)]
    numbers = defaultdict(list)
    for _, done in outcomes:
        for store_id, number in done:
            numbers[store_id].append(number)
    assert sum(len(v) for v in numbers.values()) == 200 - len(doomed)
    with app.app_context():
        for store in stores:
            store = db.session.merge(store)
            stored = db.session.execute(select(Sale.number).where(
                Sale.store_id == store.id, Sale.number.isnot(None))).scalars().all()
            assert sorted(stored) == sorted(numbers[store.id])
            values = sorted(int(n.rsplit("-", 1)[1]) for n in stored)
            assert values == list(range(1, len(values) + 1)), "numbers must be unique and gapless"
            assert all(n.startswith(f"{store.code}-FAC-") for n in stored)
        assert db.session.execute(select(func.count(Sale.id)).where(Sale.id.in_(doomed), Sale.status == "DRAFT")
                                  ).scalar_one() == len(doomed)


def test_the_same_idempotency_key_twenty_times_at_once_charges_once(postgres, shop):
    app = postgres
    with app.app_context():
        sale = make_pending_sale(store_by_code("DLA1"), user(shop.seller), [(product_of(shop.switch), 2)])
        sale_id = sale.id
        open_shift_for(user(shop.cashier), store_by_code("DLA1"))

    def pay(_index):
        result = till.take_payment(user(shop.cashier), sale_id, "CASH", "10000", tendered="10000",
                                   idempotency_key="till-3-ticket-0042")
        return result.payment.id, result.replayed

    results = [r for _, r in run_together(app, 20, pay)]
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({payment_id for payment_id, _ in results}) == 1
    assert sum(1 for _, replayed in results if not replayed) == 1
    with app.app_context():
        payments = db.session.execute(select(Payment).where(Payment.sale_id == sale_id)).scalars().all()
        assert len(payments) == 1 and payments[0].amount == Decimal("10000")
        assert db.session.get(Sale, sale_id).amount_paid == Decimal("10000")
        # the same key with another amount is refused, and charges nothing
        with pytest.raises(ValidationFailed) as refused:
            till.take_payment(user(shop.cashier), sale_id, "CASH", "12000", idempotency_key="till-3-ticket-0042")
        assert refused.value.status == 422
        db.session.rollback()
        assert db.session.get(Sale, sale_id).amount_paid == Decimal("10000")


def test_a_close_waits_for_payments_in_flight_and_counts_them(postgres, shop):
    """Payments hold the shift FOR SHARE: a close and payments at once never lose a payment."""
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        sale_ids = [make_pending_sale(dla, user(shop.seller), [(product_of(shop.cable), 1)]).id for _ in range(6)]
        shift_id = open_shift_for(user(shop.cashier), dla, "0").id

    def work(index):
        if index == 6:
            return till.close_shift(user(shop.cashier), shift_id, "0")
        return till.take_payment(user(shop.cashier), sale_ids[index], "CASH", "2500")

    outcomes = run_together(app, 7, work)
    with app.app_context():
        counted = db.session.execute(select(func.count(Payment.id)).where(Payment.shift_id == shift_id)).scalar_one()
        shift = db.session.get(till.CashShift, shift_id)
        assert shift.status == "CLOSED"
        assert shift.expected_cash == Decimal("2500") * counted  # every payment of the shift is counted
        paid_ok = sum(1 for i, r in outcomes if i < 6 and not isinstance(r, Exception))
        assert paid_ok == counted  # the others were refused (no open shift), none was lost


def product_of(product_id):
    from app.catalog.models import Product

    return db.session.get(Product, product_id)


def test_two_submits_naming_the_same_serial_at_once(postgres, shop):
    """The serial rows are locked before the check: exactly one of two sales takes the serial."""
    from tests.factories import put_serials_in_stock

    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        phone = make_product("TEL-RACE", "Smartphone (course)", sale_price="95000", track_serial=True)
        put_serials_in_stock(dla, phone, ["IMEI-RACE-1"])
        seller = user(shop.seller)
        draft_ids = [services.create_draft(seller, dla.id, [
            {"product": phone.id, "quantity": 1, "serials": ["IMEI-RACE-1"]}]).id for _ in range(2)]

    outcomes = run_together(app, 2, lambda i: services.submit_sale(user(shop.seller), draft_ids[i]).number)

    numbers = [r for _, r in outcomes if isinstance(r, str)]
    refused = [r for _, r in outcomes if isinstance(r, Exception)]
    assert len(numbers) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationFailed) and list(refused[0].errors) == ["items[0].serials"]


def test_two_managers_refunding_the_same_unit_at_once(postgres, shop):
    """The refund locks the sale: the unit comes back once and the money goes out once."""
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        cashier = user(shop.cashier)
        sale = make_pending_sale(dla, user(shop.seller), [(product_of(shop.router), 1)])
        sale_id, item_id = sale.id, sale.items[0].id
        shift_id = open_shift_for(cashier, dla, "100000").id
        till.take_payment(cashier, sale_id, "CASH", "45000")
        managers = [make_user(f"gerant{i}@boutique.cm", "gerant123!", "MANAGER", [dla]).id for i in range(2)]
        on_hand = stock.stock_of(dla.id, shop.router).quantity

    def work(index):
        manager = user(managers[index])
        return services.refund_sale(manager, sale_id, [{"sale_item": item_id, "quantity": 1}],
                                    till=till.refund_till(manager, shift_id))

    outcomes = run_together(app, 2, work)
    refused = [result for _, result in outcomes if isinstance(result, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], DomainError)
    with app.app_context():
        sale = db.session.get(Sale, sale_id)
        assert (sale.status, sale.amount_refunded) == ("REFUNDED", Decimal("45000"))
        assert len(sale.refunds) == 1
        assert stock.stock_of(dla.id, shop.router).quantity == on_hand + 1


def test_a_cancel_and_the_last_payment_at_once_never_keep_both(postgres, shop):
    """Payment and cancel both lock the sale: either it is PAID (the cancel refused) or CANCELLED
    (the payment refused); never cancelled with the money kept, never paid and cancelled."""
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        cashier = user(shop.cashier)
        shift_id = open_shift_for(cashier, dla, "0").id
        manager = make_user("gerant@boutique.cm", "gerant123!", "MANAGER", [dla]).id
        sale_ids = [make_pending_sale(dla, user(shop.seller), [(product_of(shop.cable), 1)]).id for _ in range(6)]
        on_hand = stock.stock_of(dla.id, shop.cable).quantity

    winners = Counter()
    for sale_id in sale_ids:
        def work(index, sale_id=sale_id):
            if index == 0:
                return till.take_payment(user(shop.cashier), sale_id, "CASH", "2500")
            return services.cancel_sale(user(manager), sale_id, "Client parti",
                                        till=till.refund_till(user(manager), shift_id))

        outcomes = run_together(app, 2, work)
        failed = [index for index, result in outcomes if isinstance(result, Exception)]
        assert len(failed) == 1 and isinstance(outcomes[failed[0]][1], DomainError)
        with app.app_context():
            sale = db.session.get(Sale, sale_id)
            winners[sale.status] += 1
            if failed == [1]:  # the payment came first
                assert (sale.status, sale.amount_paid, sale.amount_refunded) == ("PAID", Decimal("2500"), 0)
            else:
                assert (sale.status, sale.amount_paid) == ("CANCELLED", 0)
    with app.app_context():
        assert stock.stock_of(dla.id, shop.cable).quantity == on_hand - winners["PAID"]
        money_in = db.session.execute(select(func.coalesce(func.sum(Payment.amount), 0))
                                      .where(Payment.shift_id == shift_id)).scalar_one()
        assert money_in == Decimal("2500") * winners["PAID"]


def test_one_approval_decided_twice_at_once(postgres, shop):
    """Two managers answer the same request from the queue: one decision stands, the other is told."""
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        seller = user(shop.seller)
        draft = make_draft(dla, seller, [(product_of(shop.router), 1, "35000")])  # under the 40 000 floor
        with pytest.raises(services.ApprovalRequired) as blocked:
            services.submit_sale(seller, draft.id)
        approval_id = blocked.value.approvals[0].id
        managers = [make_user(f"gerant{i}@boutique.cm", "gerant123!", "MANAGER", [dla]).id for i in range(2)]

    def work(index):  # one approves, the other rejects
        return services.decide_approval(user(managers[index]), approval_id, approve=index == 0,
                                        note=None if index == 0 else "Prix trop bas")

    outcomes = run_together(app, 2, work)
    failed = [index for index, result in outcomes if isinstance(result, Exception)]
    assert len(failed) == 1 and "déjà été traitée" in str(outcomes[failed[0]][1])
    with app.app_context():
        approval = db.session.get(services.Approval, approval_id)
        assert approval.status == ("REJECTED" if failed == [0] else "APPROVED")
        assert approval.decided_by_id == managers[1 - failed[0]]


def test_a_cashier_opening_the_same_shift_twice_at_once(postgres, shop):
    """A double tap on two tills: one open shift per cashier and store, the second is refused."""
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        store_id = dla.id
        cashier = make_user("caisse.double@boutique.cm", "caisse123!", "CASHIER", [dla]).id

    outcomes = run_together(app, 4, lambda index: till.open_shift(user(cashier), store_id, "10000"))
    refused = [result for _, result in outcomes if isinstance(result, Exception)]
    assert len(refused) == 3 and all("déjà une caisse ouverte" in str(error) for error in refused)
    with app.app_context():
        assert db.session.execute(select(func.count(till.CashShift.id)).where(
            till.CashShift.cashier_id == cashier, till.CashShift.status == "OPEN")).scalar_one() == 1
