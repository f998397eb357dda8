"""What each role may do with customers: (view regex, permission regex) pairs, merged by app/accounts/roles.py."""
MENUS = (r"^(sales|customers)$", r"^menu_access$")

ROLE_PERMISSIONS = {
    "MANAGER": [(r"^Customer$", r"^can_(read|write|delete)$"), MENUS],
    "SALES": [(r"^Customer$", r"^can_(read|write)$"), MENUS],
    "CASHIER": [(r"^Customer$", r"^can_read$"), MENUS],
    "STOCKER": [],
}
