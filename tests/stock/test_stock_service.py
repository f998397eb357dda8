"""The stock service: never negative, ledger = stock, reservations, locking under concurrency."""
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.stock import services
from app.stock.models import InventoryMovement
from app.stock.services import NotEnoughStock
from tests.factories import make_product, put_in_stock, store_by_code


@pytest.fixture
def router(app):
    with app.app_context():
        product = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800")
        store = store_by_code("DLA1")
        put_in_stock(store, product, 5, "PURCHASE")
        return store.id, product.id


def _check_ledger(store_id, product_id):
    row = services.stock_of(store_id, product_id)
    assert row.quantity == services.ledger_sum(store_id, product_id)
    last = db.session.execute(select(InventoryMovement).where(InventoryMovement.product_id == product_id)
                              .order_by(InventoryMovement.id.desc())).scalars().first()
    assert last.balance_after == row.quantity
    return row


def test_moves_keep_stock_equal_to_its_ledger(app, router):
    store_id, product_id = router
    with app.app_context():
        services.move(store_id, product_id, -2, "SALE")
        services.move(store_id, product_id, 1, "RETURN")
        services.move(store_id, product_id, -1, "ADJUSTMENT", note="casse")
        db.session.commit()
        row = _check_ledger(store_id, product_id)
        assert (row.quantity, row.reserved, row.available) == (3, 0, 3)


def test_going_below_zero_is_refused_and_changes_nothing(app, router):
    store_id, product_id = router
    with app.app_context():
        with pytest.raises(NotEnoughStock, match="5 disponible"):
            services.move(store_id, product_id, -6, "SALE")
        db.session.rollback()
        assert _check_ledger(store_id, product_id).quantity == 5
        yde = store_by_code("YDE1").id
        with pytest.raises(NotEnoughStock):  # no stock row at all in that store
            services.move(yde, product_id, -1, "SALE")
        db.session.rollback()


def test_reserved_units_cannot_be_sold_to_someone_else(app, router):
    store_id, product_id = router
    with app.app_context():
        services.reserve(store_id, product_id, 4)
        db.session.commit()
        with pytest.raises(NotEnoughStock):
            services.move(store_id, product_id, -2, "SALE")
        db.session.rollback()
        with pytest.raises(NotEnoughStock):
            services.reserve(store_id, product_id, 2)
        db.session.rollback()
        services.move(store_id, product_id, -4, "SALE", from_reserved=True)  # the sale that reserved them
        db.session.commit()
        row = _check_ledger(store_id, product_id)
        assert (row.quantity, row.reserved) == (1, 0)


def test_release_gives_back_only_what_was_reserved(app, router):
    store_id, product_id = router
    with app.app_context():
        services.reserve(store_id, product_id, 2)
        services.release(store_id, product_id, 2)
        db.session.commit()
        with pytest.raises(Exception, match="pas réservée"):
            services.release(store_id, product_id, 1)
        db.session.rollback()
        assert services.stock_of(store_id, product_id).reserved == 0


def test_bad_quantities_are_refused(app, router):
    store_id, product_id = router
    with app.app_context():
        for quantity in (0, 1.5, True, "2"):
            with pytest.raises(Exception, match="invalides"):
                services.move(store_id, product_id, quantity, "ADJUSTMENT")
        with pytest.raises(Exception):
            services.move(store_id, product_id, 1, "GIFT")
        db.session.rollback()


def test_the_database_refuses_a_negative_stock_row(app, router):
    store_id, product_id = router
    with app.app_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE product_stock SET quantity = -1"))
        db.session.rollback()


def test_ten_threads_taking_the_last_three_units(postgres):
    app = postgres
    with app.app_context():
        product = make_product("SW-8P", "Switch 8 ports Gigabit")
        store = store_by_code("DLA1")
        put_in_stock(store, product, 3, "PURCHASE")
        store_id, product_id = store.id, product.id
    barrier = threading.Barrier(10)
    outcomes = []

    def take_one():
        with app.app_context():
            barrier.wait()
            try:
                services.move(store_id, product_id, -1, "SALE")
                db.session.commit()
                outcomes.append("ok")
            except NotEnoughStock:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take_one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 7
    with app.app_context():
        row = _check_ledger(store_id, product_id)
        assert row.quantity == 0


def test_two_baskets_in_opposite_order_do_not_deadlock(postgres):
    app = postgres
    with app.app_context():
        store = store_by_code("DLA1")
        products = [make_product(f"CBL-{i}", f"Câble réseau {i}") for i in range(4)]
        for product in products:
            put_in_stock(store, product, 100, "PURCHASE")
        store_id, ids = store.id, [p.id for p in products]
    barrier = threading.Barrier(6)
    errors = []

    def basket(order):
        with app.app_context():
            barrier.wait()
            try:
                for _ in range(10):
                    services.move_many(store_id, {pid: -1 for pid in order}, "SALE")
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=basket, args=(ids if i % 2 else ids[::-1],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        for pid in ids:
            assert _check_ledger(store_id, pid).quantity == 40


def test_inventory_movements_are_append_only_on_postgres(postgres, router):
    app = postgres
    with app.app_context():
        for statement in ("UPDATE inventory_movement SET quantity = 99", "DELETE FROM inventory_movement"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
