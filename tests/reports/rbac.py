"""The report rows of the RBAC matrix (tests/test_rbac_matrix.py): MANAGER and ADMIN only.

RPT9 is a store nobody but ADMIN works in: asked for by a manager, it is not found (404).
"""
from tests.roles import only

ROWS = [
    ("GET", "/api/v1/reports/kpis/", None, only(200, "ADMIN", "MANAGER")),
    ("GET", "/api/v1/reports/kpis/?store={report_store}", None, only(200, "ADMIN", "MANAGER")),
    ("GET", "/api/v1/reports/kpis/?store={foreign_report_store}", None,
     {**only(200, "ADMIN", "MANAGER"), "MANAGER": 404}),
    ("GET", "/api/v1/reports/sales/?group_by=seller", None, only(200, "ADMIN", "MANAGER")),
    ("GET", "/api/v1/reports/sales/?format=xlsx&store={report_store}", None, only(200, "ADMIN", "MANAGER")),
]


def make_targets():
    from tests.factories import make_store, store_by_code

    return {"report_store": store_by_code("DLA1").id, "foreign_report_store": make_store("RPT9", "Magasin isolé").id}
