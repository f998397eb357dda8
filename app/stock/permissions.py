"""What each role may do in the stock domain: (view regex, permission regex) pairs, merged by app/accounts/roles.py."""
ROLE_PERMISSIONS = {
    "MANAGER": [],
    "SALES": [],
    "CASHIER": [],
    "STOCKER": [],
}
