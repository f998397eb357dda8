"""Serial-tracked products: one serial per unit, on the shelf of that store; SOLD with the sale;
back on the shelf (or defective) with a refund; the warranty lookup finds the customer and the sale."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.stock.models import SerialNumber
from tests.factories import make_customer, make_product, put_serials_in_stock, store_by_code


@pytest.fixture
def phones(app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        phone = make_product("TEL-A15", "Smartphone Galaxy A15", sale_price="95000", track_serial=True,
                             warranty_months=12)
        put_serials_in_stock(dla, phone, ["IMEI-0001", "IMEI-0002", "IMEI-0003"])
        put_serials_in_stock(yde, phone, ["IMEI-9001"])
        customer = make_customer(dla, name="Paul Biya Ndzana", phone="+237690000001").id
        return phone.id, customer


def status_of(app, serial):
    with app.app_context():
        return db.session.execute(select(SerialNumber.status).where(SerialNumber.serial == serial)).scalar_one()


def test_serials_are_sold_with_the_sale_and_looked_up_for_warranty(app, shop, phones, as_seller, as_cashier, as_manager):
    phone, customer = phones
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "customer": customer, "items": [
        {"product": phone, "quantity": 2, "serials": ["IMEI-0001", "IMEI-0003"]}]}).get_json()["result"]
    assert sale["items"][0]["serials"] == ["IMEI-0001", "IMEI-0003"]
    assert as_seller.post(f"/api/v1/sales/{sale['id']}/submit/").status_code == 200
    assert status_of(app, "IMEI-0001") == "IN_STOCK"  # not sold before it is paid
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    paid = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CARD", "amount": 190000})
    assert paid.get_json()["result"]["sale_status"] == "PAID"
    assert [status_of(app, s) for s in ("IMEI-0001", "IMEI-0002", "IMEI-0003")] == ["SOLD", "IN_STOCK", "SOLD"]

    found = as_cashier.get("/api/v1/sales/warranty/?serial=imei-0003").get_json()
    assert found["count"] == 1
    row = found["result"][0]
    assert (row["sale"], row["customer_name"], row["product_name"], row["under_warranty"]) == (
        sale["id"], "Paul Biya Ndzana", "Smartphone Galaxy A15", True)
    assert row["warranty_end"] > row["paid_at"][:10]

    # one comes back and is resold: the serial is on the shelf again
    item = sale["items"][0]["id"]
    refund = as_manager.post(f"/api/v1/sales/{sale['id']}/refund/", json={
        "items": [{"sale_item": item, "quantity": 1, "serials": ["IMEI-0003"]}], "restock": True, "method": "CARD"})
    assert refund.status_code == 201, refund.get_json()
    assert refund.get_json()["result"]["lines"][0]["serials"] == ["IMEI-0003"]
    assert status_of(app, "IMEI-0003") in ("IN_STOCK", "RETURNED")
    assert as_manager.get("/api/v1/sales/warranty/?serial=IMEI-0003").get_json()["result"][0]["under_warranty"] is False
    # the other one is defective: not back on the shelf
    as_manager.post(f"/api/v1/sales/{sale['id']}/refund/", json={
        "items": [{"sale_item": item, "quantity": 1}], "restock": False, "method": "CARD"})
    assert status_of(app, "IMEI-0001") == "DEFECTIVE"


def test_submit_needs_one_serial_per_unit(shop, phones, as_seller):
    phone, _ = phones
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": phone, "quantity": 2, "serials": ["IMEI-0001"]}]}).get_json()["result"]
    answer = as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    assert answer.status_code == 422 and "items[0].serials" in answer.get_json()["errors"]


@pytest.mark.parametrize("serials", [
    ["IMEI-9001"],  # in stock, but in Yaoundé
    ["IMEI-NOPE"],
    ["IMEI-0001", "IMEI-0001"],
    ["IMEI-0001", "IMEI-0002"],  # more serials than units
])
def test_serials_must_be_on_the_shelf_of_that_store(shop, phones, as_seller, serials):
    phone, _ = phones
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": phone, "quantity": 1, "serials": serials}]})
    assert answer.status_code == 422 and "items[0].serials" in answer.get_json()["errors"], answer.get_json()


def test_a_product_without_serials_refuses_them(shop, as_seller):
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1, "serials": ["X"]}]})
    assert answer.status_code == 422


def test_a_serial_waiting_at_the_till_on_one_sale_cannot_be_submitted_on_another(app, shop, phones, as_seller,
                                                                                 as_manager):
    phone, _ = phones
    ids = []
    for _ in range(2):
        sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
            {"product": phone, "quantity": 1, "serials": ["IMEI-0002"]}]}).get_json()["result"]
        ids.append(sale["id"])
    first = as_seller.post(f"/api/v1/sales/{ids[0]}/submit/").get_json()["result"]
    second = as_seller.post(f"/api/v1/sales/{ids[1]}/submit/")
    assert second.status_code == 422
    assert second.get_json()["errors"]["items[0].serials"] == [
        f"Le numéro de série IMEI-0002 est déjà sur la vente {first['number']}, en attente de paiement."]
    # once the first sale is cancelled, the serial is free for the second
    assert as_manager.post(f"/api/v1/sales/{ids[0]}/cancel/", json={"reason": "Client parti"}).status_code == 200
    assert as_seller.post(f"/api/v1/sales/{ids[1]}/submit/").status_code == 200


def test_a_serial_sold_meanwhile_stops_the_payment(app, shop, phones, as_seller, as_cashier):
    """The till checks again: a serial that left the shelf after the submit is refused, nothing paid."""
    phone, _ = phones
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": phone, "quantity": 1, "serials": ["IMEI-0002"]}]}).get_json()["result"]
    assert as_seller.post(f"/api/v1/sales/{sale['id']}/submit/").status_code == 200
    with app.app_context():
        db.session.execute(SerialNumber.__table__.update().where(SerialNumber.serial == "IMEI-0002")
                           .values(status="DEFECTIVE"))
        db.session.commit()
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CARD", "amount": 95000})
    assert answer.status_code == 409 and "IMEI-0002" in answer.get_json()["message"]
    assert as_cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["result"]["amount_paid"] == "0.00"


def test_warranty_lookup_needs_a_serial(as_seller):
    assert as_seller.get("/api/v1/sales/warranty/").status_code == 422
    assert as_seller.get("/api/v1/sales/warranty/?serial=UNKNOWN").get_json()["count"] == 0
