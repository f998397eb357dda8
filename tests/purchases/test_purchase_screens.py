"""The purchase screens through the test client: pages, forms, permissions, scoping."""
from app.extensions import db
from app.purchases import services
from app.purchases.models import PurchaseOrder
from app.stock import services as stock
from tests.conftest import DEMO
from tests.factories import make_user, store_by_code
from tests.purchases.fixtures import sent_order, user


def login(client, role_or_email, password=None):
    email, password = DEMO.get(role_or_email, (role_or_email, password))
    response = client.post("/login/", data={"username": email, "password": password})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client


def test_a_manager_creates_fills_and_sends_an_order(app, client, shop):
    login(client, "MANAGER")
    assert "Commander ce qui manque" in client.get("/purchases/orders/list/").get_data(as_text=True)
    response = client.post("/purchases/orders/new", data={"store": shop.dla, "supplier": shop.cfao, "note": "Urgent"})
    assert response.status_code == 302
    order_url = response.headers["Location"]
    order_id = int(order_url.rstrip("/").split("/")[-1])
    client.post(f"/purchases/orders/{order_id}/lines", data={"product": "6210000100013", "quantity": "4",
                                                             "unit_cost": "29 500"})
    client.post(f"/purchases/orders/{order_id}/lines", data={"product": "po-cbl-cat6", "quantity": "30"})
    page = client.get(order_url).get_data(as_text=True)
    assert "Routeur Wi-Fi 6 AX1800" in page and "Câble réseau Cat6 3 m" in page
    assert client.post(f"/purchases/orders/{order_id}/send").status_code == 302
    with app.app_context():
        order = db.session.get(PurchaseOrder, order_id)
        assert order.status == "SENT" and order.number.startswith("DLA1-BC-")
        assert sorted((l.quantity, str(l.unit_cost)) for l in order.lines) == [(4, "29500.00"), (30, "900.00")]
    pdf = client.get(f"/purchases/orders/{order_id}/order.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_stock_keeper_receives_but_never_sends(app, client, shop):
    with app.app_context():
        order = sent_order(shop, [(shop.router, 5, "12000"), (shop.phone, 2, "80000")])
        draft = services.create_order(user(shop.manager), shop.dla, shop.cfao,
                                      [{"product": shop.cable, "quantity": 3, "unit_cost": 800}])
        order_id, draft_id = order.id, draft.id
        lines = {line.product_id: line.id for line in order.lines}
    login(client, "STOCKER")
    page = client.get(f"/purchases/orders/show/{order_id}").get_data(as_text=True)
    assert "Réceptionner" in page and "Envoyer la commande" not in page
    assert client.post(f"/purchases/orders/{draft_id}/send").status_code in (302, 403)
    with app.app_context():
        assert db.session.get(PurchaseOrder, draft_id).status == "DRAFT"
    response = client.post(f"/purchases/receipts/order/{order_id}", data={
        f"quantity_{lines[shop.router]}": "3", f"quantity_{lines[shop.phone]}": "1",
        f"serials_{lines[shop.phone]}": "IMEI-77"})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.get(PurchaseOrder, order_id)
        assert order.status == "PARTIALLY_RECEIVED"
        assert stock.stock_of(shop.dla, shop.router).quantity == 3
    too_many = client.post(f"/purchases/receipts/order/{order_id}", data={f"quantity_{lines[shop.router]}": "3"},
                           follow_redirects=True)
    assert "il ne reste que 2" in too_many.get_data(as_text=True)


def test_sellers_see_no_orders_and_other_stores_are_not_found(app, client, shop):
    with app.app_context():
        order = sent_order(shop, [(shop.router, 5, "12000")], store=shop.yde)
        order_id = order.id
        make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", [store_by_code("DLA1")])
    login(client, "SALES")
    assert client.get("/purchases/orders/list/").status_code in (302, 403)
    assert client.get("/purchases/suppliers/list/").status_code in (302, 403)
    client = login(app.test_client(), "stock.dla@boutique.cm", "stock123!")
    assert client.get(f"/purchases/orders/show/{order_id}").status_code == 404
    assert client.get(f"/purchases/receipts/order/{order_id}").status_code == 404


def test_suppliers_screen(client, shop):
    login(client, "MANAGER")
    assert "CFAO Technologies" in client.get("/purchases/suppliers/list/").get_data(as_text=True)
    response = client.post("/purchases/suppliers/add", data={"name": "Jumia Business", "phone": "+237650000000"})
    assert response.status_code == 302
    assert "Jumia Business" in client.get("/purchases/suppliers/list/").get_data(as_text=True)


def test_import_lines_on_the_order_page(app, client, shop):
    import io

    from tests.purchases.test_purchase_api import _xlsx

    with app.app_context():
        order_id = services.create_order(user(shop.manager), shop.dla, shop.cfao, []).id
    login(client, "MANAGER")
    data = _xlsx([("PO-RT-AX55", 4, 29000), ("INCONNU", 1, 10)])
    preview = client.post(f"/purchases/orders/{order_id}/import", data={"file": (io.BytesIO(data), "c.xlsx")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "1 erreur(s)" in preview and "Produit introuvable : INCONNU" in preview
    good = _xlsx([("PO-RT-AX55", 4, 29000), ("PO-CBL-CAT6", 20, 850)])
    preview = client.post(f"/purchases/orders/{order_id}/import", data={"file": (io.BytesIO(good), "c.xlsx")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "Aperçu : 2 ligne(s)" in preview
    with app.app_context():
        assert db.session.get(PurchaseOrder, order_id).lines == []
    done = client.post(f"/purchases/orders/{order_id}/import", data={"file": (io.BytesIO(good), "c.xlsx"), "commit": "1"},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    with app.app_context():
        assert sorted(l.quantity for l in db.session.get(PurchaseOrder, order_id).lines) == [4, 20]
