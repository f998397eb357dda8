"""On PostgreSQL, with real threads: a serial is sold once, a transfer sent once, a count validated once."""
import threading

from app.core.errors import DomainError
from app.extensions import db
from app.stock import services
from app.stock.models import StockCount, Transfer
from tests.factories import make_product, put_in_stock, put_serials_in_stock, store_by_code
from tests.stock.ledger import assert_stock_equals_ledger, serial_states


def _race(app, count, work):
    """Run `work()` in `count` threads released together; returns their outcomes ("ok" or the error class)."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                work()
                db.session.commit()
                outcomes.append("ok")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_five_tills_selling_the_same_serial(postgres):
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        phone = make_product("TEL-RACE", "Smartphone (course)", track_serial=True)
        put_serials_in_stock(dla, phone, ["IMEI-A", "IMEI-B", "IMEI-C"])
        store_id, product_id = dla.id, phone.id
    outcomes = _race(app, 5, lambda: services.move(store_id, product_id, -1, "SALE", serials=["IMEI-A"]))
    assert outcomes == ["SerialNotAvailable"] * 4 + ["ok"]
    with app.app_context():
        assert assert_stock_equals_ledger()[(store_id, product_id)] == 2
        assert serial_states(product_id)["IMEI-A"] == (store_id, "SOLD")


def test_a_transfer_sent_by_five_people_at_once_leaves_once(postgres):
    app = postgres
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-RACE", "Routeur (course)")
        put_in_stock(dla, router, 10, "PURCHASE")
        transfer = services.create_transfer(None, dla.id, yde.id, [{"product": router.id, "quantity": 4}])
        ids = (dla.id, yde.id, router.id, transfer.id)
    outcomes = _race(app, 5, lambda: services.send_transfer(None, db.session.get(Transfer, ids[3])))
    assert outcomes == ["InvalidTransition"] * 4 + ["ok"]
    outcomes = _race(app, 5, lambda: services.receive_transfer(None, db.session.get(Transfer, ids[3])))
    assert outcomes == ["InvalidTransition"] * 4 + ["ok"]
    with app.app_context():
        stock = assert_stock_equals_ledger()
        assert (stock[(ids[0], ids[2])], stock[(ids[1], ids[2])]) == (6, 4)


def test_a_count_validated_twice_at_once_moves_stock_once(postgres):
    app = postgres
    with app.app_context():
        dla = store_by_code("DLA1")
        cable = make_product("CBL-RACE", "Câble (course)")
        put_in_stock(dla, cable, 10, "PURCHASE")
        count = services.open_count(None, dla.id, [cable.id])
        services.enter_counts(None, count, [{"product": cable.id, "counted_quantity": 7}])
        ids = (dla.id, cable.id, count.id)
    outcomes = _race(app, 4, lambda: services.validate_count(None, db.session.get(StockCount, ids[2])))
    assert outcomes == ["InvalidTransition"] * 3 + ["ok"]
    with app.app_context():
        assert assert_stock_equals_ledger()[(ids[0], ids[1])] == 7
