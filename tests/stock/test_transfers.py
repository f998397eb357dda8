"""Transfers between stores: DRAFT -> SENT -> RECEIVED (partial receipt recorded) or CANCELLED."""
import pytest
from sqlalchemy import select

from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.models import AuditLog
from app.extensions import db
from app.stock import services
from app.stock.models import InventoryMovement, Transfer
from app.stock.services import NotEnoughStock
from tests.factories import make_product, make_user, put_in_stock, put_serials_in_stock, store_by_code
from tests.stock.ledger import assert_stock_equals_ledger, serial_states


@pytest.fixture
def goods(app):
    """DLA1 holds 10 routers and 3 serial-tracked phones; ids of stores, products and people."""
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800")
        phone = make_product("TEL-A15", "Smartphone A15", track_serial=True)
        put_in_stock(dla, router, 10, "PURCHASE")
        put_serials_in_stock(dla, phone, ["IMEI-1", "IMEI-2", "IMEI-3"])
        dla_only = make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", stores=[dla])
        yde_only = make_user("stock.yde@boutique.cm", "stock123!", "STOCKER", stores=[yde])
        return {"dla": dla.id, "yde": yde.id, "router": router.id, "phone": phone.id,
                "dla_user": dla_only.id, "yde_user": yde_only.id}


def _user(user_id):
    from flask_appbuilder.security.sqla.models import User

    return db.session.get(User, user_id)


def _draft(goods, router=4, phone_serials=("IMEI-1", "IMEI-2")):
    lines = [{"product": goods["router"], "quantity": router}]
    if phone_serials:
        lines.append({"product": goods["phone"], "quantity": len(phone_serials), "serials": list(phone_serials)})
    return services.create_transfer(_user(goods["dla_user"]), goods["dla"], goods["yde"], lines, note="Réassort")


def _quantities(goods, product):
    stock = assert_stock_equals_ledger()
    return stock.get((goods["dla"], goods[product]), 0), stock.get((goods["yde"], goods[product]), 0)


def test_full_flow_moves_goods_and_serials_between_stores(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        assert transfer.status == "DRAFT" and transfer.number.startswith("DLA1-TRF-")
        assert _quantities(goods, "router") == (10, 0)  # a draft moves nothing

        services.send_transfer(_user(goods["dla_user"]), transfer)
        assert transfer.status == "SENT" and transfer.sent_at is not None
        assert _quantities(goods, "router") == (6, 0)
        assert _quantities(goods, "phone") == (1, 0)
        states = serial_states(goods["phone"])
        assert states["IMEI-1"][1] == states["IMEI-2"][1] == "IN_TRANSIT"
        assert states["IMEI-3"] == (goods["dla"], "IN_STOCK")

        services.receive_transfer(_user(goods["yde_user"]), transfer)
        assert transfer.status == "RECEIVED" and transfer.received_at is not None
        assert _quantities(goods, "router") == (6, 4)
        assert _quantities(goods, "phone") == (1, 2)
        assert services.serials_on_hand(goods["yde"], goods["phone"]) == ["IMEI-1", "IMEI-2"]
        assert all(line.received_quantity == line.quantity and line.difference == 0 for line in transfer.lines)
        movements = db.session.execute(select(InventoryMovement.type, InventoryMovement.reference).where(
            InventoryMovement.reference_type == "Transfer")).all()
        assert sorted(m.type for m in movements) == ["TRANSFER_IN"] * 2 + ["TRANSFER_OUT"] * 2
        assert {m.reference for m in movements} == {transfer.number}
        actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_type == "Transfer")
                                  .order_by(AuditLog.id)).scalars().all()
        assert actions == ["transfer.create", "transfer.send", "transfer.receive"]


def test_partial_receipt_records_the_difference_and_the_missing_serials(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        services.send_transfer(_user(goods["dla_user"]), transfer)
        received = {goods["router"]: {"quantity": 3},
                    goods["phone"]: {"quantity": 1, "serials": ["IMEI-2"]}}
        services.receive_transfer(_user(goods["yde_user"]), transfer, received, note="1 routeur et 1 téléphone manquants")
        lines = {line.product_id: line for line in transfer.lines}
        assert (lines[goods["router"]].received_quantity, lines[goods["router"]].difference) == (3, -1)
        assert (lines[goods["phone"]].received_quantity, lines[goods["phone"]].difference) == (1, -1)
        assert _quantities(goods, "router") == (6, 3)
        assert _quantities(goods, "phone") == (1, 1)
        assert serial_states(goods["phone"])["IMEI-1"][1] == "MISSING"
        assert serial_states(goods["phone"])["IMEI-2"] == (goods["yde"], "IN_STOCK")
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "transfer.receive")).scalar_one()
        router_line = next(l for l in entry.after["lines"] if l["product_id"] == goods["router"])
        assert (router_line["sent"], router_line["received"], router_line["difference"]) == (4, 3, -1)
        assert entry.after["note"] == "1 routeur et 1 téléphone manquants"


def test_receipt_quantities_are_checked(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        services.send_transfer(_user(goods["dla_user"]), transfer)
        yde_user = _user(goods["yde_user"])
        bad = [
            {goods["router"]: {"quantity": 5}},  # more than sent
            {goods["router"]: {"quantity": -1}},
            {goods["phone"]: {"quantity": 1}},  # which serial arrived?
            {goods["phone"]: {"quantity": 1, "serials": ["IMEI-3"]}},  # not in this transfer
            {999999: {"quantity": 1}},
        ]
        for received in bad:
            with pytest.raises(ValidationFailed):
                services.receive_transfer(yde_user, transfer, received)
            db.session.rollback()
        assert db.session.get(Transfer, transfer.id).status == "SENT"
        assert _quantities(goods, "router") == (6, 0)


def test_only_the_destination_receives_and_only_the_source_sends(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        with pytest.raises(Forbidden):
            services.send_transfer(_user(goods["yde_user"]), transfer)
        db.session.rollback()
        services.send_transfer(_user(goods["dla_user"]), transfer)
        with pytest.raises(Forbidden):
            services.receive_transfer(_user(goods["dla_user"]), transfer)
        db.session.rollback()
        assert db.session.get(Transfer, transfer.id).status == "SENT"


def test_sending_needs_the_stock_and_the_serials(app, goods):
    with app.app_context():
        transfer = _draft(goods, router=11, phone_serials=None)
        with pytest.raises(NotEnoughStock):
            services.send_transfer(_user(goods["dla_user"]), transfer)
        db.session.rollback()
        services.set_transfer_line(_user(goods["dla_user"]), db.session.get(Transfer, transfer.id), goods["router"], 2)
        services.set_transfer_line(_user(goods["dla_user"]), transfer, goods["phone"], 1)  # no serial yet
        with pytest.raises(ValidationFailed, match="invalides"):
            services.send_transfer(_user(goods["dla_user"]), transfer)
        db.session.rollback()
        with pytest.raises(ValidationFailed):  # a serial that is not in the source store
            services.set_transfer_line(_user(goods["dla_user"]), transfer, goods["phone"], 1, ["IMEI-9"])
        db.session.rollback()
        services.set_transfer_line(_user(goods["dla_user"]), transfer, goods["phone"], 1, ["IMEI-3"])
        services.send_transfer(_user(goods["dla_user"]), transfer)
        assert _quantities(goods, "router") == (8, 0)
        assert serial_states(goods["phone"])["IMEI-3"][1] == "IN_TRANSIT"


def test_a_draft_checks_its_lines_and_stores(app, goods):
    with app.app_context():
        user = _user(goods["dla_user"])
        for lines in ([{"product": goods["router"], "quantity": 0}],
                      [{"product": goods["router"], "quantity": 1}, {"product": goods["router"], "quantity": 2}],
                      [{"product": 999999, "quantity": 1}],
                      [{"product": goods["router"], "quantity": 1, "serials": ["X"]}],
                      [{"product": goods["phone"], "quantity": 2, "serials": ["IMEI-1"]}]):
            with pytest.raises(ValidationFailed):
                services.create_transfer(user, goods["dla"], goods["yde"], lines)
            db.session.rollback()
        with pytest.raises(ValidationFailed, match="invalides"):  # same store
            services.create_transfer(user, goods["dla"], goods["dla"], [])
        db.session.rollback()
        with pytest.raises(NotFound, match="Magasin introuvable"):  # a store the user does not work in
            services.create_transfer(_user(goods["yde_user"]), goods["dla"], goods["yde"], [])
        db.session.rollback()
        assert db.session.execute(select(Transfer)).first() is None


def test_cancel_a_draft_moves_nothing(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        services.cancel_transfer(_user(goods["dla_user"]), transfer)
        assert transfer.status == "CANCELLED"
        assert _quantities(goods, "router") == (10, 0)
        with pytest.raises(InvalidTransition):
            services.send_transfer(_user(goods["dla_user"]), transfer)
        db.session.rollback()


def test_cancel_a_sent_transfer_puts_the_goods_back_in_the_source(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        services.send_transfer(_user(goods["dla_user"]), transfer)
        with pytest.raises(ValidationFailed):  # a reason is required once goods have left
            services.cancel_transfer(_user(goods["dla_user"]), transfer)
        db.session.rollback()
        with pytest.raises(Forbidden):  # the destination cannot cancel it
            services.cancel_transfer(_user(goods["yde_user"]), transfer, "refusé")
        db.session.rollback()
        services.cancel_transfer(_user(goods["dla_user"]), transfer, "camion en panne, marchandise revenue")
        assert transfer.status == "CANCELLED" and transfer.cancel_reason.startswith("camion")
        assert _quantities(goods, "router") == (10, 0)
        assert _quantities(goods, "phone") == (3, 0)
        assert serial_states(goods["phone"])["IMEI-1"] == (goods["dla"], "IN_STOCK")
        types = db.session.execute(select(InventoryMovement.type).where(
            InventoryMovement.reference_id == transfer.id, InventoryMovement.store_id == goods["dla"],
            InventoryMovement.product_id == goods["router"]).order_by(InventoryMovement.id)).scalars().all()
        assert types == ["TRANSFER_OUT", "TRANSFER_IN"]  # the way out and the way back


def test_a_received_transfer_cannot_be_cancelled_or_received_twice(app, goods):
    with app.app_context():
        transfer = _draft(goods)
        services.send_transfer(_user(goods["dla_user"]), transfer)
        services.receive_transfer(_user(goods["yde_user"]), transfer)
        with pytest.raises(InvalidTransition):
            services.cancel_transfer(_user(goods["dla_user"]), transfer, "trop tard")
        db.session.rollback()
        with pytest.raises(InvalidTransition):
            services.receive_transfer(_user(goods["yde_user"]), transfer)
        db.session.rollback()
        assert _quantities(goods, "router") == (6, 4)
