"""The five roles and what each may do, as (view regex, permission regex) pairs.

`flask init-security` gives each role every permission-on-view that one of its pairs
matches (ADMIN gets them all). Patterns are anchored: FAB names views by prefix.
Each domain keeps its pairs in app/<domain>/permissions.py; this module merges them.
"""
from ..catalog.permissions import ROLE_PERMISSIONS as CATALOG_PERMISSIONS
from ..stock.permissions import ROLE_PERMISSIONS as STOCK_PERMISSIONS
from ..customers.permissions import ROLE_PERMISSIONS as CUSTOMER_PERMISSIONS
from ..sales.permissions import ROLE_PERMISSIONS as SALES_PERMISSIONS
from ..cashier.permissions import ROLE_PERMISSIONS as CASHIER_PERMISSIONS
from ..pos.permissions import ROLE_PERMISSIONS as POS_PERMISSIONS
from ..alerts.permissions import ROLE_PERMISSIONS as ALERT_PERMISSIONS
from ..credits.permissions import ROLE_PERMISSIONS as CREDIT_PERMISSIONS
from ..purchases.permissions import ROLE_PERMISSIONS as PURCHASE_PERMISSIONS
from ..reports.permissions import ROLE_PERMISSIONS as REPORT_PERMISSIONS

ADMIN, MANAGER, SALES, CASHIER, STOCKER = "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"
ROLES = [ADMIN, MANAGER, SALES, CASHIER, STOCKER]

# Everybody who can log in may see the home page, edit their profile and password.
SELF_SERVICE = [
    (r"^(ResetMyPasswordView|UserInfoEditView)$", r"^can_this_form_(get|post)$"),
    (r"^UserDBModelView$", r"^(can_userinfo|resetmypassword|userinfoedit)$"),
    (r"^MenuApi$", r"^can_get$"),
    (r"^Store$", r"^can_read$"),
    (r"^(organisation|stores)$", r"^menu_access$"),
]

FOUNDATION = {
    MANAGER: SELF_SERVICE + [
        (r"^(StoreUser|AuditLog)$", r"^can_read$"),
        (r"^(store_users|audit)$", r"^menu_access$"),
        (r"^(OpenApi|SwaggerView)$", r"^can_(get|show)$"),
    ],
    SALES: SELF_SERVICE,
    CASHIER: SELF_SERVICE,
    STOCKER: SELF_SERVICE,
}


def _merge(*domains):
    merged = {role: [] for role in ROLES if role != ADMIN}
    for domain in domains:
        for role, pairs in domain.items():
            merged[role].extend(pairs)
    return merged


# One line per domain: each keeps its own table in app/<domain>/permissions.py.
ROLE_PERMISSIONS = _merge(
    FOUNDATION,
    CATALOG_PERMISSIONS,
    STOCK_PERMISSIONS,
    CUSTOMER_PERMISSIONS,
    SALES_PERMISSIONS,
    CASHIER_PERMISSIONS,
    POS_PERMISSIONS,
    ALERT_PERMISSIONS,
    CREDIT_PERMISSIONS,
    PURCHASE_PERMISSIONS,
    REPORT_PERMISSIONS,
)
