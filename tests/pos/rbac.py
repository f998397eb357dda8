"""The POS domain's rows of the RBAC matrix (tests/test_rbac_matrix.py): the sale documents.

Everyone who works at the counter (SALES, CASHIER, MANAGER, ADMIN) prints the invoice and the
ticket of a sale of their store; STOCKER does not; anonymous callers get 401.
"""
from tests.roles import only

COUNTER = ("ADMIN", "MANAGER", "SALES", "CASHIER")

ROWS = [
    ("GET", "/api/v1/sales/{pos_document_sale}/invoice.pdf", None, only(200, *COUNTER)),
    ("GET", "/api/v1/sales/{pos_document_sale}/ticket.pdf", None, only(200, *COUNTER)),
]


def make_targets():
    from flask import g

    from tests.factories import make_pending_sale, make_product, put_in_stock, store_by_code, user_by_email

    g.pop("_store_ids", None)
    store = store_by_code("DLA1")
    product = make_product("RBAC-POS-DOC", "Clé USB 32 Go (RBAC)", sale_price="6000")
    put_in_stock(store, product, 5, "PURCHASE")
    sale = make_pending_sale(store, user_by_email("vendeur1@boutique.cm"), [(product, 1)])
    return {"pos_document_sale": sale.id}
