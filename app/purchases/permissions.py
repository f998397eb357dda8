"""What each role may do in the purchases domain: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

Permission sets (shared by each screen and its API through class_permission_name):
Supplier (can_read, can_write, can_delete), PurchaseOrder (can_read; can_write = create, edit,
send, cancel, "Commander ce qui manque", Excel import of lines), GoodsReceipt (can_read,
can_write = record a receipt).
- MANAGER buys: every permission.
- STOCKER receives: reads suppliers and orders (what is due), records receipts; never writes,
  sends or cancels an order.
- SALES and CASHIER see neither orders nor costs.
"""
PURCHASE_MENUS = r"^(purchases|suppliers|purchase_orders|goods_receipts)$"

ROLE_PERMISSIONS = {
    "MANAGER": [
        (r"^Supplier$", r"^can_(read|write|delete)$"),
        (r"^(PurchaseOrder|GoodsReceipt)$", r"^can_(read|write)$"),
        (PURCHASE_MENUS, r"^menu_access$"),
    ],
    "STOCKER": [
        (r"^(Supplier|PurchaseOrder)$", r"^can_read$"),
        (r"^GoodsReceipt$", r"^can_(read|write)$"),
        (PURCHASE_MENUS, r"^menu_access$"),
    ],
}
