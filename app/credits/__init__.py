"""Customer credit (SPEC §6): accounts, an append-only ledger, installments, repayments, statements."""
