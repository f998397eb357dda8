"""The RBAC contract: every API endpoint x every role -> the expected status.

Each domain keeps its rows in tests/<domain>/rbac.py (ROWS + make_targets), merged
here; `test_every_api_endpoint_is_in_the_matrix` fails when an endpoint exists that
the table does not cover.
"""
import re

import pytest

from app.extensions import security_manager
from tests.catalog import rbac as catalog_rbac
from tests.conftest import DEMO, get_tokens
from tests.stock import rbac as stock_rbac
from tests.customers import rbac as customers_rbac
from tests.sales import rbac as sales_rbac
from tests.cashier import rbac as cashier_rbac
from tests.pos import rbac as pos_rbac
from tests.alerts import rbac as alerts_rbac
from tests.credits import rbac as credits_rbac
from tests.purchases import rbac as purchases_rbac
from tests.reports import rbac as reports_rbac
from tests.factories import make_store, make_user, store_by_code
from tests.roles import ROLES, everyone, only


def public(code):
    return {role: code for role in ROLES}


FOUNDATION_ROWS = [
    # auth: public endpoints (bad credentials answer 401 whoever asks)
    ("POST", "/api/v1/auth/token/", lambda t: {"email": "nobody@x.cm", "password": "x"}, public(401)),
    ("POST", "/api/v1/auth/token/refresh/", lambda t: {"refresh": "invalid"}, public(401)),
    ("POST", "/api/v1/auth/logout/", None, everyone(200)),
    # stores
    ("GET", "/api/v1/stores/", None, everyone(200)),
    ("GET", "/api/v1/stores/_info", None, everyone(200)),
    ("GET", "/api/v1/stores/{store}", None, everyone(200)),
    ("POST", "/api/v1/stores/", lambda t: {"code": "NEW1", "name": "Nouveau magasin"}, only(201, "ADMIN")),
    ("PUT", "/api/v1/stores/{store}", lambda t: {"name": "Douala Akwa (rénové)"}, only(200, "ADMIN")),
    ("DELETE", "/api/v1/stores/{spare_store}", None, only(200, "ADMIN")),
    ("POST", "/api/v1/stores/{store}/assign-users/", lambda t: {"user_ids": [t["spare_user"]]}, only(200, "ADMIN")),
    # users
    ("GET", "/api/v1/users/", None, only(200, "ADMIN")),
    ("GET", "/api/v1/users/_info", None, only(200, "ADMIN")),
    ("GET", "/api/v1/users/{spare_user}", None, only(200, "ADMIN")),
    ("POST", "/api/v1/users/", lambda t: {
        "email": "nouveau@boutique.cm", "first_name": "Nadia", "last_name": "Owona", "active": True,
        "roles": [t["sales_role"]], "password": "motdepasse123!"}, only(201, "ADMIN")),
    ("PUT", "/api/v1/users/{spare_user}", lambda t: {"first_name": "Renommé"}, only(200, "ADMIN")),
    ("DELETE", "/api/v1/users/{spare_user}", None, only(200, "ADMIN")),
    # documentation and menu
    ("GET", "/api/v1/_openapi", None, only(200, "ADMIN", "MANAGER")),
    ("GET", "/api/v1/menu/", None, everyone(200)),
]


def make_foundation_targets():
    spare = make_store("SPR1", "Magasin de réserve")
    user = make_user("temporaire@boutique.cm", "temp123!", "SALES")
    return {
        "store": store_by_code("DLA1").id,
        "other_store": store_by_code("YDE1").id,
        "spare_store": spare.id,
        "spare_user": user.id,
        "sales_role": security_manager().find_role("SALES").id,
    }


DOMAINS = [(FOUNDATION_ROWS, make_foundation_targets), (catalog_rbac.ROWS, catalog_rbac.make_targets),
           (stock_rbac.ROWS, stock_rbac.make_targets),
           (customers_rbac.ROWS, customers_rbac.make_targets),
           (sales_rbac.ROWS, sales_rbac.make_targets),
           (cashier_rbac.ROWS, cashier_rbac.make_targets),
           (pos_rbac.ROWS, pos_rbac.make_targets),
           (alerts_rbac.ROWS, alerts_rbac.make_targets),
           (credits_rbac.ROWS, credits_rbac.make_targets),
           (purchases_rbac.ROWS, purchases_rbac.make_targets),
           (reports_rbac.ROWS, reports_rbac.make_targets)]
MATRIX = [row for rows, _ in DOMAINS for row in rows]
# Each row only needs the records of its own domain (and the stores): building every domain's
# records for each of the ~840 cases was most of the suite's time.
CASES = [(*row, make_targets) for rows, make_targets in DOMAINS for row in rows]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,body,expected,make_targets", CASES, ids=[f"{m} {p}" for m, p, *_ in CASES])
def test_rbac(app, client, role, method, path, body, expected, make_targets):
    with app.app_context():
        targets = make_foundation_targets()
        if make_targets is not make_foundation_targets:
            targets.update(make_targets())
    headers = {}
    if role != "ANON":
        email, password = DEMO[role]
        headers["Authorization"] = "Bearer " + get_tokens(client, email, password)["access"]
    response = client.open(path.format(**targets), method=method, headers=headers,
                           json=body(targets) if body else None)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert response.is_json and response.get_json()["message"]


def _normalise(rule):
    rule = rule.split("?")[0]  # a row may carry a query string (?store={store})
    return re.sub(r"<(?:\w+:)?\w+>|\{\w+\}", "{id}", rule)


def test_every_api_endpoint_is_in_the_matrix(app):
    covered = {(method, _normalise(path)) for method, path, *_ in MATRIX}
    existing = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            existing.add((method, _normalise(rule.rule.replace("<version>", "v1"))))
    assert existing - covered == set(), "endpoints missing from the RBAC matrix"
    assert covered - existing == set(), "matrix rows for endpoints that do not exist"
