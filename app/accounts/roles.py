"""The five roles and what each may do, as (view regex, permission regex) pairs.

`flask init-security` gives each role every permission-on-view that one of its pairs
matches (ADMIN gets them all). Patterns are anchored: FAB names views by prefix.
Later domains add their lines here: this table is the RBAC contract.
"""
ADMIN, MANAGER, SALES, CASHIER, STOCKER = "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"
ROLES = [ADMIN, MANAGER, SALES, CASHIER, STOCKER]

# Everybody who can log in may see the home page, edit their profile and password.
SELF_SERVICE = [
    (r"^(ResetMyPasswordView|UserInfoEditView)$", r"^can_this_form_(get|post)$"),
    (r"^UserDBModelView$", r"^(can_userinfo|resetmypassword|userinfoedit)$"),
    (r"^MenuApi$", r"^can_get$"),
    (r"^Store$", r"^can_read$"),
    (r"^(admin|stores)$", r"^menu_access$"),
]

ROLE_PERMISSIONS = {
    MANAGER: SELF_SERVICE + [
        (r"^(StoreUser|AuditLog)$", r"^can_read$"),
        (r"^(store_users|audit)$", r"^menu_access$"),
        (r"^(OpenApi|SwaggerView)$", r"^can_(get|show)$"),
    ],
    SALES: SELF_SERVICE,
    CASHIER: SELF_SERVICE,
    STOCKER: SELF_SERVICE,
}
