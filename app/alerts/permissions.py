"""Who sees alerts: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

MANAGER sees, acknowledges and resolves every alert of their stores; STOCKER the stock alerts
of theirs (the type filter is in services.visible_alerts).
"""
_ALERTS = [
    (r"^Alert$", r"^can_(read|acknowledge|resolve)$"),
    (r"^AlertView$", r"^can_(list|count|acknowledge)$"),
]
ROLE_PERMISSIONS = {"MANAGER": _ALERTS, "SALES": [], "CASHIER": [], "STOCKER": _ALERTS}
