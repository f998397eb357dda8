"""The seller -> cashier flow through the REST API with the payloads of SPEC §10."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.sales.models import Sale
from app.stock import services as stock
from tests.factories import make_customer, store_by_code


@pytest.fixture
def customer(app):
    with app.app_context():
        return make_customer(store_by_code("DLA1")).id


def test_draft_submit_pay_with_spec_payloads(shop, customer, as_seller, as_cashier):
    created = as_seller.post("/api/v1/sales/", json={
        "store": shop.dla, "customer": customer,
        "items": [{"product": shop.switch, "quantity": 2, "unit_price": 15000, "discount": 0},
                  {"product": shop.cable, "quantity": 4, "unit_price": "2500", "discount": "1000"}]})
    assert created.status_code == 201, created.get_json()
    sale = created.get_json()["result"]
    assert sale["status"] == "DRAFT" and sale["number"] is None
    assert (sale["total"], sale["amount_paid"], sale["balance_due"]) == ("39000.00", "0.00", "39000.00")
    assert [i["line_total"] for i in sale["items"]] == ["30000.00", "9000.00"]
    assert sale["customer"] == customer and sale["store"] == shop.dla
    # 30000 TTC at 19.25 % -> 25157 HT + 4843 TVA; the cable is at 0 %
    assert sale["taxes"] == [{"rate": "0.00", "ht": "9000.00", "tva": "0.00", "ttc": "9000.00"},
                             {"rate": "19.25", "ht": "25157.00", "tva": "4843.00", "ttc": "30000.00"}]

    submitted = as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    assert submitted.status_code == 200, submitted.get_json()
    result = submitted.get_json()["result"]
    assert result["status"] == "PENDING_PAYMENT"
    assert re.fullmatch(r"DLA1-FAC-\d{4}-000001", result["number"])

    assert as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 50000}).status_code == 201
    queue = as_cashier.get("/api/v1/sales/queue/").get_json()
    assert queue["ids"] == [sale["id"]] and queue["result"][0]["balance_due"] == "39000.00"

    first = as_cashier.post("/api/v1/payments/", json={
        "sale": sale["id"], "method": "MOBILE_MONEY", "amount": 20000, "operator": "MTN", "reference": "MP261124.1532.A1"})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()["result"]
    assert (body["sale_status"], body["balance_due"], body["change_given"]) == ("PARTIALLY_PAID", "19000.00", "0.00")
    second = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CASH", "amount": "20000",
                                                         "tendered": 20000})
    assert second.status_code == 201, second.get_json()
    body = second.get_json()["result"]
    assert (body["sale_status"], body["balance_due"], body["change_given"], body["amount"]) == (
        "PAID", "0.00", "1000.00", "19000.00")

    detail = as_cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["result"]
    assert detail["status"] == "PAID" and detail["amount_paid"] == "39000.00"
    assert [p["method"] for p in detail["payments"]] == ["MOBILE_MONEY", "CASH"]
    assert as_cashier.get("/api/v1/sales/queue/").get_json()["count"] == 0


def test_paid_sale_moves_stock_in_the_same_transaction(app, shop, as_seller, as_cashier):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.router, "quantity": 1}, {"product": shop.switch, "quantity": 3}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CARD", "amount": 90000})
    assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.router).quantity == 9
        assert stock.stock_of(shop.dla, shop.switch).quantity == 17
        assert stock.ledger_sum(shop.dla, shop.switch) == 17


def test_put_replaces_items_while_draft(shop, as_seller):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1}]}).get_json()["result"]
    changed = as_seller.put(f"/api/v1/sales/{sale['id']}", json={"items": [
        {"product": shop.cable, "quantity": 2}, {"product": shop.router, "quantity": 1, "unit_price": 44000}]})
    assert changed.status_code == 200, changed.get_json()
    result = changed.get_json()["result"]
    assert [i["product"] for i in result["items"]] == [shop.cable, shop.router]
    assert result["total"] == "49000.00"
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    again = as_seller.put(f"/api/v1/sales/{sale['id']}", json={"items": []})
    assert again.status_code == 409 and again.get_json()["message"]


@pytest.mark.parametrize("payload,field", [
    ({"items": [{"product": 1, "quantity": 1}]}, "store"),
    ({"store": 1, "items": [{"product": 999, "quantity": 1}]}, "items[0].product"),
    ({"store": 1, "items": [{"product": "x", "quantity": 1}]}, "items[0].product"),
    ({"store": 1, "items": [{"product": 1, "quantity": 0}]}, "items[0].quantity"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1.5}]}, "items[0].quantity"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1, "unit_price": -5}]}, "items[0].unit_price"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1, "unit_price": "abc"}]}, "items[0].unit_price"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1, "unit_price": 100.5}]}, "items[0].unit_price"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1, "discount": 999999}]}, "items[0].discount"),
    ({"store": 1, "items": "nope"}, "items"),
    ({"store": 1, "items": [{"product": 1, "quantity": 1, "colour": "red"}]}, "items[0].colour"),
    ({"store": 1, "customer": 999, "items": []}, "customer"),
])
def test_bad_drafts_answer_422_with_the_field(shop, as_seller, payload, field):
    payload = {**payload}
    for item in payload.get("items") if isinstance(payload.get("items"), list) else []:
        if item.get("product") == 1:
            item["product"] = shop.switch
    answer = as_seller.post("/api/v1/sales/", json=payload)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["errors"], answer.get_json()
    assert answer.get_json()["message"]


def test_a_draft_in_a_store_of_someone_else_is_not_found(app, shop, as_seller):
    """A DLA1 seller naming YDE1 (where switches are in stock): 404 as for any record not theirs, nothing written."""
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.yde, "items": [{"product": shop.switch, "quantity": 1}]})
    assert (answer.status_code, answer.get_json()) == (404, {"message": "Magasin introuvable."})
    with app.app_context():
        assert db.session.execute(select(Sale)).first() is None


def test_bad_bodies_answer_400(shop, as_seller):
    assert as_seller.post("/api/v1/sales/", data="not json").status_code == 400
    assert as_seller.post("/api/v1/sales/", json=[1, 2]).status_code == 400
    assert as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [], "hack": 1}).status_code == 400


def test_decimal_strings_and_numbers_are_both_amounts(shop, as_seller):
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "discount": "500", "items": [
        {"product": shop.switch, "quantity": 1, "unit_price": "15000.00", "discount": 0}]})
    assert answer.status_code == 201
    assert answer.get_json()["result"]["total"] == "14500.00"
    assert Decimal(answer.get_json()["result"]["discount"]) == 500


def test_the_invoice_number_is_taken_last_before_commit(app, shop):
    """The store's Sequence row is the hot lock: only the sale's own UPDATE may follow it."""
    from sqlalchemy import event

    from app.sales import services
    from tests.factories import make_draft
    from tests.sales.fixtures import user

    with app.app_context():
        from app.catalog.models import Product
        from app.extensions import db

        sale = make_draft(store_by_code("DLA1"), user(shop.seller),
                          [(db.session.get(Product, shop.switch), 1), (db.session.get(Product, shop.cable), 2)])
        statements = []
        engine = db.engine

        def remember(conn, cursor, statement, *args):
            statements.append(" ".join(statement.split()[:3]))

        def committed(conn):
            statements.append("COMMIT")

        event.listen(engine, "before_cursor_execute", remember)
        event.listen(engine, "commit", committed)
        try:
            services.submit_sale(user(shop.seller), sale.id)
        finally:
            event.remove(engine, "before_cursor_execute", remember)
            event.remove(engine, "commit", committed)
    # (the year's first number creates the Sequence row, then bumps it)
    bump = max(i for i, s in enumerate(statements) if s.startswith("UPDATE sequence"))
    assert statements[bump + 1:] == ["UPDATE sale SET", "COMMIT"], statements
