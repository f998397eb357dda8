"""Products, categories and brands through the API: the rules each write goes through."""
import pytest
from sqlalchemy import select

from app.catalog.models import Category, Product
from app.catalog.services import ean13_check_digit, is_valid_ean13
from app.extensions import db

PRODUCT = {"sku": "RT-NEW-01", "name": "Routeur 4G LTE", "sale_price": 45000}


def test_a_product_is_created_with_its_defaults_and_search_text(app, as_manager):
    response = as_manager.post("/api/v1/products/", json={**PRODUCT, "barcode": "6201230000998"})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        product = db.session.get(Product, response.get_json()["id"])
        assert (str(product.tax_rate), str(product.cost_price), product.is_active, product.track_serial) == (
            "19.25", "0.00", True, False)
        assert product.search_text == "routeur 4g lte rt-new-01"


@pytest.mark.parametrize("values,field,message", [
    ({"barcode": "6201230000999"}, "barcode", "clé de contrôle devrait être 8"),
    ({"barcode": "62012300A"}, "barcode", "que des chiffres"),
    ({"sale_price": -1}, "sale_price", "négatif"),
    ({"min_sale_price": 50000}, "min_sale_price", "prix plancher"),
    ({"tax_rate": 120}, "tax_rate", "entre 0 et 100"),
    ({"reorder_level": -2}, "reorder_level", "entier"),
    ({"sku": "RT NEW"}, "sku", "espace"),
    ({"name": "   "}, "name", "obligatoire"),
])
def test_bad_product_values_are_refused_with_the_field_named(as_manager, values, field, message):
    response = as_manager.post("/api/v1/products/", json={**PRODUCT, **values})
    assert response.status_code == 422, response.get_json()
    assert message in " ".join(response.get_json()["errors"][field])


def test_ean13_check_digit():
    assert ean13_check_digit("400638133393") == 1  # a well-known EAN-13: 4006381333931
    assert is_valid_ean13("4006381333931") and not is_valid_ean13("4006381333932")


def test_the_price_floor_is_checked_on_update_too(app, as_manager):
    with app.app_context():
        product_id = db.session.execute(select(Product.id).where(Product.sku == "RT-TPL-ARCHER-C6")).scalar_one()
    response = as_manager.put(f"/api/v1/products/{product_id}", json={"sale_price": 1000})
    assert response.status_code == 422 and "min_sale_price" in response.get_json()["errors"]
    with app.app_context():
        assert str(db.session.get(Product, product_id).sale_price) == "28000.00"


def test_duplicate_sku_or_barcode_is_a_409(as_manager):
    assert as_manager.post("/api/v1/products/", json={**PRODUCT, "sku": "PC-HP250G9-I5"}).status_code == 409
    response = as_manager.post("/api/v1/products/", json={**PRODUCT, "barcode": "6201230000011"})
    assert response.status_code == 409 and response.get_json()["errors"] == {"barcode": ["Cette valeur est déjà utilisée."]}


def test_cost_prices_are_shown_to_those_who_write_the_catalog_only(as_manager, as_seller, as_stocker):
    assert "cost_price" in as_manager.get("/api/v1/products/1").get_json()["result"]
    for api in (as_seller, as_stocker):
        assert "cost_price" not in api.get("/api/v1/products/1").get_json()["result"]
        assert all("cost_price" not in row for row in api.get("/api/v1/products/").get_json()["result"])


def test_a_product_with_stock_cannot_be_deleted(as_manager):
    response = as_manager.delete("/api/v1/products/1")
    assert response.status_code == 409 and response.get_json()["message"]


def _category_id(app, name):
    with app.app_context():
        return db.session.execute(select(Category.id).where(Category.name == name)).scalar_one()


def test_categories_form_a_tree_without_loops(app, as_manager):
    reseau, routeurs = _category_id(app, "Réseau"), _category_id(app, "Routeurs")
    response = as_manager.post("/api/v1/categories/", json={"name": "Routeurs 4G", "parent": routeurs})
    assert response.status_code == 201
    assert as_manager.get(f"/api/v1/categories/{response.get_json()['id']}").get_json()["result"]["path"] == (
        "Réseau > Routeurs > Routeurs 4G")
    # under itself, or under one of its own children: refused
    assert as_manager.put(f"/api/v1/categories/{reseau}", json={"parent": reseau}).status_code == 422
    loop = as_manager.put(f"/api/v1/categories/{reseau}", json={"parent": response.get_json()["id"]})
    assert loop.status_code == 422 and "sous-catégories" in loop.get_json()["errors"]["parent"][0]


def test_sister_categories_and_brands_have_different_names(app, as_manager):
    reseau = _category_id(app, "Réseau")
    duplicate = as_manager.post("/api/v1/categories/", json={"name": "routeurs", "parent": reseau})
    assert duplicate.status_code == 422 and "existe déjà" in duplicate.get_json()["errors"]["name"][0]
    assert as_manager.post("/api/v1/categories/", json={"name": "RÉSEAU"}).status_code == 422  # two roots
    assert as_manager.post("/api/v1/categories/", json={"name": "Routeurs"}).status_code == 201  # not a sister
    assert as_manager.post("/api/v1/brands/", json={"name": "tp-link"}).status_code == 422
    assert as_manager.post("/api/v1/categories/", json={"name": "A > B"}).status_code == 422


def test_a_category_in_use_cannot_be_deleted(app, as_manager):
    response = as_manager.delete(f"/api/v1/categories/{_category_id(app, 'Routeurs')}")
    assert response.status_code == 409 and "SQL" not in response.get_data(as_text=True)
