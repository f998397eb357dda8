"""What each role may do with customer credit: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

MANAGER opens accounts and changes limits (and reads everything of their stores); CASHIER reads
the accounts of their stores and takes repayments; SALES reads them (the available credit on the
POS); STOCKER nothing.
"""
MENUS = (r"^(credit|credit_accounts)$", r"^menu_access$")

ROLE_PERMISSIONS = {
    "MANAGER": [(r"^CreditAccount$", r"^can_(read|write)$"), MENUS],
    "SALES": [(r"^CreditAccount$", r"^can_read$")],
    "CASHIER": [(r"^CreditAccount$", r"^can_(read|repay)$"), MENUS],
    "STOCKER": [],
}
