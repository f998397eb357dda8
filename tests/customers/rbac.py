"""The customers domain's rows of the RBAC matrix (tests/test_rbac_matrix.py).

Everybody at the counter reads customers (SALES, CASHIER, MANAGER); SALES and MANAGER add
and edit them; MANAGER deletes one (without sales); STOCKER has nothing to do with them.
"""
from tests.roles import only

COUNTER = ("ADMIN", "MANAGER", "SALES", "CASHIER")
WRITERS = ("ADMIN", "MANAGER", "SALES")

ROWS = [
    ("GET", "/api/v1/customers/", None, only(200, *COUNTER)),
    ("GET", "/api/v1/customers/_info", None, only(200, *COUNTER)),
    ("GET", "/api/v1/customers/{customer}", None, only(200, *COUNTER)),
    ("POST", "/api/v1/customers/", lambda t: {"name": "Aïcha Nkoulou", "phone": "6 77 12 34 56",
                                             "store": t["customer_store"]}, only(201, *WRITERS)),
    ("PUT", "/api/v1/customers/{customer}", lambda t: {"name": "Jean-Paul Mbarga (SARL)"}, only(200, *WRITERS)),
    ("DELETE", "/api/v1/customers/{spare_customer}", None, only(200, "ADMIN", "MANAGER")),
]


def make_targets():
    from tests.factories import make_customer, store_by_code

    store = store_by_code("DLA1")
    return {
        "customer_store": store.id,
        "customer": make_customer(store).id,
        "spare_customer": make_customer(store, name="Client sans achat", phone="+237655000111").id,
    }
