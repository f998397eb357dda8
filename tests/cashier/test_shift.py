"""Cash shifts (SPEC §5): one open per cashier and store, blind close, expected cash, variance, totals."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.cashier.models import CashShift
from app.extensions import db
from tests.factories import make_user, store_by_code


def new_sale(as_seller, shop, *lines):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": product, "quantity": quantity} for product, quantity in lines]}).get_json()["result"]
    submitted = as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    assert submitted.status_code == 200, submitted.get_json()
    return sale["id"]


def pay(as_cashier, sale, method, amount, **extra):
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": method, "amount": amount, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]


def test_a_scripted_day_at_the_till(shop, as_seller, as_cashier, as_manager):
    opened = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 50000})
    assert opened.status_code == 201
    shift = opened.get_json()["result"]
    assert shift["status"] == "OPEN" and shift["opening_float"] == "50000.00"

    # 08:30 two switches (30000) paid with a 50000 note: 20000 change
    morning = new_sale(as_seller, shop, (shop.switch, 2))
    assert pay(as_cashier, morning, "CASH", 50000)["change_given"] == "20000.00"
    # 10:00 a router (45000): 25000 by MTN mobile money, the rest cash with 20000 tendered for 20000
    router = new_sale(as_seller, shop, (shop.router, 1))
    pay(as_cashier, router, "MOBILE_MONEY", 25000, operator="MTN", reference="MP261124.1000.X1")
    pay(as_cashier, router, "CASH", 20000, tendered=20000)
    # 11:30 cables (4 x 2500) by Orange money, 2 switches by card, a router by bank transfer
    cables = new_sale(as_seller, shop, (shop.cable, 4))
    pay(as_cashier, cables, "MOBILE_MONEY", 10000, operator="ORANGE", reference="OM-77881")
    card = new_sale(as_seller, shop, (shop.switch, 2))
    pay(as_cashier, card, "CARD", 30000, reference="TPE-4471")
    transfer = new_sale(as_seller, shop, (shop.router, 1))
    pay(as_cashier, transfer, "BANK_TRANSFER", 45000, reference="VIR-AFRILAND-0091")
    # 13:00 fuel for the generator out of the drawer
    payout = as_cashier.post(f"/api/v1/cash-shifts/{shift['id']}/payout/", json={"amount": 5000, "reason": "Carburant"})
    assert payout.status_code == 201
    # 15:00 one cable comes back, refunded in cash from this drawer
    items = as_manager.get(f"/api/v1/sales/{cables}").get_json()["result"]["items"]
    refund = as_manager.post(f"/api/v1/sales/{cables}/refund/", json={
        "items": [{"sale_item": items[0]["id"], "quantity": 1}], "restock": True, "method": "CASH"})
    assert refund.get_json()["result"]["shift"] == shift["id"]

    # Blind: while open, no expected figure is shown, not even to the manager
    live = as_cashier.get(f"/api/v1/cash-shifts/{shift['id']}").get_json()["result"]
    assert "expected_cash" not in live and "variance" not in live
    assert as_manager.get(f"/api/v1/cash-shifts/{shift['id']}").get_json()["result"].get("expected_cash") is None

    closed = as_cashier.post(f"/api/v1/cash-shifts/{shift['id']}/close/", json={
        "counted_cash": 91000, "counted_mobile_money": 35000, "counted_card": 30000, "counted_bank_transfer": 45000})
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    # float 50000 + cash in (50000 + 20000) - change 20000 - cash refund 2500 - payout 5000
    assert body["expected_cash"] == "92500.00"
    assert body["variance"] == "-1500.00"
    result = body["result"]
    assert (result["cash_in"], result["change_given"], result["cash_refunds"], result["cash_payouts"]) == (
        "70000.00", "20000.00", "2500.00", "5000.00")
    totals = result["totals"]
    assert totals["CASH"]["received"] == "50000.00" and totals["CASH"]["count"] == 2
    assert (totals["MOBILE_MONEY"]["expected"], totals["MOBILE_MONEY"]["count"]) == ("35000.00", 2)
    assert (totals["CARD"]["expected"], totals["CARD"]["variance"]) == ("30000.00", "0.00")
    assert totals["BANK_TRANSFER"]["expected"] == "45000.00"
    assert result["status"] == "CLOSED" and result["closed_at"]

    # the manager sees the variance, in the list too
    rows = as_manager.get("/api/v1/cash-shifts/").get_json()["result"]
    assert rows[0]["variance"] == "-1500.00" and rows[0]["cashier"]["id"] == shop.cashier


def test_money_records_are_append_only_on_postgres(postgres, shop, as_seller, as_cashier, as_manager):
    test_a_scripted_day_at_the_till(shop, as_seller, as_cashier, as_manager)
    with postgres.app_context():
        for table in ("payment", "cash_payout", "refund", "refund_line"):
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(DBAPIError, match="append-only"):
                    db.session.execute(text(statement))
                db.session.rollback()


def test_a_payment_without_an_open_shift_is_refused(app, shop, as_seller, as_cashier):
    sale = new_sale(as_seller, shop, (shop.switch, 1))
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 15000})
    assert answer.status_code == 409 and "caisse" in answer.get_json()["message"]
    with app.app_context():  # a shift in another store does not count
        from app.stores.services import add_user_to_store
        from tests.sales.fixtures import user

        add_user_to_store(store_by_code("YDE1"), user(shop.cashier))
        db.session.commit()
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.yde, "opening_float": 0})
    assert as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 15000}).status_code == 409


def test_a_pending_sale_survives_the_close_and_is_paid_in_the_next_shift(shop, as_seller, as_cashier):
    first = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).get_json()["result"]
    sale = new_sale(as_seller, shop, (shop.switch, 2))
    pay(as_cashier, sale, "CASH", 10000)
    as_cashier.post(f"/api/v1/cash-shifts/{first['id']}/close/", json={"counted_cash": 10000})
    assert as_cashier.get("/api/v1/sales/queue/").get_json()["ids"] == [sale]  # still waiting, in the store

    second = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).get_json()["result"]
    last = pay(as_cashier, sale, "CASH", 20000)
    assert last["sale_status"] == "PAID" and last["shift"] == second["id"]
    closed = as_cashier.post(f"/api/v1/cash-shifts/{second['id']}/close/", json={"counted_cash": 20000}).get_json()
    assert (closed["expected_cash"], closed["variance"]) == ("20000.00", "0.00")


def test_one_open_shift_per_cashier_and_store(app, shop, as_cashier):
    assert as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).status_code == 201
    again = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    assert again.status_code == 409 and again.get_json()["message"]
    with app.app_context():  # the database itself refuses a second open shift (partial unique index)
        db.session.add(CashShift(store_id=shop.dla, cashier_id=shop.cashier, status="OPEN", opening_float=0))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # closed ones do not count
        db.session.add(CashShift(store_id=shop.dla, cashier_id=shop.cashier, status="CLOSED", opening_float=0,
                                 counted_cash=0, closed_at=db.func.now()))
        db.session.commit()


def test_a_closed_shift_is_immutable(app, shop, as_cashier):
    shift = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).get_json()["id"]
    assert as_cashier.post(f"/api/v1/cash-shifts/{shift}/close/", json={"counted_cash": 0}).status_code == 200
    assert as_cashier.post(f"/api/v1/cash-shifts/{shift}/close/", json={"counted_cash": 5}).status_code == 409
    assert as_cashier.post(f"/api/v1/cash-shifts/{shift}/payout/", json={"amount": 5, "reason": "x"}).status_code == 409
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="closed"):
                db.session.execute(text("UPDATE cash_shift SET counted_cash = 1 WHERE id = :id"), {"id": shift})
            db.session.rollback()


def test_close_needs_the_counted_cash_and_the_owner(app, shop, as_cashier, api_as):
    shift = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).get_json()["id"]
    answer = as_cashier.post(f"/api/v1/cash-shifts/{shift}/close/", json={})
    assert answer.status_code == 422 and "counted_cash" in answer.get_json()["errors"]
    assert as_cashier.post(f"/api/v1/cash-shifts/{shift}/close/", json={"counted_cash": -5}).status_code == 422
    with app.app_context():
        make_user("caissier2@boutique.cm", "caissier123!", "CASHIER", [store_by_code("DLA1")])
    other = api_as("caissier2@boutique.cm", "caissier123!")
    assert other.get(f"/api/v1/cash-shifts/{shift}").status_code == 404  # a cashier sees their own shifts
    assert other.post(f"/api/v1/cash-shifts/{shift}/close/", json={"counted_cash": 0}).status_code == 404
    assert other.get("/api/v1/cash-shifts/").get_json()["count"] == 0


@pytest.mark.parametrize("body,field", [
    ({"opening_float": 0}, "store"),
    ({"store": 1}, "opening_float"),
    ({"store": 1, "opening_float": -100}, "opening_float"),
    ({"store": 1, "opening_float": "beaucoup"}, "opening_float"),
])
def test_bad_opens_answer_422(shop, as_cashier, body, field):
    answer = as_cashier.post("/api/v1/cash-shifts/open/", json=body)
    assert answer.status_code == 422 and field in answer.get_json()["errors"], answer.get_json()


def test_a_shift_in_a_store_of_someone_else_is_not_found(app, shop, as_cashier):
    """A DLA1 cashier naming YDE1: 404 as for any record not theirs, no shift opened."""
    answer = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.yde, "opening_float": 0})
    assert (answer.status_code, answer.get_json()) == (404, {"message": "Magasin introuvable."})
    with app.app_context():
        assert db.session.execute(select(CashShift)).first() is None


def test_shift_rows_in_the_database(app, shop, as_cashier):
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 1000})
    with app.app_context():
        shift = db.session.execute(select(CashShift)).scalar_one()
        assert (shift.cashier_id, shift.store_id, shift.status) == (shop.cashier, shop.dla, "OPEN")
