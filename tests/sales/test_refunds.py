"""Refunds (manager; partial; restock or defective; cash out of an open shift) and cancellations."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.sales.models import Refund, Sale
from app.stock import services as stock
from app.stock.models import InventoryMovement


@pytest.fixture
def paid(shop, as_seller, as_cashier):
    """A PAID sale: 2 switches (30000) + 4 cables (10000), paid cash in the cashier's open shift."""
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 2}, {"product": shop.cable, "quantity": 4}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    shift = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 20000}).get_json()
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CASH", "amount": 40000})
    assert answer.get_json()["result"]["sale_status"] == "PAID"
    return {"id": sale["id"], "switch": sale["items"][0]["id"], "cable": sale["items"][1]["id"], "shift": shift["id"]}


def test_partial_then_full_refund(app, shop, paid, as_manager, as_cashier):
    first = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["switch"], "quantity": 1}], "restock": True, "method": "CASH"})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["result"]["amount"] == "15000.00" and body["result"]["shift"] == paid["shift"]
    assert body["sale"]["status"] == "PAID" and body["sale"]["amount_refunded"] == "15000.00"
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.switch).quantity == 19  # 20 - 2 sold + 1 back

    rest = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["switch"], "quantity": 1}, {"sale_item": paid["cable"], "quantity": 4}],
        "restock": True, "method": "CASH"})
    assert rest.status_code == 201, rest.get_json()
    assert rest.get_json()["result"]["amount"] == "25000.00"
    sale = rest.get_json()["sale"]
    assert sale["status"] == "REFUNDED" and sale["amount_refunded"] == sale["amount_paid"] == "40000.00"
    assert [i["refunded_quantity"] for i in sale["items"]] == [2, 4]
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.switch).quantity == 20
        assert stock.stock_of(shop.dla, shop.cable).quantity == 100
        assert stock.ledger_sum(shop.dla, shop.cable) == 100
        returns = db.session.execute(select(InventoryMovement).where(InventoryMovement.type == "RETURN")).scalars().all()
        assert sorted((m.product_id, m.quantity) for m in returns) == sorted(
            [(shop.switch, 1), (shop.switch, 1), (shop.cable, 4)])
        assert all(m.reference_type == "Refund" for m in returns)

    # the cash went out of the shift: expected = 20000 float + 40000 in - 40000 refunded
    closed = as_cashier.post(f"/api/v1/cash-shifts/{paid['shift']}/close/", json={"counted_cash": 20000}).get_json()
    assert (closed["expected_cash"], closed["variance"]) == ("20000.00", "0.00")
    assert closed["result"]["cash_refunds"] == "40000.00"
    # nothing left to refund
    again = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["cable"], "quantity": 1}], "method": "CASH"})
    assert again.status_code == 409


def test_defective_items_do_not_go_back_to_stock(app, shop, paid, as_manager):
    answer = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["cable"], "quantity": 2}], "restock": False, "method": "CASH"})
    assert answer.status_code == 201
    assert answer.get_json()["result"]["lines"][0]["restock"] is False
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.cable).quantity == 96
        assert db.session.execute(select(InventoryMovement).where(InventoryMovement.type == "RETURN")).first() is None


def test_a_line_may_override_restock(app, shop, paid, as_manager):
    as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={"method": "CASH", "restock": True, "items": [
        {"sale_item": paid["cable"], "quantity": 1, "restock": False}, {"sale_item": paid["switch"], "quantity": 1}]})
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.cable).quantity == 96
        assert stock.stock_of(shop.dla, shop.switch).quantity == 19


@pytest.mark.parametrize("items,field", [
    ([], "items"),
    ([{"sale_item": 99999, "quantity": 1}], "items[0].sale_item"),
    ([{"sale_item": "SWITCH", "quantity": 3}], "items[0].quantity"),
    ([{"sale_item": "SWITCH", "quantity": 0}], "items[0].quantity"),
    ([{"sale_item": "SWITCH", "quantity": 1}, {"sale_item": "SWITCH", "quantity": 1}], "items[1].sale_item"),
])
def test_bad_refund_lines_answer_422(paid, as_manager, items, field):
    for line in items:
        if line["sale_item"] == "SWITCH":
            line["sale_item"] = paid["switch"]
    answer = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={"items": items, "method": "CASH"})
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["errors"]


def test_a_cash_refund_needs_an_open_shift(app, shop, paid, as_manager, as_cashier):
    as_cashier.post(f"/api/v1/cash-shifts/{paid['shift']}/close/", json={"counted_cash": 60000})
    answer = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["cable"], "quantity": 1}], "method": "CASH"})
    assert answer.status_code == 409 and "caisse" in answer.get_json()["message"]
    with app.app_context():
        assert db.session.execute(select(Refund)).first() is None
        assert stock.stock_of(shop.dla, shop.cable).quantity == 96
    # a card refund needs no drawer
    card = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["cable"], "quantity": 1}], "method": "CARD", "reference": "TPE-0099"})
    assert card.status_code == 201 and card.get_json()["result"]["shift"] is None


def test_credit_refunds_wait_for_the_credit_issue(paid, as_manager):
    answer = as_manager.post(f"/api/v1/sales/{paid['id']}/refund/", json={
        "items": [{"sale_item": paid["cable"], "quantity": 1}], "method": "CREDIT"})
    assert answer.status_code == 422 and "crédit" in answer.get_json()["errors"]["method"][0]


def test_a_sale_discount_is_shared_by_the_refunded_lines(shop, as_seller, as_cashier, as_manager):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "discount": 3000, "items": [
        {"product": shop.switch, "quantity": 2}]}).get_json()["result"]  # 30000 - 3000 = 27000
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CASH", "amount": 27000})
    one = as_manager.post(f"/api/v1/sales/{sale['id']}/refund/", json={
        "items": [{"sale_item": sale["items"][0]["id"], "quantity": 1}], "method": "CASH"}).get_json()
    assert one["result"]["amount"] == "13500.00"


def test_cancel_after_a_partial_payment_refunds_it(app, shop, as_seller, as_cashier, as_manager):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.router, "quantity": 1}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    shift = as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 10000}).get_json()
    part = as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "CASH", "amount": 20000,
                                                      "reserve": True})
    assert part.get_json()["result"]["sale_status"] == "PARTIALLY_PAID"
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.router).reserved == 1

    cancelled = as_manager.post(f"/api/v1/sales/{sale['id']}/cancel/", json={"reason": "Le client renonce"})
    assert cancelled.status_code == 200, cancelled.get_json()
    body = cancelled.get_json()
    assert body["result"]["status"] == "CANCELLED" and body["result"]["number"] == sale_number(app, sale["id"])
    assert body["refund"]["amount"] == "20000.00" and body["refund"]["is_cancellation"] is True
    assert body["result"]["amount_refunded"] == "20000.00"
    with app.app_context():
        row = stock.stock_of(shop.dla, shop.router)
        assert (row.quantity, row.reserved) == (10, 0)  # released, never moved
    closed = as_cashier.post(f"/api/v1/cash-shifts/{shift['id']}/close/", json={"counted_cash": 10000}).get_json()
    assert (closed["expected_cash"], closed["variance"]) == ("10000.00", "0.00")


def test_cancelling_a_draft_or_an_unpaid_sale_refunds_nothing(app, shop, as_seller, as_manager):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1}]}).get_json()["result"]
    answer = as_manager.post(f"/api/v1/sales/{sale['id']}/cancel/", json={"reason": "Doublon"})
    assert answer.status_code == 200 and answer.get_json()["refund"] is None
    assert answer.get_json()["result"]["number"] is None
    assert as_manager.post(f"/api/v1/sales/{sale['id']}/cancel/", json={}).status_code == 422  # reason first
    no_reason = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": []}).get_json()["id"]
    assert as_manager.post(f"/api/v1/sales/{no_reason}/cancel/", json={"reason": " "}).status_code == 422


def sale_number(app, sale_id):
    with app.app_context():
        return db.session.get(Sale, sale_id).number
