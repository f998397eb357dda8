"""Sales, seller -> cashier: drafts, submit, approvals, cancel, refunds, totals."""
