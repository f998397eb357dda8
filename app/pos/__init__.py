"""The seller's POS (/pos/), the cashier's till (/cashier/) and the documents they print.

Views are thin: parse the form -> call the sales / cashier / customers / catalog services
(the same functions as the REST API) -> render an HTML fragment (HTMX). Nothing here
decides a business rule; `documents.py` builds the PDFs' context from `sales.totals`.
"""
