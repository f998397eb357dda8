"""The credit domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

MANAGER (and ADMIN) open accounts and change limits; CASHIER reads the accounts of their stores
and takes repayments in their open shift; SALES reads them (available credit on the POS);
STOCKER sees nothing. An account of YDE1 is not found (404) by DLA1's seller and cashier.
The rows happen in a store of their own (CRD1) where the cashier and the admin have an open shift.
"""
ROLES = ["ANON", "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"]


def only(code, *roles, others=403):
    return {role: (401 if role == "ANON" else code if role in roles else others) for role in ROLES}


READERS = ("ADMIN", "MANAGER", "SALES", "CASHIER")
OTHER_STORE = {"ANON": 401, "ADMIN": 200, "MANAGER": 200, "SALES": 404, "CASHIER": 404, "STOCKER": 403}

ROWS = [
    ("GET", "/api/v1/credit-accounts/", None, only(200, *READERS)),
    ("GET", "/api/v1/credit-accounts/{credit_account}", None, only(200, *READERS)),
    ("GET", "/api/v1/credit-accounts/{yde_credit_account}", None, OTHER_STORE),
    ("POST", "/api/v1/credit-accounts/", lambda t: {"customer": t["credit_customer_without_account"],
                                                   "credit_limit": 300000}, only(201, "ADMIN", "MANAGER")),
    ("PUT", "/api/v1/credit-accounts/{credit_account}", lambda t: {"credit_limit": 400000},
     only(200, "ADMIN", "MANAGER")),
    ("GET", "/api/v1/credit-accounts/{credit_account}/statement.pdf", None, only(200, *READERS)),
    ("POST", "/api/v1/credit-accounts/{credit_account}/repay/", lambda t: {"amount": 5000, "method": "CASH"},
     only(201, "ADMIN", "CASHIER")),
    ("GET", "/api/v1/credit-ledger/", None, only(200, *READERS)),
    ("GET", "/api/v1/credit-ledger/{credit_entry}", None, only(200, *READERS)),
]


def make_targets():
    from datetime import date
    from decimal import Decimal

    from flask import g

    from app.cashier import services as till
    from app.credits import services as credits
    from app.extensions import db
    from app.stores.services import add_user_to_store
    from tests.factories import make_customer, make_store, store_by_code, user_by_email

    g.pop("_store_ids", None)
    store = make_store("CRD1", "Magasin du crédit")
    cashier, manager, seller, admin = (user_by_email(e) for e in (
        "caissier@boutique.cm", "manager@boutique.cm", "vendeur1@boutique.cm", "admin@boutique.cm"))
    for person in (cashier, manager, seller):
        add_user_to_store(store, person)
    db.session.commit()
    g.pop("_store_ids", None)
    customer = make_customer(store, name="Client RBAC", phone="+237691000001")
    account = credits.open_account(manager, customer.id, "200000")
    entry = credits.record_opening_balance(manager, account, Decimal("50000"), date(2026, 1, 31))
    without = make_customer(store, name="Client sans compte", phone="+237691000002")
    yde_customer = make_customer(store_by_code("YDE1"), name="Client de Yaoundé", phone="+237691000003")
    yde_account = credits.open_account(manager, yde_customer.id, "100000")
    till.open_shift(cashier, store.id, "0")
    till.open_shift(admin, store.id, "0")
    return {"credit_account": account.id, "credit_entry": entry.id, "credit_customer_without_account": without.id,
            "yde_credit_account": yde_account.id}
