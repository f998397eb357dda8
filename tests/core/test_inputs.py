"""One input layer (app/core/inputs.py): the same limits, messages and field paths in every domain."""
import pytest

from app.core import inputs
from app.core.inputs import MAX_QUANTITY, FieldError, FieldErrors, path
from tests.sales.fixtures import make_shop


@pytest.fixture
def shop(app):
    return make_shop(app)


@pytest.mark.parametrize("quantity", [MAX_QUANTITY + 1, 0, 2.5])
def test_a_quantity_has_the_same_limit_message_and_path_in_a_sale_and_a_transfer(shop, as_admin, quantity):
    sale = as_admin.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1}, {"product": shop.cable, "quantity": quantity}]})
    transfer = as_admin.post("/api/v1/transfers/", json={"store": shop.dla, "destination_store": shop.yde, "lines": [
        {"product": shop.switch, "quantity": 1}, {"product": shop.cable, "quantity": quantity}]})
    assert (sale.status_code, transfer.status_code) == (422, 422)
    assert sale.get_json()["errors"]["items[1].quantity"] == transfer.get_json()["errors"]["lines[1].quantity"] == [
        "Quantité entière positive attendue."]


def test_the_largest_quantity_is_taken_in_a_sale_and_a_transfer(shop, as_admin):
    sale = as_admin.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": MAX_QUANTITY}]})
    transfer = as_admin.post("/api/v1/transfers/", json={"store": shop.dla, "destination_store": shop.yde, "lines": [
        {"product": shop.switch, "quantity": MAX_QUANTITY}]})
    assert (sale.status_code, transfer.status_code) == (201, 201), (sale.get_json(), transfer.get_json())


def test_a_catalog_price_with_centimes_is_refused_like_a_sales(shop, as_manager, as_seller):
    product = as_manager.post("/api/v1/products/", json={"sku": "RT-CENT", "name": "Routeur", "sale_price": "45000.50"})
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1, "unit_price": "45000.50"}]})
    assert (product.status_code, sale.status_code) == (422, 422)
    assert product.get_json()["errors"]["sale_price"] == sale.get_json()["errors"]["items[0].unit_price"] == [
        "Montant en unités entières de la devise attendu (pas de centimes en FCFA)."]


def test_readers_and_paths(app):
    assert path("items", 0, "quantity") == "items[0].quantity" and path("lines", 3) == "lines[3]"
    with app.test_request_context():
        assert inputs.quantity("12") == 12 and inputs.quantity(0, minimum=0) == 0
        assert inputs.quantity(-3, minimum=None) == -3
        with pytest.raises(FieldError):
            inputs.quantity(0, minimum=None)
        with pytest.raises(FieldError):
            inputs.quantity("3", strict=True)
        assert str(inputs.money("1 500")) == "1500.00" and inputs.money("", required=False) is None
        assert str(inputs.date("2026-03-31")) == "2026-03-31" and inputs.choice("CASH", {"CASH"}) == "CASH"
        errors = FieldErrors()
        errors.read("store", inputs.row, "abc")
        errors.nest("items[0]", {"quantity": ["x"]})
        assert errors == {"store": ["Identifiant invalide."], "items[0].quantity": ["x"]}
