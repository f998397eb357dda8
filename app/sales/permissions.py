"""What each role may do with sales, approvals and refunds: (view regex, permission regex) pairs.

SALES creates, edits (own drafts), submits, and asks a manager on the spot; MANAGER approves,
cancels and refunds; CASHIER sees the queue of sales waiting for payment.
"""
ROLE_PERMISSIONS = {
    "MANAGER": [
        (r"^Sale$", r"^can_(read|cancel|refund|approve|queue)$"),
        (r"^Approval$", r"^can_(read|approve)$"),
        (r"^Refund$", r"^can_read$"),
        (r"^(sales|sale_list|approvals|refunds|warranty)$", r"^menu_access$"),
        (r"^WarrantyView$", r"^can_lookup$"),
    ],
    "SALES": [
        (r"^Sale$", r"^can_(read|write|delete|submit|approve)$"),
        (r"^Approval$", r"^can_read$"),
        (r"^(sales|sale_list|approvals|warranty)$", r"^menu_access$"),
        (r"^WarrantyView$", r"^can_lookup$"),
    ],
    "CASHIER": [
        (r"^Sale$", r"^can_(read|queue)$"),
        (r"^Refund$", r"^can_read$"),
        (r"^(sales|sale_list|refunds|warranty)$", r"^menu_access$"),
        (r"^WarrantyView$", r"^can_lookup$"),
    ],
    "STOCKER": [],
}
