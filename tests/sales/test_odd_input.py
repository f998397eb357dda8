"""The sales, till and customer endpoints answer odd values with a 4xx, never a 500 (SPEC §10).

Each field of each body gets values that used to reach PostgreSQL and fail there (ids beyond the
integer column, amounts beyond Decimal's precision, JSON's Infinity); the precise answers follow.
"""
import pytest

HUGE = 2**70
ODD = [None, True, False, 0, -1, 2**63, HUGE, 1e308, "1e400", "NaN", "Infinity", "-0", "12.345", "1,5", " 7 ",
       "abc", "", "x" * 5000, [], [1], {}, {"id": 1}, "٣", "１２", 1.5]


def _sale(shop, seller, submit=False):
    sale = seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1}]}).get_json()["id"]
    if submit:
        seller.post(f"/api/v1/sales/{sale}/submit/")
    return sale


def test_every_field_of_the_sales_and_till_bodies_answers_odd_values_without_a_500(
        shop, as_seller, as_cashier, as_manager):
    failures = []

    def send(answer, label):
        if answer.status_code >= 500:
            failures.append((label, answer.status_code))

    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    sale = {"store": shop.dla, "items": [{"product": shop.switch, "quantity": 1, "unit_price": 15000, "discount": 0}]}
    draft, pending = _sale(shop, as_seller), _sale(shop, as_seller, submit=True)
    payment = {"sale": pending, "method": "MOBILE_MONEY", "amount": 100, "operator": "MTN", "reference": "R1"}
    refund = {"items": [], "restock": True, "method": "CASH"}
    approval = {"email": "manager@boutique.cm", "password": "x"}
    customer = {"name": "Client", "phone": "677000000", "store": shop.dla}
    for value in ODD:
        label = repr(value)[:20]
        for key in ["store", "customer", "discount", "note", "items", "zzz"]:
            send(as_seller.post("/api/v1/sales/", json={**sale, key: value}), f"sale.{key}={label}")
            send(as_seller.put(f"/api/v1/sales/{draft}", json={key: value}), f"put.{key}={label}")
        for key in ["product", "quantity", "unit_price", "discount", "serials"]:
            items = [{**sale["items"][0], key: value}]
            send(as_seller.post("/api/v1/sales/", json={**sale, "items": items}), f"item.{key}={label}")
        for key in payment:
            send(as_cashier.post("/api/v1/payments/", json={**payment, key: value}), f"pay.{key}={label}")
        send(as_cashier.post("/api/v1/payments/", json={**payment, "tendered": value}), f"pay.tendered={label}")
        send(as_cashier.post("/api/v1/payments/", json={**payment, "reserve": value}), f"pay.reserve={label}")
        for key in ["store", "opening_float"]:
            send(as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.yde, "opening_float": 0, key: value}),
                 f"open.{key}={label}")
        send(as_cashier.post("/api/v1/cash-shifts/1/close/", json={"counted_cash": value}), f"close={label}")
        send(as_manager.post(f"/api/v1/sales/{pending}/cancel/", json={"reason": value}), f"cancel={label}")
        for key in ["items", "restock", "method", "reason", "shift"]:
            send(as_manager.post(f"/api/v1/sales/{pending}/refund/", json={**refund, key: value}), f"refund.{key}={label}")
        for key in approval:
            send(as_seller.post(f"/api/v1/sales/{pending}/approve/", json={**approval, key: value}),
                 f"approve.{key}={label}")
        for key in ["name", "phone", "email", "store", "note", "tax_id"]:
            send(as_seller.post("/api/v1/customers/", json={**customer, key: value}), f"customer.{key}={label}")
    for raw in ["", "null", "[]", '"x"', "{", "1"]:
        for api, url in ((as_seller, "/api/v1/sales/"), (as_cashier, "/api/v1/payments/"),
                         (as_manager, f"/api/v1/sales/{pending}/cancel/")):
            send(api.post(url, data=raw, content_type="application/json"), f"raw {url} {raw}")
    assert failures == []


@pytest.mark.parametrize("amount", ["1e400", 1e308, "Infinity", "NaN"])
def test_an_amount_beyond_any_price_is_a_field_error(shop, as_seller, amount):
    answer = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1, "unit_price": amount}]})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"items[0].unit_price": [f"Montant invalide : « {amount} »."]}


@pytest.mark.parametrize("sale_id", [HUGE, 2**31, 1e308])
def test_an_id_beyond_the_integer_column_is_a_field_error(shop, as_cashier, sale_id):
    answer = as_cashier.post("/api/v1/payments/", json={"sale": sale_id, "method": "CASH", "amount": 5})
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"sale": ["Identifiant invalide."]}


def test_json_infinity_as_an_id_is_a_field_error(shop, as_cashier):
    answer = as_cashier.post("/api/v1/payments/", data='{"sale": Infinity, "method": "CASH", "amount": 5}',
                             content_type="application/json")
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"sale": ["Identifiant invalide."]}


def test_a_queue_store_id_beyond_the_column_is_ignored(shop, as_cashier, as_seller):
    pending = _sale(shop, as_seller, submit=True)
    answer = as_cashier.get(f"/api/v1/sales/queue/?store={HUGE}")
    assert answer.status_code == 200 and answer.get_json()["ids"] == [pending]
