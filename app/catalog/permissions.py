"""What each role may do in the catalog domain: (view regex, permission regex) pairs, merged by app/accounts/roles.py.

Permission sets (shared by each ModelView and its API through class_permission_name):
- Product, Category, Brand: can_read (everyone signed in: the POS searches and shows the
  catalog), can_write / can_delete (ADMIN, MANAGER: prices are a management decision).
- Product also has can_import (Excel import, its template: ADMIN, MANAGER) and can_export
  (Excel exports of products and of stock per store: ADMIN, MANAGER, STOCKER).
- STOCKER reads the catalog and exports it with its stock (to prepare counts and receipts),
  but neither edits products nor imports them: a stock keeper moves goods, not prices.
- Cost prices are shown to the roles that can write the catalog only (API and screens).
"""
CATALOG_MENUS = r"^(catalog|products|categories|brands)$"

ROLE_PERMISSIONS = {
    "MANAGER": [
        (r"^(Product|Category|Brand)$", r"^can_(read|write|delete)$"),
        (r"^Product$", r"^can_(import|export)$"),
        (CATALOG_MENUS, r"^menu_access$"),
        (r"^product_excel$", r"^menu_access$"),
    ],
    "SALES": [
        (r"^(Product|Category|Brand)$", r"^can_read$"),
        (CATALOG_MENUS, r"^menu_access$"),
    ],
    "CASHIER": [
        (r"^(Product|Category|Brand)$", r"^can_read$"),
        (CATALOG_MENUS, r"^menu_access$"),
    ],
    "STOCKER": [
        (r"^(Product|Category|Brand)$", r"^can_read$"),
        (r"^Product$", r"^can_export$"),
        (CATALOG_MENUS, r"^menu_access$"),
        (r"^product_excel$", r"^menu_access$"),
    ],
}
