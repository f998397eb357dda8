"""The stock domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

ROWS: (method, path with {placeholders}, body factory or None, {role: status}).
make_targets(): creates what the rows need (inside an app context) and returns the
placeholder values. Every demo account works in DLA1; the stock documents below live there
(the transfer to receive goes from YDE1 to DLA1).
"""
from tests.roles import only

STAFF = ("ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER")
STOCK_WORKERS = ("ADMIN", "MANAGER", "STOCKER")


def _adjustment(t):
    return {"store": t["stock_store"], "product": t["stock_product"], "type": "ADJUSTMENT", "quantity": -2,
            "note": "Carton abîmé"}


def _new_transfer(t):
    return {"store": t["stock_store"], "destination_store": t["stock_other_store"], "note": "Réassort",
            "lines": [{"product": t["stock_product"], "quantity": 2}]}


ROWS = [
    # stock levels: everybody who works in a store reads them
    ("GET", "/api/v1/stock/", None, only(200, *STAFF)),
    ("GET", "/api/v1/stock/_info", None, only(200, *STAFF)),
    ("GET", "/api/v1/stock/{stock_row}", None, only(200, *STAFF)),
    # the ledger and adjustments: stock keepers and managers
    ("GET", "/api/v1/stock-movements/", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/stock-movements/_info", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/stock-movements/{stock_movement}", None, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/stock-movements/", _adjustment, only(201, *STOCK_WORKERS)),
    # transfers
    ("GET", "/api/v1/transfers/", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/transfers/_info", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/transfers/{draft_transfer}", None, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/transfers/", _new_transfer, only(201, *STOCK_WORKERS)),
    ("PUT", "/api/v1/transfers/{draft_transfer}", lambda t: {"note": "Urgent"}, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/transfers/{draft_transfer}/send/", None, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/transfers/{incoming_transfer}/receive/", lambda t: {"lines": []}, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/transfers/{draft_transfer}/cancel/", lambda t: {"reason": "Erreur"}, only(200, *STOCK_WORKERS)),
    # stock counts: stock keepers count, managers validate
    ("GET", "/api/v1/stock-counts/", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/stock-counts/_info", None, only(200, *STOCK_WORKERS)),
    ("GET", "/api/v1/stock-counts/{stock_count}", None, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/stock-counts/", lambda t: {"store": t["stock_store"]}, only(201, *STOCK_WORKERS)),
    ("POST", "/api/v1/stock-counts/{stock_count}/counts/",
     lambda t: {"lines": [{"product": t["stock_product"], "counted_quantity": 9}]}, only(200, *STOCK_WORKERS)),
    ("POST", "/api/v1/stock-counts/{counted_stock_count}/validate/", None, only(200, "ADMIN", "MANAGER")),
    ("POST", "/api/v1/stock-counts/{stock_count}/cancel/", None, only(200, *STOCK_WORKERS)),
]


def make_targets():
    from app.extensions import db
    from app.stock import services
    from app.stock.models import InventoryMovement
    from tests.factories import make_product, put_in_stock, store_by_code

    dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
    product = make_product("RBAC-STK-1", "Switch 16 ports (RBAC)")
    put_in_stock(dla, product, 10, "PURCHASE")
    put_in_stock(yde, product, 10, "PURCHASE")
    movement = db.session.execute(db.select(InventoryMovement).order_by(InventoryMovement.id.desc())).scalars().first()
    draft = services.create_transfer(None, dla.id, yde.id, [{"product": product.id, "quantity": 1}])
    incoming = services.create_transfer(None, yde.id, dla.id, [{"product": product.id, "quantity": 1}])
    services.send_transfer(None, incoming)
    count = services.open_count(None, dla.id, [product.id])
    counted = services.open_count(None, dla.id, [product.id])
    services.enter_counts(None, counted, [{"product": product.id, "counted_quantity": 9}])
    return {
        "stock_store": dla.id,
        "stock_other_store": yde.id,
        "stock_product": product.id,
        "stock_row": services.stock_of(dla.id, product.id).id,
        "stock_movement": movement.id,
        "draft_transfer": draft.id,
        "incoming_transfer": incoming.id,
        "stock_count": count.id,
        "counted_stock_count": counted.id,
    }
