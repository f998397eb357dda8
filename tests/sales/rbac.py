"""The sales domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

SALES creates, edits and submits their own drafts and asks a manager on the spot; CASHIER
sees the queue; MANAGER cancels, refunds and approves (fresh token); STOCKER sees no sale.
"""
from tests.roles import only

COUNTER = ("ADMIN", "MANAGER", "SALES", "CASHIER")
SELLERS = ("ADMIN", "SALES")
MANAGERS = ("ADMIN", "MANAGER")

ROWS = [
    ("GET", "/api/v1/sales/", None, only(200, *COUNTER)),
    ("GET", "/api/v1/sales/{sale_draft}", None, only(200, *COUNTER)),
    ("POST", "/api/v1/sales/", lambda t: {"store": t["sale_store"], "items": [
        {"product": t["sale_product"], "quantity": 1, "unit_price": 15000, "discount": 0}]}, only(201, *SELLERS)),
    ("PUT", "/api/v1/sales/{sale_draft}", lambda t: {"items": [{"product": t["sale_product"], "quantity": 2}]},
     only(200, *SELLERS)),
    ("DELETE", "/api/v1/sales/{sale_draft}", None, only(200, *SELLERS)),
    ("POST", "/api/v1/sales/{sale_draft}/submit/", None, only(200, *SELLERS)),
    ("POST", "/api/v1/sales/{sale_pending}/cancel/", lambda t: {"reason": "Le client est parti"},
     only(200, *MANAGERS)),
    ("POST", "/api/v1/sales/{sale_paid}/refund/", lambda t: {
        "items": [{"sale_item": t["sale_paid_item"], "quantity": 1}], "restock": True, "method": "CARD"},
     only(201, *MANAGERS)),
    ("POST", "/api/v1/sales/{sale_discounted}/approve/", lambda t: {
        "email": "manager@boutique.cm", "password": "manager123!"}, only(200, "ADMIN", "MANAGER", "SALES")),
    ("GET", "/api/v1/sales/queue/", None, only(200, "ADMIN", "MANAGER", "CASHIER")),
    ("GET", "/api/v1/sales/warranty/?serial=SN-RBAC-1", None, only(200, *COUNTER)),
    # approvals
    ("GET", "/api/v1/approvals/", None, only(200, *MANAGERS, "SALES")),
    ("GET", "/api/v1/approvals/{approval}", None, only(200, *MANAGERS, "SALES")),
    ("POST", "/api/v1/approvals/{approval}/approve/", None, only(200, *MANAGERS)),
    ("POST", "/api/v1/approvals/{approval}/reject/", lambda t: {"note": "Remise trop forte"}, only(200, *MANAGERS)),
    # refunds
    ("GET", "/api/v1/refunds/", None, only(200, *MANAGERS, "CASHIER")),
    ("GET", "/api/v1/refunds/{refund}", None, only(200, *MANAGERS, "CASHIER")),
]


def make_targets():
    from flask import g

    from app.cashier import services as till
    from app.sales import services
    from tests.factories import (
        make_draft,
        make_pending_sale,
        make_product,
        put_in_stock,
        store_by_code,
        user_by_email,
    )

    g.pop("_store_ids", None)
    store = store_by_code("DLA1")
    seller, admin = user_by_email("vendeur1@boutique.cm"), user_by_email("admin@boutique.cm")
    product = make_product("RBAC-SW-8P", "Switch 8 ports (RBAC)", sale_price="15000")
    put_in_stock(store, product, 50, "PURCHASE")
    draft = make_draft(store, seller, [(product, 1)])
    discounted = make_draft(store, seller, [(product, 1, "15000", "5000")])  # 33 % off: needs a manager
    asking = make_draft(store, seller, [(product, 1, "15000", "6000")])
    try:
        services.submit_sale(seller, asking.id)
    except services.ApprovalRequired as exc:
        approval = exc.approvals[0].id
    pending = make_pending_sale(store, seller, [(product, 1)])
    paid = make_pending_sale(store, seller, [(product, 2)])
    shift = till.open_shift(admin, store.id, "0")
    till.take_payment(admin, paid.id, "CARD", "30000")
    refunded = make_pending_sale(store, seller, [(product, 2)])
    till.take_payment(admin, refunded.id, "CARD", "30000")
    _, refund = services.refund_sale(admin, refunded.id, [{"sale_item": refunded.items[0].id, "quantity": 1}],
                                     method="CARD")
    till.close_shift(admin, shift.id, "0")
    return {
        "sale_store": store.id, "sale_product": product.id, "sale_draft": draft.id,
        "sale_discounted": discounted.id, "sale_pending": pending.id, "sale_paid": paid.id,
        "sale_paid_item": paid.items[0].id, "approval": approval, "refund": refund.id,
    }
