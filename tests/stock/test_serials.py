"""Serial-tracked products move unit by unit: one serial per unit, in stock where it is taken."""
import pytest

from app.catalog.models import Product
from app.core.errors import ValidationFailed
from app.extensions import db
from app.stock import services
from app.stock.services import NotEnoughStock, SerialNotAvailable
from tests.factories import make_product, put_serials_in_stock, store_by_code
from tests.stock.ledger import assert_stock_equals_ledger, serial_states


@pytest.fixture
def phone(app):
    """A serial-tracked phone with 3 units in DLA1."""
    with app.app_context():
        product = make_product("TEL-A15", "Smartphone A15", track_serial=True, warranty_months=12)
        put_serials_in_stock(store_by_code("DLA1"), product, ["IMEI-1", "IMEI-2", "IMEI-3"])
        return product.id


def test_purchased_units_enter_with_one_new_serial_each(app, phone):
    with app.app_context():
        dla = store_by_code("DLA1")
        assert services.serials_on_hand(dla.id, phone) == ["IMEI-1", "IMEI-2", "IMEI-3"]
        assert services.stock_of(dla.id, phone).quantity == 3
        assert assert_stock_equals_ledger()[(dla.id, phone)] == 3
        # a serial is unique per product: buying "IMEI-2" again is refused, nothing moves
        with pytest.raises(SerialNotAvailable, match="IMEI-2"):
            services.receive_serials(dla.id, phone, ["IMEI-4", "IMEI-2"])
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            services.receive_serials(dla.id, phone, ["IMEI-5", "IMEI-5"])
        db.session.rollback()
        assert services.stock_of(dla.id, phone).quantity == 3
        assert "IMEI-4" not in serial_states(phone)


def test_a_move_names_exactly_one_serial_per_unit(app, phone):
    with app.app_context():
        dla = store_by_code("DLA1").id
        for serials in (None, [], ["IMEI-1"], ["IMEI-1", "IMEI-2", "IMEI-3"]):
            with pytest.raises(ValidationFailed, match="invalides"):
                services.move(dla, phone, -2, "SALE", serials=serials)
            db.session.rollback()
        with pytest.raises(ValidationFailed):  # an increase too
            services.move(dla, phone, 1, "ADJUSTMENT")
        db.session.rollback()
        assert assert_stock_equals_ledger()[(dla, phone)] == 3


def test_a_decrease_takes_units_in_stock_in_that_store_only(app, phone):
    with app.app_context():
        dla, yde = store_by_code("DLA1").id, store_by_code("YDE1").id
        services.move(dla, phone, -1, "SALE", serials=["IMEI-2"])
        db.session.commit()
        assert serial_states(phone)["IMEI-2"] == (dla, "SOLD")
        with pytest.raises(SerialNotAvailable, match="IMEI-2"):  # already sold
            services.move(dla, phone, -1, "SALE", serials=["IMEI-2"])
        db.session.rollback()
        with pytest.raises(SerialNotAvailable, match="IMEI-9"):  # unknown
            services.move(dla, phone, -1, "SALE", serials=["IMEI-9"])
        db.session.rollback()
        put_serials_in_stock(store_by_code("YDE1"), db.session.get(Product, phone), ["IMEI-Y"])
        with pytest.raises(SerialNotAvailable, match="IMEI-Y"):  # in another store
            services.move(dla, phone, -1, "SALE", serials=["IMEI-Y"])
        db.session.rollback()
        stock = assert_stock_equals_ledger()
        assert (stock[(dla, phone)], stock[(yde, phone)]) == (2, 1)


def test_a_returned_unit_is_back_on_the_shelf_and_can_be_sold_again(app, phone):
    with app.app_context():
        dla = store_by_code("DLA1").id
        services.move(dla, phone, -1, "SALE", serials=["IMEI-1"])
        services.move(dla, phone, 1, "RETURN", serials=["IMEI-1"])
        db.session.commit()
        assert serial_states(phone)["IMEI-1"] == (dla, "RETURNED")
        assert "IMEI-1" in services.serials_on_hand(dla, phone)
        with pytest.raises(SerialNotAvailable):  # a unit never sold cannot be "returned"
            services.move(dla, phone, 1, "RETURN", serials=["IMEI-NEW"])
        db.session.rollback()
        services.move(dla, phone, -1, "SALE", serials=["IMEI-1"])
        db.session.commit()
        assert serial_states(phone)["IMEI-1"] == (dla, "SOLD")
        assert assert_stock_equals_ledger()[(dla, phone)] == 2


def test_adjustments_take_out_defective_or_missing_units_and_bring_them_back(app, phone):
    with app.app_context():
        dla = store_by_code("DLA1")
        services.adjust_stock(None, dla.id, phone, -1, "écran cassé", serials=["IMEI-1"])
        services.adjust_stock(None, dla.id, phone, -1, "volé", serials=["IMEI-2"], serial_status="MISSING")
        states = serial_states(phone)
        assert (states["IMEI-1"][1], states["IMEI-2"][1]) == ("DEFECTIVE", "MISSING")
        # the missing one is found, and a unit comes in that was never recorded
        services.adjust_stock(None, dla.id, phone, 2, "retrouvés", serials=["IMEI-2", "IMEI-8"])
        assert serial_states(phone)["IMEI-2"] == (dla.id, "IN_STOCK")
        assert services.serials_on_hand(dla.id, phone) == ["IMEI-2", "IMEI-3", "IMEI-8"]
        assert assert_stock_equals_ledger()[(dla.id, phone)] == 3


def test_other_products_refuse_serials(app):
    with app.app_context():
        cable = make_product("CBL-RJ45", "Câble RJ45 2 m")
        with pytest.raises(ValidationFailed):
            services.move(store_by_code("DLA1").id, cable.id, 1, "PURCHASE", serials=["X"])
        db.session.rollback()


def test_serials_cannot_make_stock_negative_or_take_reserved_units(app, phone):
    with app.app_context():
        dla = store_by_code("DLA1").id
        services.reserve(dla, phone, 3)
        db.session.commit()
        with pytest.raises(NotEnoughStock):
            services.move(dla, phone, -1, "SALE", serials=["IMEI-1"])
        db.session.rollback()
        assert serial_states(phone)["IMEI-1"] == (dla, "IN_STOCK")
        services.move(dla, phone, -1, "SALE", serials=["IMEI-1"], from_reserved=True)
        db.session.commit()
        assert assert_stock_equals_ledger()[(dla, phone)] == 2
