"""Stock counts: OPEN with expected quantities snapshotted, counted quantities entered,
VALIDATED by a manager -> one COUNT movement per difference; serials counted."""
import pytest
from sqlalchemy import select

from app.core.errors import Conflict, InvalidTransition, ValidationFailed
from app.core.models import AuditLog
from app.extensions import db
from app.stock import services
from app.stock.models import InventoryMovement, StockCount
from tests.factories import make_product, put_in_stock, put_serials_in_stock, store_by_code
from tests.stock.ledger import assert_stock_equals_ledger, serial_states


@pytest.fixture
def shelf(app):
    """DLA1: 10 routers, 5 cables, 3 serial-tracked phones; YDE1: 7 routers."""
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800")
        cable = make_product("CBL-RJ45", "Câble RJ45 2 m")
        phone = make_product("TEL-A15", "Smartphone A15", track_serial=True)
        put_in_stock(dla, router, 10, "PURCHASE")
        put_in_stock(dla, cable, 5, "PURCHASE")
        put_in_stock(yde, router, 7, "PURCHASE")
        put_serials_in_stock(dla, phone, ["IMEI-1", "IMEI-2", "IMEI-3"])
        return {"dla": dla.id, "yde": yde.id, "router": router.id, "cable": cable.id, "phone": phone.id}


def _manager():
    from flask_appbuilder.security.sqla.models import User

    return db.session.execute(select(User).where(User.email == "manager@boutique.cm")).scalar_one()


def _stocker():
    from flask_appbuilder.security.sqla.models import User

    return db.session.execute(select(User).where(User.email == "magasinier@boutique.cm")).scalar_one()


def _stock(shelf, product, store="dla"):
    return assert_stock_equals_ledger().get((shelf[store], shelf[product]), 0)


def test_opening_snapshots_the_products_of_the_store(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"])
        assert count.status == "OPEN" and count.number.startswith("DLA1-INV-")
        expected = {line.product_id: line.expected_quantity for line in count.lines}
        stock = assert_stock_equals_ledger()
        assert expected == {product: quantity for (store, product), quantity in stock.items() if store == shelf["dla"]}
        assert {p: expected[p] for p in (shelf["router"], shelf["cable"], shelf["phone"])} == {
            shelf["router"]: 10, shelf["cable"]: 5, shelf["phone"]: 3}
        subset = services.open_count(_stocker(), shelf["yde"], [shelf["router"], shelf["cable"]])
        assert {line.product_id: line.expected_quantity for line in subset.lines} == {shelf["router"]: 7, shelf["cable"]: 0}
        assert subset.number.startswith("YDE1-INV-")


def test_validation_writes_one_count_movement_per_difference(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"], [shelf["router"], shelf["cable"]])
        services.enter_counts(_stocker(), count, [
            {"product": shelf["router"], "counted_quantity": 8},
            {"product": shelf["cable"], "counted_quantity": 5},
        ])
        assert _stock(shelf, "router") == 10  # nothing moves before validation
        services.validate_count(_manager(), count)
        assert count.status == "VALIDATED" and count.validated_by.email == "manager@boutique.cm"
        assert (_stock(shelf, "router"), _stock(shelf, "cable")) == (8, 5)
        movements = db.session.execute(select(InventoryMovement).where(InventoryMovement.type == "COUNT")).scalars().all()
        assert [(m.product_id, m.quantity, m.balance_after, m.reference) for m in movements] == [
            (shelf["router"], -2, 8, count.number)]
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "stock_count.validate")).scalar_one()
        assert entry.after["differences"][0]["difference"] == -2


def test_sales_during_the_count_are_neither_lost_nor_counted_twice(app, shelf):
    """Opened at 10; 3 sold before the shelf is counted (7 found: no loss); 2 more sold
    before validation (they stay sold). A surplus found is added to today's stock."""
    with app.app_context():
        dla, router = shelf["dla"], shelf["router"]
        count = services.open_count(_stocker(), dla, [router, shelf["cable"]])
        services.move(dla, router, -3, "SALE")
        db.session.commit()
        services.enter_counts(_stocker(), count, [{"product": router, "counted_quantity": 7},
                                                  {"product": shelf["cable"], "counted_quantity": 6}])
        line = next(line for line in count.lines if line.product_id == router)
        assert (line.expected_quantity, line.book_quantity, line.difference) == (10, 7, 0)
        services.move(dla, router, -2, "SALE")
        services.move(dla, shelf["cable"], -1, "SALE")
        db.session.commit()
        services.validate_count(_manager(), count)
        assert _stock(shelf, "router") == 5  # 10 - 3 - 2: no count movement
        assert _stock(shelf, "cable") == 5  # 5 - 1 sold + 1 found


def test_a_stale_count_that_would_go_negative_is_refused(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"], [shelf["router"]])
        services.enter_counts(_stocker(), count, [{"product": shelf["router"], "counted_quantity": 2}])  # -8
        services.move(shelf["dla"], shelf["router"], -5, "SALE")  # sold after counting: 5 left
        db.session.commit()
        with pytest.raises(Conflict, match="Recomptez"):
            services.validate_count(_manager(), count)
        db.session.rollback()
        assert db.session.get(StockCount, count.id).status == "OPEN"
        assert _stock(shelf, "router") == 5
        services.enter_counts(_stocker(), count, [{"product": shelf["router"], "counted_quantity": 1}])
        services.validate_count(_manager(), count)
        assert _stock(shelf, "router") == 1


def test_every_line_must_be_counted_before_validation(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"], [shelf["router"], shelf["cable"]])
        services.enter_counts(_stocker(), count, [{"product": shelf["router"], "counted_quantity": 10}])
        with pytest.raises(Conflict, match="Câble"):
            services.validate_count(_manager(), count)
        db.session.rollback()


def test_count_entries_are_checked(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"], [shelf["router"], shelf["phone"]])
        for entries in ([{"product": shelf["router"], "counted_quantity": -1}],
                        [{"product": shelf["router"]}],
                        [{"product": shelf["cable"], "counted_quantity": 1}],  # not in this count
                        [{"product": shelf["phone"], "counted_quantity": 3}],  # serials needed
                        [{"product": shelf["phone"], "serials": ["IMEI-1"], "counted_quantity": 2}],
                        []):
            with pytest.raises(ValidationFailed):
                services.enter_counts(_stocker(), count, entries)
            db.session.rollback()


def test_serials_are_counted_missing_ones_flagged_found_ones_restored(app, shelf):
    with app.app_context():
        dla, phone = shelf["dla"], shelf["phone"]
        services.adjust_stock(None, dla, phone, -1, "perdu", serials=["IMEI-3"], serial_status="MISSING")
        count = services.open_count(_stocker(), dla, [phone])  # books: IMEI-1, IMEI-2
        # on the shelf: IMEI-2, the lost IMEI-3, and a unit never recorded; IMEI-1 is not there
        services.enter_counts(_stocker(), count, [{"product": phone, "serials": ["IMEI-2", "IMEI-3", "IMEI-NEW"]}])
        line = count.lines[0]
        assert line.counted_quantity == 3 and line.difference == 1
        assert line.missing_serials == ["IMEI-1"]
        assert line.unexpected_serials == ["IMEI-3", "IMEI-NEW"]
        services.validate_count(_manager(), count)
        states = serial_states(phone)
        assert states["IMEI-1"] == (dla, "MISSING")
        assert states["IMEI-3"] == (dla, "IN_STOCK") and states["IMEI-NEW"] == (dla, "IN_STOCK")
        assert services.serials_on_hand(dla, phone) == ["IMEI-2", "IMEI-3", "IMEI-NEW"]
        assert _stock(shelf, "phone") == 3


def test_a_counted_serial_that_is_elsewhere_is_refused(app, shelf):
    with app.app_context():
        dla, phone = shelf["dla"], shelf["phone"]
        services.move(dla, phone, -1, "SALE", serials=["IMEI-1"])
        db.session.commit()
        count = services.open_count(_stocker(), dla, [phone])
        with pytest.raises(ValidationFailed, match="invalides"):
            services.enter_counts(_stocker(), count, [{"product": phone, "serials": ["IMEI-1", "IMEI-2", "IMEI-3"]}])
        db.session.rollback()


def test_serials_that_moved_since_the_count_make_validation_wait_for_a_recount(app, shelf):
    with app.app_context():
        dla, phone = shelf["dla"], shelf["phone"]
        count = services.open_count(_stocker(), dla, [phone])
        services.enter_counts(_stocker(), count, [{"product": phone, "serials": ["IMEI-1", "IMEI-2"]}])  # IMEI-3 missing
        services.move(dla, phone, -1, "SALE", serials=["IMEI-3"])  # ...yet it was sold since
        db.session.commit()
        with pytest.raises(Conflict, match="recomptez"):
            services.validate_count(_manager(), count)
        db.session.rollback()
        assert _stock(shelf, "phone") == 2


def test_a_validated_or_cancelled_count_is_closed(app, shelf):
    with app.app_context():
        count = services.open_count(_stocker(), shelf["dla"], [shelf["cable"]])
        services.enter_counts(_stocker(), count, [{"product": shelf["cable"], "counted_quantity": 5}])
        services.validate_count(_manager(), count)
        for action in (lambda: services.validate_count(_manager(), count),
                       lambda: services.enter_counts(_stocker(), count, [{"product": shelf["cable"], "counted_quantity": 1}]),
                       lambda: services.cancel_count(_stocker(), count)):
            with pytest.raises(InvalidTransition):
                action()
            db.session.rollback()
        other = services.open_count(_stocker(), shelf["dla"], [shelf["cable"]])
        services.cancel_count(_stocker(), other, "mauvais rayon")
        assert other.status == "CANCELLED"
        with pytest.raises(InvalidTransition):
            services.validate_count(_manager(), other)
        db.session.rollback()
        assert _stock(shelf, "cable") == 5
