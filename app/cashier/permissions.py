"""What each role may do at the till: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

CASHIER opens and closes their own shift and takes payments; MANAGER sees every shift and
its variance, and the history per cashier.
"""
ROLE_PERMISSIONS = {
    "MANAGER": [
        (r"^(CashShift|Payment)$", r"^can_read$"),
        (r"^ShiftVarianceView$", r"^can_show$"),
        (r"^(cashier|shifts|payments|shift_variances)$", r"^menu_access$"),
    ],
    "SALES": [],
    "CASHIER": [
        (r"^CashShift$", r"^can_(read|open|close|payout)$"),
        (r"^Payment$", r"^can_(read|write)$"),
        (r"^(cashier|shifts|payments)$", r"^menu_access$"),
    ],
    "STOCKER": [],
}
