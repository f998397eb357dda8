"""What each role may do in the stock domain: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

Permission sets (shared by each screen and its API through class_permission_name):
ProductStock (stock levels: can_read), InventoryMovement (the ledger: can_read, can_write =
post an adjustment), Transfer (can_read, can_write = create, edit, send, receive, cancel),
StockCount (can_read, can_write = open, enter counts, cancel; can_validate = managers).
"""
STOCK_MENUS = (r"^(stock|stock_levels|stock_movements|stock_serials|transfers|stock_counts)$", r"^menu_access$")
STOCK_WORK = (r"^(ProductStock|InventoryMovement|Transfer|StockCount)$", r"^can_(read|write)$")
READ_STOCK = [
    (r"^ProductStock$", r"^can_read$"),
    (r"^(stock|stock_levels)$", r"^menu_access$"),
]

ROLE_PERMISSIONS = {
    # supervises: does what a stock keeper does, and validates counts
    "MANAGER": [STOCK_WORK, (r"^StockCount$", r"^can_validate$"), STOCK_MENUS],
    # sellers and cashiers look at stock levels, nothing more
    "SALES": READ_STOCK,
    "CASHIER": READ_STOCK,
    # movements, transfers, counts (not their validation)
    "STOCKER": [STOCK_WORK, STOCK_MENUS],
}
