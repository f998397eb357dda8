"""The cashier domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

CASHIER opens and closes their own shift, pays cash out and takes payments; MANAGER reads
every shift and payment of their stores; SALES never takes a payment nor opens a shift.
The till rows happen in a third store (CSH1) where the cashier and the admin have an open
shift, so that opening one in DLA1 still succeeds.
"""
from tests.roles import only

TILL = ("ADMIN", "CASHIER")
READERS = ("ADMIN", "MANAGER", "CASHIER")

ROWS = [
    ("GET", "/api/v1/payments/", None, only(200, *READERS)),
    ("GET", "/api/v1/payments/{payment}", None, only(200, *READERS)),
    ("POST", "/api/v1/payments/", lambda t: {"sale": t["till_sale"], "method": "CASH", "amount": 5000,
                                            "tendered": 10000}, only(201, *TILL)),
    ("GET", "/api/v1/cash-shifts/", None, only(200, *READERS)),
    ("GET", "/api/v1/cash-shifts/{till_shift}", None, only(200, *READERS)),
    ("POST", "/api/v1/cash-shifts/open/", lambda t: {"store": t["till_open_store"], "opening_float": 50000},
     only(201, *TILL)),
    ("POST", "/api/v1/cash-shifts/{till_shift}/close/", lambda t: {"counted_cash": 182500}, only(200, *TILL)),
    ("POST", "/api/v1/cash-shifts/{till_shift}/payout/", lambda t: {"amount": 2000, "reason": "Carburant du groupe"},
     only(201, *TILL)),
]


def make_targets():
    from flask import g

    from app.cashier import services as till
    from app.stores.services import add_user_to_store
    from app.extensions import db
    from tests.factories import (
        make_pending_sale,
        make_product,
        make_store,
        put_in_stock,
        store_by_code,
        user_by_email,
    )

    g.pop("_store_ids", None)
    dla = store_by_code("DLA1")
    store = make_store("CSH1", "Magasin des caisses")
    cashier, manager, admin = (user_by_email(e) for e in (
        "caissier@boutique.cm", "manager@boutique.cm", "admin@boutique.cm"))
    for person in (cashier, manager):
        add_user_to_store(store, person)
    db.session.commit()
    g.pop("_store_ids", None)
    product = make_product("RBAC-CBL", "Câble (RBAC)", sale_price="5000")
    put_in_stock(store, product, 10, "PURCHASE")
    put_in_stock(dla, product, 10, "PURCHASE")
    sale = make_pending_sale(store, admin, [(product, 2)])
    shift = till.open_shift(cashier, store.id, "50000")
    till.open_shift(admin, store.id, "0")
    paid_in_dla = make_pending_sale(dla, admin, [(product, 1)])
    admin_shift = till.open_shift(admin, dla.id, "0")
    payment = till.take_payment(admin, paid_in_dla.id, "CASH", "5000").payment
    till.close_shift(admin, admin_shift.id, "5000")
    return {"till_sale": sale.id, "till_shift": shift.id, "till_open_store": dla.id, "payment": payment.id}
