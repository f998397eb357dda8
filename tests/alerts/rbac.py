"""The alert rows of the RBAC matrix (tests/test_rbac_matrix.py).

MANAGER sees and handles every alert of their stores; STOCKER the stock alerts of theirs (a
sale's alert is not found for them); SALES and CASHIER have no alerts. ALR1 is a store
nobody but ADMIN works in: its alert answers 404 to the others who may read alerts.
"""
ROLES = ["ANON", "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"]


def only(code, *roles, others=403, **special):
    row = {role: (401 if role == "ANON" else code if role in roles else others) for role in ROLES}
    row.update(special)
    return row


READERS = ("ADMIN", "MANAGER", "STOCKER")

ROWS = [
    ("GET", "/api/v1/alerts/", None, only(200, *READERS)),
    ("GET", "/api/v1/alerts/{stock_alert}", None, only(200, *READERS)),
    ("GET", "/api/v1/alerts/{sale_alert}", None, only(200, *READERS, STOCKER=404)),
    ("GET", "/api/v1/alerts/{foreign_alert}", None, only(200, *READERS, MANAGER=404, STOCKER=404)),
    ("POST", "/api/v1/alerts/{stock_alert}/acknowledge/", None, only(200, *READERS)),
    ("POST", "/api/v1/alerts/{sale_alert}/acknowledge/", None, only(200, *READERS, STOCKER=404)),
    ("POST", "/api/v1/alerts/{stock_alert}/resolve/", None, only(200, *READERS)),
    ("POST", "/api/v1/alerts/{foreign_alert}/resolve/", None, only(200, *READERS, MANAGER=404, STOCKER=404)),
]


def make_targets():
    from app.alerts.models import LOW_STOCK, PENDING_PAYMENT, Alert
    from app.extensions import db
    from tests.factories import make_store, store_by_code

    dla = store_by_code("DLA1")
    foreign = make_store("ALR1", "Magasin sans équipe")

    def alert(store, kind, object_type, key):
        row = Alert(type=kind, severity="WARNING", store_id=store.id, message=f"Alerte {key}",
                    object_type=object_type, object_id=1, cause_key=key, status="NEW")
        db.session.add(row)
        db.session.flush()
        return row.id

    targets = {"stock_alert": alert(dla, LOW_STOCK, "Product", "product:rbac"),
               "sale_alert": alert(dla, PENDING_PAYMENT, "Sale", "sale:rbac"),
               "foreign_alert": alert(foreign, LOW_STOCK, "Product", "product:rbac")}
    db.session.commit()
    return targets
