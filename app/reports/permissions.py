"""Who reads the reports: MANAGER (their stores) and ADMIN (every store); sellers, cashiers and
stock keepers have no reports (SPEC §2)."""
_REPORTS = [
    (r"^Report$", r"^can_read$"),
    (r"^ReportsView$", r"^can_(dashboard|sales)$"),
    (r"^(reports|report_dashboard|report_sales)$", r"^menu_access$"),
]
ROLE_PERMISSIONS = {"MANAGER": _REPORTS, "SALES": [], "CASHIER": [], "STOCKER": []}
