"""The purchases domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

Managers buy (suppliers, orders: create, edit, send, cancel); stock keepers read suppliers and
orders and record receipts; sellers and cashiers see neither orders nor costs. Every demo
account works in DLA1; the documents below live there.
"""
ROLES = ["ANON", "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"]


def only(code, *roles, others=403):
    return {role: (401 if role == "ANON" else code if role in roles else others) for role in ROLES}


BUYERS = ("ADMIN", "MANAGER")
RECEIVERS = ("ADMIN", "MANAGER", "STOCKER")


def _new_order(t):
    return {"store": t["po_store"], "supplier": t["po_supplier"],
            "lines": [{"product": t["po_product"], "quantity": 10, "unit_cost": 30000}]}


def _receipt(t):
    return {"purchase_order": t["po_sent"], "lines": [{"line": t["po_sent_line"], "quantity": 4}]}


ROWS = [
    ("GET", "/api/v1/suppliers/", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/suppliers/_info", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/suppliers/{po_supplier}", None, only(200, *RECEIVERS)),
    ("POST", "/api/v1/suppliers/", lambda t: {"name": "Sonic Distribution", "phone": "+237699000000"},
     only(201, *BUYERS)),
    ("PUT", "/api/v1/suppliers/{po_supplier}", lambda t: {"email": "achats@cfao.cm"}, only(200, *BUYERS)),
    ("DELETE", "/api/v1/suppliers/{po_spare_supplier}", None, only(200, *BUYERS)),
    ("GET", "/api/v1/purchase-orders/", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/purchase-orders/_info", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/purchase-orders/{po_draft}", None, only(200, *RECEIVERS)),
    ("POST", "/api/v1/purchase-orders/", _new_order, only(201, *BUYERS)),
    ("PUT", "/api/v1/purchase-orders/{po_draft}", lambda t: {"note": "Urgent"}, only(200, *BUYERS)),
    ("POST", "/api/v1/purchase-orders/{po_draft}/send/", None, only(200, *BUYERS)),
    ("POST", "/api/v1/purchase-orders/{po_sent}/cancel/", lambda t: {"reason": "Rupture fournisseur"},
     only(200, *BUYERS)),
    ("GET", "/api/v1/purchase-orders/{po_sent}/order.pdf", None, only(200, *RECEIVERS)),
    ("POST", "/api/v1/purchase-orders/order-missing/", lambda t: {"store": t["po_store"]}, only(201, *BUYERS)),
    # no file attached: the buyers get past the permission check to a 400
    ("POST", "/api/v1/purchase-orders/{po_draft}/import-lines/", None, only(400, *BUYERS)),
    ("GET", "/api/v1/goods-receipts/", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/goods-receipts/_info", None, only(200, *RECEIVERS)),
    ("GET", "/api/v1/goods-receipts/{po_receipt}", None, only(200, *RECEIVERS)),
    ("POST", "/api/v1/goods-receipts/", _receipt, only(201, *RECEIVERS)),
]


def make_targets():
    from app.purchases import services
    from tests.factories import make_product, store_by_code, user_by_email
    from tests.purchases.fixtures import make_supplier

    manager = user_by_email("manager@boutique.cm")
    store = store_by_code("DLA1")
    supplier = make_supplier("CFAO Technologies")
    spare = make_supplier("Fournisseur sans commande")
    product = make_product("RBAC-PO-1", "Onduleur 1500 VA", sale_price="95000")
    draft = services.create_order(manager, store.id, supplier.id, [{"product": product.id, "quantity": 5,
                                                                    "unit_cost": 60000}])
    sent = services.create_order(manager, store.id, supplier.id, [{"product": product.id, "quantity": 20,
                                                                   "unit_cost": 60000}])
    sent = services.send_order(manager, sent)
    receipt = services.receive_goods(manager, sent.id, [{"line": sent.lines[0].id, "quantity": 2}])
    return {"po_store": store.id, "po_supplier": supplier.id, "po_spare_supplier": spare.id, "po_product": product.id,
            "po_draft": draft.id, "po_sent": sent.id, "po_sent_line": sent.lines[0].id, "po_receipt": receipt.id}
