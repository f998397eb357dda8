"""Who may use the POS pages and print the documents: (view regex, permission regex) pairs,
merged by app/accounts/roles.py.

- `can_sell on Pos`: the seller's page /pos/ (SALES, MANAGER).
- `can_cash on Till`: the cashier's page /cashier/ (CASHIER, MANAGER).
- `can_read on SaleDocument`: the invoice and ticket PDFs of a sale of one's stores through the
  API (GET /api/v1/sales/{id}/invoice.pdf, ticket.pdf) (SALES, CASHIER, MANAGER); the pages'
  PDF routes (/pos/sale/{id}/invoice.pdf, /cashier/...) ask their page's permission.
STOCKER has none of them: the pages answer 403 with a French page.
"""
MENUS = r"^(pos_seller|pos_cashier)$"

ROLE_PERMISSIONS = {
    "MANAGER": [
        (r"^Pos$", r"^can_sell$"),
        (r"^Till$", r"^can_cash$"),
        (r"^SaleDocument$", r"^can_read$"),
        (MENUS, r"^menu_access$"),
    ],
    "SALES": [
        (r"^Pos$", r"^can_sell$"),
        (r"^SaleDocument$", r"^can_read$"),
        (r"^pos_seller$", r"^menu_access$"),
    ],
    "CASHIER": [
        (r"^Till$", r"^can_cash$"),
        (r"^SaleDocument$", r"^can_read$"),
        (r"^pos_cashier$", r"^menu_access$"),
    ],
    "STOCKER": [],
}
