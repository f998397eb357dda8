"""A price typed under the list price is a discount: over the store's threshold it needs a
manager, floor or not (issue 13)."""
from tests.factories import make_product, put_in_stock, store_by_code


def product_without_floor(app):
    with app.app_context():
        product = make_product("CLE-USB", "Clé USB 64 Go", sale_price="6500")
        put_in_stock(store_by_code("DLA1"), product, 10, "PURCHASE")
        return product.id


def submit(as_seller, shop, product, unit_price, quantity=1):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": product, "quantity": quantity, "unit_price": unit_price}]})
    assert sale.status_code == 201, sale.get_json()
    return as_seller.post(f"/api/v1/sales/{sale.get_json()['id']}/submit/")


def test_100_fcfa_for_a_6500_fcfa_product_without_floor_needs_an_approval(app, shop, as_seller):
    answer = submit(as_seller, shop, product_without_floor(app), 100)
    assert answer.status_code == 409
    [pending] = answer.get_json()["approvals"]
    assert pending["kind"] == "DISCOUNT" and pending["details"]["discount_percent"] == "98.46"


def test_a_price_within_the_threshold_needs_nobody(app, shop, as_seller):
    assert submit(as_seller, shop, product_without_floor(app), 5850).status_code == 200  # exactly 10 %


def test_a_price_over_the_list_price_needs_nobody(app, shop, as_seller):
    assert submit(as_seller, shop, product_without_floor(app), 7000, quantity=2).status_code == 200


def test_a_price_under_the_list_but_above_the_floor_needs_an_approval_too(shop, as_seller):
    answer = submit(as_seller, shop, shop.router, 40500)  # floor 40000, list 45000
    assert answer.status_code == 200  # exactly 10 % under the list price
    answer = submit(as_seller, shop, shop.router, 40000)  # 11.11 % under the list price, on the floor
    assert answer.status_code == 409
    assert [a["kind"] for a in answer.get_json()["approvals"]] == ["DISCOUNT"]
