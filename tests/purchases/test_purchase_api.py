"""The purchases API (SPEC §10): payloads, statuses, errors, scoping, the order PDF read back."""
import io

from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.purchases.models import PurchaseOrder
from tests.documents.pdf_tools import pdf_text
from tests.factories import make_user, store_by_code


def _order(as_manager, shop, lines, store=None):
    response = as_manager.post("/api/v1/purchase-orders/", json={
        "store": store or shop.dla, "supplier": shop.cfao, "note": "Livraison au magasin",
        "lines": [{"product": p, "quantity": q, "unit_cost": c} for p, q, c in lines]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_order_send_receive_through_the_api(as_manager, as_stocker, shop):
    order = _order(as_manager, shop, [(shop.router, 10, 30000), (shop.phone, 2, "85000")])
    assert (order["result"]["status"], order["result"]["number"], order["result"]["total"]) == (
        "DRAFT", None, "470000.00")
    sent = as_manager.post(f"/api/v1/purchase-orders/{order['id']}/send/").get_json()["result"]
    assert sent["status"] == "SENT" and sent["number"].startswith("DLA1-BC-")
    router_line, phone_line = sent["lines"]

    response = as_stocker.post("/api/v1/goods-receipts/", json={"purchase_order": order["id"], "lines": [
        {"line": router_line["id"], "quantity": 4}, {"line": phone_line["id"], "quantity": 2,
                                                      "serials": ["SN-A1", "SN-A2"]}]})
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()["result"]
    assert [line["cost_after"] for line in receipt["lines"]] == ["30000.00", "85000.00"]  # nothing on hand before
    after = as_stocker.get(f"/api/v1/purchase-orders/{order['id']}").get_json()["result"]
    assert after["status"] == "PARTIALLY_RECEIVED"
    assert [(line["received_quantity"], line["due"]) for line in after["lines"]] == [(4, 6), (2, 0)]

    over = as_stocker.post("/api/v1/goods-receipts/", json={"purchase_order": order["id"], "lines": [
        {"line": router_line["id"], "quantity": 7}]})
    assert over.status_code == 409 and "6" in over.get_json()["message"]
    rest = as_stocker.post("/api/v1/goods-receipts/", json={"purchase_order": order["id"], "lines": [
        {"line": router_line["id"], "quantity": 6}]})
    assert rest.status_code == 201
    assert as_stocker.get(f"/api/v1/purchase-orders/{order['id']}").get_json()["result"]["status"] == "RECEIVED"
    stock = as_stocker.get(f"/api/v1/stock/?store={shop.dla}&product={shop.router}").get_json()
    assert stock["result"][0]["quantity"] == 10


def test_a_stock_keeper_cannot_send_or_edit_an_order(as_manager, as_stocker, as_seller, shop):
    order = _order(as_manager, shop, [(shop.router, 1, 30000)])
    assert as_stocker.post(f"/api/v1/purchase-orders/{order['id']}/send/").status_code == 403
    assert as_stocker.put(f"/api/v1/purchase-orders/{order['id']}", json={"note": "x"}).status_code == 403
    assert as_seller.get(f"/api/v1/purchase-orders/{order['id']}").status_code == 403
    assert as_seller.get("/api/v1/goods-receipts/").status_code == 403


def test_bad_input_answers_in_french(as_manager, shop):
    bad = as_manager.post("/api/v1/purchase-orders/", json={"store": shop.dla, "supplier": shop.cfao, "lines": [
        {"product": shop.router, "quantity": 0, "unit_cost": 100}, {"product": 999999, "quantity": 1},
        {"product": shop.cable, "quantity": 2, "unit_cost": "abc"}]})
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert set(errors) == {"lines[0]", "lines[1]", "lines[2]"}
    assert as_manager.post("/api/v1/purchase-orders/", json={"store": shop.dla, "supplier": 424242}).status_code == 422
    assert as_manager.post("/api/v1/goods-receipts/", json={"purchase_order": 1}).status_code == 422
    assert as_manager.post("/api/v1/purchase-orders/", data="x").status_code == 400
    duplicate = as_manager.post("/api/v1/suppliers/", json={"name": "CFAO Technologies"})
    assert duplicate.status_code == 409 and duplicate.get_json()["message"]


def test_a_store_of_someone_else_named_in_a_body_is_not_found(app, api_as, shop):
    """A DLA1 manager naming YDE1 (an order, "commander ce qui manque"): 404, no order written."""
    with app.app_context():
        make_user("gerant.dla@boutique.cm", "gerant123!", "MANAGER", [store_by_code("DLA1")])
    manager = api_as("gerant.dla@boutique.cm", "gerant123!")
    answers = [
        manager.post("/api/v1/purchase-orders/", json={"store": shop.yde, "supplier": shop.cfao,
                                                       "lines": [{"product": shop.router, "quantity": 1, "unit_cost": 100}]}),
        manager.post("/api/v1/purchase-orders/order-missing/", json={"store": shop.yde}),
    ]
    assert [(a.status_code, a.get_json()) for a in answers] == [(404, {"message": "Magasin introuvable."})] * 2
    with app.app_context():
        assert db.session.execute(select(PurchaseOrder)).first() is None


def test_another_stores_orders_are_not_found(app, api_as, as_manager, shop):
    order = _order(as_manager, shop, [(shop.router, 3, 30000)], store=shop.yde)
    as_manager.post(f"/api/v1/purchase-orders/{order['id']}/send/")
    with app.app_context():
        make_user("stock.dla@boutique.cm", "stock123!", "STOCKER", [store_by_code("DLA1")])
    outsider = api_as("stock.dla@boutique.cm", "stock123!")
    assert outsider.get(f"/api/v1/purchase-orders/{order['id']}").status_code == 404
    assert outsider.get(f"/api/v1/purchase-orders/{order['id']}/order.pdf").status_code == 404
    listed = outsider.get("/api/v1/purchase-orders/").get_json()["ids"]
    assert order["id"] not in listed
    receipt = outsider.post("/api/v1/goods-receipts/", json={"purchase_order": order["id"], "lines": [
        {"line": order["result"]["lines"][0]["id"], "quantity": 1}]})
    assert receipt.status_code == 422 and "purchase_order" in receipt.get_json()["errors"]


def test_the_order_pdf_read_back(as_manager, shop):
    order = _order(as_manager, shop, [(shop.router, 10, 30000), (shop.cable, 25, "850")])
    assert as_manager.get(f"/api/v1/purchase-orders/{order['id']}/order.pdf").status_code == 409  # a draft
    number = as_manager.post(f"/api/v1/purchase-orders/{order['id']}/send/").get_json()["result"]["number"]
    response = as_manager.get(f"/api/v1/purchase-orders/{order['id']}/order.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data))
    flat = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    for expected in ("BON DE COMMANDE", number, "Douala", "CFAO Technologies", "ventes@cfao.cm",
                     "PO-RT-AX55", "Routeur Wi-Fi 6 AX1800", "Câble réseau Cat6 3 m", "Total HT", "321 250"):
        assert expected in flat, (expected, flat)


def _xlsx(rows, headers=("SKU ou code-barres", "Quantité", "Coût unitaire")):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Commande")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, order_id, data, dry_run=True):
    return client.post(f"/api/v1/purchase-orders/{order_id}/import-lines/?dry_run={1 if dry_run else 0}",
                       data={"file": (io.BytesIO(data), "commande.xlsx")}, content_type="multipart/form-data")


def test_import_an_orders_lines_from_excel(as_manager, shop):
    order = _order(as_manager, shop, [(shop.cable, 5, 800)])
    bad = _upload(as_manager, order["id"], _xlsx([("PO-RT-AX55", 4, 29000), ("INCONNU", 1, 10), ("PO-CBL-CAT6", 0, 850),
                                                  ("6210000100013", 2, 1)]))
    assert bad.status_code == 422
    errors = bad.get_json()["result"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "SKU ou code-barres"), (4, "Quantité"),
                                                         (5, "SKU ou code-barres")]
    preview = _upload(as_manager, order["id"], _xlsx([("PO-RT-AX55", 4, 29000), ("po-cbl-cat6", 50, "850")]))
    assert preview.status_code == 200 and preview.get_json()["result"]["committed"] is False
    unchanged = as_manager.get(f"/api/v1/purchase-orders/{order['id']}").get_json()["result"]
    assert [line["quantity"] for line in unchanged["lines"]] == [5]  # a dry run writes nothing

    done = _upload(as_manager, order["id"], _xlsx([("6210000100013", 4, 29000), ("po-cbl-cat6", 50, "850")]),
                   dry_run=False)
    assert done.status_code == 200 and done.get_json()["result"]["committed"] is True
    lines = as_manager.get(f"/api/v1/purchase-orders/{order['id']}").get_json()["result"]["lines"]
    assert sorted((line["product"]["sku"], line["quantity"], line["unit_cost"]) for line in lines) == [
        ("PO-CBL-CAT6", 50, "850.00"), ("PO-RT-AX55", 4, "29000.00")]
    wrong = _upload(as_manager, order["id"], _xlsx([("x", 1, 1)], headers=("Produit", "Qté", "Prix")))
    assert wrong.status_code == 400 and "colonne" in wrong.get_json()["message"]


def test_order_what_is_missing_through_the_api(as_manager, shop):
    response = as_manager.post("/api/v1/purchase-orders/order-missing/", json={"store": shop.dla})
    assert response.status_code == 201
    body = response.get_json()
    assert body["result"] == [] or all(order["status"] == "DRAFT" for order in body["result"])
    assert isinstance(body["left_out"], list)


def test_receipt_lines_are_checked(as_manager, as_stocker, shop):
    first = _order(as_manager, shop, [(shop.router, 3, 30000), (shop.phone, 2, 85000)])
    other = _order(as_manager, shop, [(shop.cable, 3, 800)])
    for order in (first, other):
        as_manager.post(f"/api/v1/purchase-orders/{order['id']}/send/")
    router_line, phone_line = (line["id"] for line in first["result"]["lines"])
    cases = [
        [{"line": other["result"]["lines"][0]["id"], "quantity": 1}],  # a line of another order
        [{"line": router_line, "quantity": 1}, {"line": router_line, "quantity": 1}],  # repeated
        [{"line": router_line, "quantity": 1, "serials": ["X1"]}],  # serials on an untracked product
        [{"line": phone_line, "quantity": 2, "serials": ["X1", "X1"]}],  # one serial twice
        [{"line": router_line, "quantity": -1}],
        [],
    ]
    for lines in cases:
        response = as_stocker.post("/api/v1/goods-receipts/", json={"purchase_order": first["id"], "lines": lines})
        assert response.status_code == 422, (lines, response.get_json())
    after = as_stocker.get(f"/api/v1/purchase-orders/{first['id']}").get_json()["result"]
    assert after["status"] == "SENT" and [line["received_quantity"] for line in after["lines"]] == [0, 0]


def test_a_draft_is_received_only_once_sent(as_manager, as_stocker, shop):
    order = _order(as_manager, shop, [(shop.router, 3, 30000)])
    response = as_stocker.post("/api/v1/goods-receipts/", json={"purchase_order": order["id"], "lines": [
        {"line": order["result"]["lines"][0]["id"], "quantity": 1}]})
    assert response.status_code == 409 and "Brouillon" in response.get_json()["message"]
