"""The roles of the RBAC tables (SPEC §2) and the helpers that write their expected answers."""
ROLES = ["ANON", "ADMIN", "MANAGER", "SALES", "CASHIER", "STOCKER"]


def only(code, *roles, others=403):
    """`code` for the named roles, `others` for the remaining signed-in roles, 401 anonymous."""
    return {role: (401 if role == "ANON" else code if role in roles else others) for role in ROLES}


def everyone(code):
    return only(code, *ROLES[1:])
