"""Stock documents and pages answer odd values with a 4xx, never a 500 (SPEC §10).

Quantities and ids beyond the integer columns used to reach PostgreSQL (a 500); the services
bound quantities (stock.services.MAX_QUANTITY), the API and the pages bound ids.
"""
import pytest

from app.stock.services import MAX_QUANTITY
from tests.sales.fixtures import make_shop

HUGE = 2**70
ODD = [-1, HUGE, 1e308, "1e400", "abc", "", "x" * 3000, [], {}, None, True, 1.5]


@pytest.fixture
def shop(app):
    return make_shop(app)


def test_every_field_of_the_stock_documents_answers_odd_values_without_a_500(shop, as_admin):
    failures = []

    def send(answer, label):
        if answer.status_code >= 500:
            failures.append((label, answer.status_code))

    adjustment = {"store": shop.dla, "product": shop.switch, "type": "ADJUSTMENT", "quantity": -1, "note": "x"}
    transfer = {"store": shop.dla, "destination_store": shop.yde, "note": "x",
                "lines": [{"product": shop.switch, "quantity": 1}]}
    sent = as_admin.post("/api/v1/transfers/", json=transfer).get_json()["id"]
    as_admin.post(f"/api/v1/transfers/{sent}/send/")
    count = as_admin.post("/api/v1/stock-counts/", json={"store": shop.dla, "products": [shop.switch]}).get_json()["id"]
    for value in ODD:
        label = repr(value)[:20]
        for key in [*adjustment, "serials", "serial_status"]:
            send(as_admin.post("/api/v1/stock-movements/", json={**adjustment, key: value}), f"adjust.{key}={label}")
        for key in ["store", "destination_store", "note", "lines"]:
            send(as_admin.post("/api/v1/transfers/", json={**transfer, key: value}), f"transfer.{key}={label}")
        for key in ["product", "quantity", "serials"]:
            lines = [{**transfer["lines"][0], key: value}]
            send(as_admin.post("/api/v1/transfers/", json={**transfer, "lines": lines}), f"line.{key}={label}")
        for key in ["product", "received_quantity", "serials"]:
            lines = [{"product": shop.switch, "received_quantity": 1, key: value}]
            send(as_admin.post(f"/api/v1/transfers/{sent}/receive/", json={"lines": lines}), f"receive.{key}={label}")
        for key in ["store", "products", "note", "category"]:
            send(as_admin.post("/api/v1/stock-counts/", json={"store": shop.dla, key: value}), f"count.{key}={label}")
        for key in ["product", "counted_quantity", "serials"]:
            lines = [{"product": shop.switch, "counted_quantity": 1, key: value}]
            send(as_admin.post(f"/api/v1/stock-counts/{count}/counts/", json={"lines": lines}), f"counted.{key}={label}")
    assert failures == []


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, -MAX_QUANTITY - 1, HUGE])
def test_a_quantity_beyond_any_stock_is_a_field_error(shop, as_admin, quantity):
    answer = as_admin.post("/api/v1/stock-movements/", json={
        "store": shop.dla, "product": shop.switch, "type": "ADJUSTMENT", "quantity": quantity, "note": "x"})
    assert answer.status_code == 422 and "quantity" in answer.get_json()["errors"]


def test_an_id_beyond_the_integer_column_is_a_field_error(shop, as_admin):
    answer = as_admin.post("/api/v1/transfers/", json={"store": HUGE, "destination_store": shop.yde})
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"store": ["Valeur hors limites."]}


def test_the_pages_answer_odd_ids_and_quantities_without_a_500(shop, client):
    failures = []

    def visit(method, url, **kwargs):
        answer = getattr(client, method)(url, **kwargs)
        if answer.status_code >= 500:
            failures.append((method, url, str(kwargs)[:60], answer.status_code))
        return answer

    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    for query in [f"store={HUGE}", f"category={HUGE}", f"brand={HUGE}", "store=abc"]:
        visit("get", f"/stock/levels/list/?{query}")
    visit("get", f"/stock/adjust?product_id={HUGE}")
    visit("get", f"/catalog/stock.xlsx?store={HUGE}")
    visit("get", f"/garantie/?serial={'x' * 5000}")
    for quantity in (str(HUGE), f"-{HUGE}"):
        visit("post", "/stock/adjust", data={"store": shop.dla, "product": "SW-8P", "quantity": quantity, "note": "x"})
    visit("post", "/stock/adjust", data={"store": HUGE, "product": HUGE, "quantity": HUGE, "note": "x"})
    visit("post", "/stock/transfers/new", data={"store": HUGE, "destination_store": HUGE})
    visit("post", "/stock/counts/new", data={"store": HUGE, "category": HUGE})
    created = visit("post", "/stock/transfers/new", data={"store": shop.dla, "destination_store": shop.yde})
    transfer = created.headers["Location"].rstrip("/").split("/")[-1]
    for quantity in (str(HUGE), f"-{HUGE}"):
        visit("post", f"/stock/transfers/{transfer}/lines", data={"product": "SW-8P", "quantity": quantity})
    client.get("/logout/")
    client.post("/login/", data={"username": "vendeur1@boutique.cm", "password": "vendeur123!"})
    visit("get", f"/pos/{shop.dla}/?sale={HUGE}")
    visit("get", f"/pos/{shop.dla}/day?current={HUGE}")
    visit("post", f"/pos/{shop.dla}/cart/add", data={"product": HUGE, "sale": HUGE, "quantity": HUGE})
    visit("post", f"/pos/{shop.dla}/cart/customer", data={"customer": HUGE, "sale": HUGE})
    client.get("/logout/")
    client.post("/login/", data={"username": "caissier@boutique.cm", "password": "caissier123!"})
    visit("get", f"/cashier/{shop.dla}/?sale={HUGE}")
    visit("get", f"/cashier/{shop.dla}/queue?selected={HUGE}")
    visit("post", f"/cashier/{shop.dla}/shift/open", data={"opening_float": "1e400"})
    assert failures == []
