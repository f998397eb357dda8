"""The stock back-office screens: pages, filters, forms, permissions and store scoping."""
import re

import pytest

from app.extensions import db
from app.stock import services
from app.stock.models import StockCount, Transfer
from tests.conftest import sign_in as login
from tests.factories import make_product, make_user, put_in_stock, put_serials_in_stock, store_by_code
from tests.stock.ledger import assert_stock_equals_ledger


@pytest.fixture
def goods(app):
    from app.catalog.models import Brand, Category

    with app.app_context():
        network = Category(name="Réseau (essai)")
        phones = Category(name="Téléphones (essai)")
        tp_link = Brand(name="Marque d'essai")
        db.session.add_all([network, phones, tp_link])
        db.session.commit()
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800", reorder_level=3, category_id=network.id,
                              brand_id=tp_link.id, barcode="6935364052935")
        cable = make_product("CBL-RJ45", "Câble RJ45 2 m", reorder_level=5, category_id=network.id)
        phone = make_product("TEL-A15", "Smartphone A15", track_serial=True, category_id=phones.id)
        put_in_stock(dla, router, 10, "PURCHASE")
        put_in_stock(dla, cable, 2, "PURCHASE")
        put_in_stock(yde, router, 4, "PURCHASE")
        put_serials_in_stock(dla, phone, ["IMEI-1", "IMEI-2"])
        return {"dla": dla.id, "yde": yde.id, "router": router.id, "cable": cable.id, "phone": phone.id,
                "network": network.id, "tp_link": tp_link.id}


MINE = {"RT-AX55", "CBL-RJ45", "TEL-A15"}  # the demo catalog is in stock too: look at these


def _skus(html):
    return [(sku, store) for sku, store in re.findall(r'data-testid="stock-row" data-sku="([^"]+)" data-store="([^"]+)"', html)
            if sku in MINE]


def test_stock_page_filters(client, goods):
    login(client, "MANAGER")
    page = client.get("/stock/levels/list/?psize_ProductStockModelView=100").get_data(as_text=True)
    assert "Niveaux de stock" in page and "Stock bas seulement" in page
    assert set(_skus(page)) == {("RT-AX55", "DLA1"), ("CBL-RJ45", "DLA1"), ("TEL-A15", "DLA1"), ("RT-AX55", "YDE1")}
    assert set(_skus(client.get(f"/stock/levels/list/?psize_ProductStockModelView=100&store={goods['yde']}").get_data(as_text=True))) == {("RT-AX55", "YDE1")}
    assert set(_skus(client.get("/stock/levels/list/?psize_ProductStockModelView=100&low=1").get_data(as_text=True))) == {("CBL-RJ45", "DLA1")}
    by_category = client.get(f"/stock/levels/list/?category={goods['network']}").get_data(as_text=True)
    assert by_category.count('data-testid="stock-row"') == 3  # 2 routers, 1 cable: nothing of the demo catalog
    assert {s for s, _ in _skus(by_category)} == {
        "RT-AX55", "CBL-RJ45"}
    assert {s for s, _ in _skus(client.get(f"/stock/levels/list/?brand={goods['tp_link']}").get_data(as_text=True))} == {"RT-AX55"}
    assert {s for s, _ in _skus(client.get("/stock/levels/list/?search=routeur+wi-fi").get_data(as_text=True))} == {"RT-AX55"}
    assert {s for s, _ in _skus(client.get("/stock/levels/list/?search=6935364052935").get_data(as_text=True))} == {"RT-AX55"}
    assert client.get("/stock/levels/list/?store=abc").status_code == 200  # a bad filter is ignored


def test_sellers_see_their_stores_stock_without_the_stock_keeper_links(client, goods):
    login(client, "SALES")
    page = client.get("/stock/levels/list/?psize_ProductStockModelView=100").get_data(as_text=True)
    assert {store for _, store in _skus(page)} == {"DLA1"}
    assert "Ajuster" not in page and "Historique" not in page
    assert client.get("/stock/movements/list/").status_code == 403
    assert client.get("/stock/transfers/list/").status_code == 403


def test_a_stocker_adjusts_stock_from_the_form(client, goods, app):
    login(client, "STOCKER")
    form = client.get(f"/stock/movements/adjust?store={goods['dla']}&product_id={goods['router']}").get_data(as_text=True)
    assert 'value="RT-AX55"' in form
    response = client.post("/stock/movements/adjust", data={
        "store": goods["dla"], "product": "RT-AX55", "quantity": "-2", "note": "Carton abîmé"})
    assert response.status_code == 302
    assert "ajusté de -2" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = client.post("/stock/movements/adjust", data={
        "store": goods["dla"], "product": "RT-AX55", "quantity": "-20", "note": "erreur"}).get_data(as_text=True)
    assert "Stock insuffisant" in refused
    history = client.get(f"/stock/movements/list/?_flt_0_store={goods['dla']}&_flt_0_product={goods['router']}")
    assert "Carton abîmé" in history.get_data(as_text=True)
    with app.app_context():
        assert assert_stock_equals_ledger()[(goods["dla"], goods["router"])] == 8


def test_transfer_screens_from_draft_to_partial_receipt(client, goods, app):
    login(client, "STOCKER")
    assert "Nouveau transfert" in client.get("/stock/transfers/list/").get_data(as_text=True)
    created = client.post("/stock/transfers/new", data={"store": goods["dla"], "destination_store": goods["yde"],
                                                         "note": "Réassort"})
    assert created.status_code == 302
    page_url = created.headers["Location"]
    pk = int(page_url.rstrip("/").split("/")[-1])
    client.post(f"/stock/transfers/{pk}/lines", data={"product": "RT-AX55", "quantity": "3"})
    client.post(f"/stock/transfers/{pk}/lines", data={"product": "TEL-A15", "quantity": "1", "serials": "IMEI-2"})
    page = client.get(page_url).get_data(as_text=True)
    assert page.count('data-testid="transfer-line"') == 2 and "Envoyer" in page
    client.post(f"/stock/transfers/{pk}/send")
    with app.app_context():
        transfer = db.session.get(Transfer, pk)
        lines = {line.product_id: line.id for line in transfer.lines}
        assert transfer.status == "SENT"
    client.post(f"/stock/transfers/{pk}/receive", data={
        f"received_{lines[goods['router']]}": "2", f"received_{lines[goods['phone']]}": "1",
        f"serials_{lines[goods['phone']]}": "IMEI-2", "note": "Un carton manquant"})
    page = client.get(page_url).get_data(as_text=True)
    assert "Reçu" in page and "Un carton manquant" in page
    with app.app_context():
        stock = assert_stock_equals_ledger()
        assert (stock[(goods["dla"], goods["router"])], stock[(goods["yde"], goods["router"])]) == (7, 6)
        assert [line.received_quantity for line in db.session.get(Transfer, pk).lines] == [2, 1]


def test_transfer_errors_are_shown_in_french(client, goods):
    login(client, "STOCKER")
    pk = int(client.post("/stock/transfers/new", data={
        "store": goods["dla"], "destination_store": goods["yde"]}).headers["Location"].rstrip("/").split("/")[-1])
    page = client.post(f"/stock/transfers/{pk}/lines", data={"product": "INCONNU", "quantity": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Produit introuvable" in page
    page = client.post(f"/stock/transfers/{pk}/send", follow_redirects=True).get_data(as_text=True)
    assert "aucune ligne" in page


def test_another_stores_documents_are_not_found(client, goods, app):
    with app.app_context():
        other = make_user("stock.yde@boutique.cm", "stock123!", "STOCKER", stores=[store_by_code("YDE1")])
        transfer = services.create_transfer(None, goods["dla"], goods["yde"], [], None)
        count = services.open_count(None, goods["dla"], [goods["router"]])
        ids = (transfer.id, count.id, other.id)
    login(client, "stock.yde@boutique.cm", "stock123!")
    assert client.get(f"/stock/transfers/show/{ids[0]}").status_code == 200  # the destination sees it
    assert client.post(f"/stock/transfers/{ids[0]}/send", follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.get(Transfer, ids[0]).status == "DRAFT"  # ...but cannot send it
    assert client.get(f"/stock/counts/show/{ids[1]}").status_code == 404
    assert client.post(f"/stock/counts/{ids[1]}/cancel").status_code == 404


def test_count_screens_stocker_counts_manager_validates(client, goods, app):
    login(client, "STOCKER")
    created = client.post("/stock/counts/new", data={"store": goods["dla"], "products": "RT-AX55\nTEL-A15"})
    assert created.status_code == 302
    page_url = created.headers["Location"]
    pk = int(page_url.rstrip("/").split("/")[-1])
    with app.app_context():
        lines = {line.product_id: line.id for line in db.session.get(StockCount, pk).lines}
    client.post(f"/stock/counts/{pk}/enter", data={f"counted_{lines[goods['router']]}": "9",
                                                    f"serials_{lines[goods['phone']]}": "IMEI-1\nIMEI-2"})
    page = client.get(page_url).get_data(as_text=True)
    assert "Enregistrer le comptage" in page and "Valider l'inventaire" not in page
    client.post(f"/stock/counts/{pk}/validate")  # a stocker may not
    with app.app_context():
        assert db.session.get(StockCount, pk).status == "OPEN"
    client.post("/logout/")
    login(client, "MANAGER")
    page = client.get(page_url).get_data(as_text=True)
    assert "Valider l'inventaire" in page
    assert "Inventaire validé" in client.post(f"/stock/counts/{pk}/validate", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(StockCount, pk).status == "VALIDATED"
        assert assert_stock_equals_ledger()[(goods["dla"], goods["router"])] == 9


def test_count_of_a_category_and_the_home_entry_points(client, goods, app):
    login(client, "STOCKER")
    home = client.get("/").get_data(as_text=True)
    for label in ("Niveaux de stock", "Ajuster le stock", "Transferts", "Inventaires"):
        assert label in home
    created = client.post("/stock/counts/new", data={"store": goods["dla"], "category": goods["network"]})
    pk = int(created.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        assert {line.product_id for line in db.session.get(StockCount, pk).lines} == {goods["router"], goods["cable"]}
    client.post("/logout/")
    login(client, "CASHIER")
    home = client.get("/").get_data(as_text=True)
    assert "Niveaux de stock" in home and "Ajuster le stock" not in home and "Inventaires" not in home


def test_every_stock_page_renders(client, goods, app):
    with app.app_context():
        transfer = services.create_transfer(None, goods["dla"], goods["yde"], [{"product": goods["router"], "quantity": 1}])
        count = services.open_count(None, goods["dla"])
        ids = (transfer.id, count.id)
    login(client, "ADMIN")
    for path in ("/stock/levels/list/", "/stock/movements/list/", "/stock/movements/adjust", "/stock/serials/list/",
                 "/stock/transfers/list/", "/stock/transfers/new", f"/stock/transfers/show/{ids[0]}",
                 "/stock/counts/list/", "/stock/counts/new", f"/stock/counts/show/{ids[1]}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Erreur" not in response.get_data(as_text=True), path
