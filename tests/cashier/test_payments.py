"""Taking payments: methods and their fields, change, the balance due, Idempotency-Key, reservations."""
import pytest

from app.extensions import db
from app.stock import services as stock


@pytest.fixture
def sale(shop, as_seller, as_cashier):
    """A router (45000) waiting for payment; the cashier's shift is open."""
    draft = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.router, "quantity": 1}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{draft['id']}/submit/")
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    return draft["id"]


def test_cash_may_exceed_the_balance_and_gives_change(sale, as_cashier):
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 45000,
                                                        "tendered": 50000})
    body = answer.get_json()["result"]
    assert (body["amount"], body["tendered"], body["change_given"], body["balance_due"]) == (
        "45000.00", "50000.00", "5000.00", "0.00")
    assert body["sale_status"] == "PAID"


def test_cash_over_the_balance_without_tendered(sale, as_cashier):
    body = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": "50000"}).get_json()
    assert (body["result"]["amount"], body["result"]["change_given"]) == ("45000.00", "5000.00")


@pytest.mark.parametrize("method,extra", [
    ("MOBILE_MONEY", {"operator": "MTN", "reference": "MP1"}),
    ("CARD", {}),
    ("BANK_TRANSFER", {"reference": "VIR-1"}),
])
def test_other_methods_never_exceed_the_balance(sale, as_cashier, method, extra):
    over = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": method, "amount": 45001, **extra})
    assert over.status_code == 409 and "reste à payer" in over.get_json()["message"]
    exact = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": method, "amount": 45000, **extra})
    assert exact.status_code == 201 and exact.get_json()["result"]["sale_status"] == "PAID"


@pytest.mark.parametrize("body,field", [
    ({"method": "CASH"}, "amount"),
    ({"method": "CASH", "amount": 0}, "amount"),
    ({"method": "CASH", "amount": -5}, "amount"),
    ({"method": "CASH", "amount": "dix mille"}, "amount"),
    ({"method": "CASH", "amount": 100, "tendered": 50}, "tendered"),
    ({"method": "CHEQUE", "amount": 100}, "method"),
    ({"amount": 100}, "method"),
    ({"method": "MOBILE_MONEY", "amount": 100, "reference": "MP1"}, "operator"),
    ({"method": "MOBILE_MONEY", "amount": 100, "operator": "MOOV", "reference": "MP1"}, "operator"),
    ({"method": "MOBILE_MONEY", "amount": 100, "operator": "MTN"}, "reference"),
    ({"method": "BANK_TRANSFER", "amount": 100}, "reference"),
    ({"method": "CARD", "amount": 100, "tendered": 200}, "tendered"),
    ({"method": "CARD", "amount": 100, "operator": "MTN"}, "operator"),
    ({"method": "CREDIT", "amount": 100, "installments": 0}, "installments"),
])
def test_bad_payments_answer_422(sale, as_cashier, body, field):
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale, **body})
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["errors"], answer.get_json()


def test_credit_needs_the_sale_customer(sale, as_cashier):
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CREDIT", "amount": 100})
    assert answer.status_code == 409 and "client" in answer.get_json()["message"]


def test_an_unknown_sale(shop, as_cashier):
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    assert as_cashier.post("/api/v1/payments/", json={"sale": 99999, "method": "CASH", "amount": 1}).status_code == 404
    assert as_cashier.post("/api/v1/payments/", json={"sale": "x", "method": "CASH", "amount": 1}).status_code == 422


def test_an_idempotency_key_replays_the_first_answer(app, sale, as_cashier):
    body = {"sale": sale, "method": "MOBILE_MONEY", "amount": 20000, "operator": "ORANGE", "reference": "OM-1"}
    headers = {"Idempotency-Key": "b3c1a7e0-till2-0001"}
    first = as_cashier.post("/api/v1/payments/", json=body, headers=headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = as_cashier.post("/api/v1/payments/", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    other = as_cashier.post("/api/v1/payments/", json={**body, "amount": 25000}, headers=headers)
    assert other.status_code == 422 and "idempotence" in other.get_json()["message"]
    sale_now = as_cashier.get(f"/api/v1/sales/{sale}").get_json()["result"]
    assert sale_now["amount_paid"] == "20000.00" and len(sale_now["payments"]) == 1
    # the replay answers the first result even after the sale moved on
    as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 25000})
    assert as_cashier.post("/api/v1/payments/", json=body, headers=headers).get_json() == first.get_json()


def test_a_partial_payment_may_reserve_and_the_last_one_consumes_it(app, shop, sale, as_cashier):
    part = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 10000, "reserve": True})
    assert part.get_json()["result"]["sale_status"] == "PARTIALLY_PAID"
    with app.app_context():
        row = stock.stock_of(shop.dla, shop.router)
        assert (row.quantity, row.reserved) == (10, 1)
    as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 10000, "reserve": True})
    with app.app_context():
        assert stock.stock_of(shop.dla, shop.router).reserved == 1  # reserved once
    as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CASH", "amount": 25000})
    with app.app_context():
        row = stock.stock_of(shop.dla, shop.router)
        assert (row.quantity, row.reserved) == (9, 0)
        assert stock.ledger_sum(shop.dla, shop.router) == 9


def test_a_reserved_unit_cannot_be_sold_to_someone_else(app, shop, as_seller, as_cashier):
    with app.app_context():
        from tests.factories import make_product, put_in_stock, store_by_code

        last = make_product("NAS-2B", "NAS 2 baies", sale_price="120000")
        put_in_stock(store_by_code("DLA1"), last, 1, "PURCHASE")
        last_id = last.id
    ids = []
    for _ in range(2):
        draft = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
            {"product": last_id, "quantity": 1}]}).get_json()["result"]
        as_seller.post(f"/api/v1/sales/{draft['id']}/submit/")
        ids.append(draft["id"])
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    deposit = as_cashier.post("/api/v1/payments/", json={"sale": ids[0], "method": "CASH", "amount": 50000,
                                                         "reserve": True})
    assert deposit.status_code == 201
    other = as_cashier.post("/api/v1/payments/", json={"sale": ids[1], "method": "CASH", "amount": 120000})
    assert other.status_code == 409 and "Stock insuffisant" in other.get_json()["message"]
    assert as_cashier.get(f"/api/v1/sales/{ids[1]}").get_json()["result"]["status"] == "PENDING_PAYMENT"
    done = as_cashier.post("/api/v1/payments/", json={"sale": ids[0], "method": "CASH", "amount": 70000})
    assert done.get_json()["result"]["sale_status"] == "PAID"


def test_payment_lists_are_scoped(app, shop, sale, as_cashier, as_manager, api_as):
    as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CARD", "amount": 1000})
    assert as_cashier.get("/api/v1/payments/").get_json()["count"] == 1
    assert as_manager.get("/api/v1/payments/").get_json()["count"] == 1
    with app.app_context():
        from tests.factories import make_user, store_by_code

        make_user("caissier.yde@boutique.cm", "caissier123!", "CASHIER", [store_by_code("YDE1")])
        db.session.remove()
    other = api_as("caissier.yde@boutique.cm", "caissier123!")
    assert other.get("/api/v1/payments/").get_json()["count"] == 0
