"""Issue 19 item 2: the back office finds products like the POS does (any part of the name,
accents and case aside, a sku or a barcode), sorts names in French order, and the stock forms
take a name, a sku or a barcode with suggestions as one types."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.stock.models import InventoryMovement, StockCount
from tests.conftest import sign_in
from tests.factories import make_product, make_user, store_by_code

SUGGEST = "/catalog/suggestions/"


def _skus(page):
    return set(re.findall(r"\b(?:RT|SW|ECR|ACC|TEL|PC|CAB|FR)-[A-Z0-9-]+\b", page))


def test_the_product_list_finds_any_part_of_a_name_accents_and_case_aside(client):
    sign_in(client, "MANAGER")
    cisco = client.get("/catalog/products/list/?q=cisco").get_data(as_text=True)
    assert {"RT-CIS-RV340", "SW-CIS-CBS110-16"} <= _skus(cisco) and "ECR-HP-M24F" not in cisco
    ecran = client.get("/catalog/products/list/?q=ecran").get_data(as_text=True)
    assert {"ECR-HP-M24F", "ECR-DELL-SE2222H"} <= _skus(ecran) and "RT-CIS-RV340" not in ecran
    assert 'value="ecran"' in ecran  # the box keeps what was searched
    # a barcode and a sku prefix, as at the till
    assert "ECR-HP-M24F" in client.get("/catalog/products/list/?q=6201230000042").get_data(as_text=True)
    # FAB's "Nom" filter: its first (default) choice is the same search
    filtered = client.get("/catalog/products/list/?_flt_0_name=CISCO+switch").get_data(as_text=True)
    assert "SW-CIS-CBS110-16" in filtered and "RT-CIS-RV340" not in filtered


def test_accented_names_sort_in_french_order(app, client):
    with app.app_context():
        for sku, name in [("FR-1", "Zèbre tri"), ("FR-2", "écran tri"), ("FR-3", "Ecouteur tri"),
                          ("FR-4", "Adaptateur tri")]:
            make_product(sku, name)
    sign_in(client, "MANAGER")
    page = client.get("/catalog/products/list/?q=tri").get_data(as_text=True)
    assert re.findall(r"\bFR-\d\b", page) == ["FR-4", "FR-3", "FR-2", "FR-1"]
    page = client.get("/catalog/products/list/?q=tri&_oc_ProductModelView=name&_od_ProductModelView=desc")
    assert re.findall(r"\bFR-\d\b", page.get_data(as_text=True)) == ["FR-1", "FR-2", "FR-3", "FR-4"]


def test_suggestions_are_the_pos_search_in_one_of_the_users_stores(app, client):
    with app.app_context():
        dla, yde = store_by_code("DLA1").id, store_by_code("YDE1").id
        make_user("stock.dla@boutique.cm", "secret123!", "STOCKER", stores=[store_by_code("DLA1")])
    assert client.get(f"{SUGGEST}?q=ecran&store={dla}").status_code == 302  # signed-in people only
    sign_in(client, "stock.dla@boutique.cm", "secret123!")
    answer = client.get(f"{SUGGEST}?q=ÉCRAN hp&store={dla}")
    assert answer.status_code == 200
    [found] = answer.get_json()["result"]
    assert (found["sku"], found["name"], found["available"]) == ("ECR-HP-M24F", "Écran HP M24f 24 pouces Full HD", 6)
    assert found["detail"] == "ECR-HP-M24F · 6201230000042 · 6 disponible(s)"
    refused = client.get(f"{SUGGEST}?q=ecran&store={yde}")  # not one of hers
    assert refused.status_code == 404 and refused.get_json()["message"]
    assert client.get(f"{SUGGEST}?q=ecran&store=abc").status_code == 400
    assert client.get(f"{SUGGEST}?q=&store={dla}").get_json()["result"] == []


def test_the_stock_forms_take_a_name_typed_in_part(app, client):
    with app.app_context():
        dla = store_by_code("DLA1").id
        before = db.session.execute(select(func.count(InventoryMovement.id))).scalar()
    sign_in(client, "STOCKER")
    # one product holds every word: it is the one
    page = client.post("/stock/movements/adjust", data={
        "store": dla, "product": "switch cisco 16", "quantity": "2", "note": "retrouvé"}, follow_redirects=True)
    assert "Switch Cisco CBS110-16T 16 ports Gigabit" in page.get_data(as_text=True) and "ajusté de +2" in page.get_data(as_text=True)
    # several match: nothing is written and the form says to choose
    page = client.post("/stock/movements/adjust", data={
        "store": dla, "product": "écran", "quantity": "1", "note": "retrouvé"}).get_data(as_text=True)
    assert "Plusieurs produits correspondent à « écran »" in page
    with app.app_context():
        assert db.session.execute(select(func.count(InventoryMovement.id))).scalar() == before + 1
    # a count: one product a line, by name, sku or barcode
    answer = client.post("/stock/counts/new", data={"store": dla, "products": "ecran hp\nRT-CIS-RV340\n6201230000042"})
    assert answer.status_code == 302
    with app.app_context():
        count = db.session.execute(select(StockCount).order_by(StockCount.id.desc())).scalars().first()
        assert {line.product.sku for line in count.lines} == {"ECR-HP-M24F", "RT-CIS-RV340"}
    page = client.post("/stock/counts/new", data={"store": dla, "products": "souris introuvable"}).get_data(as_text=True)
    assert "Produit introuvable : « souris introuvable »" in page
