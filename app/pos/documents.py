"""The PDFs of a sale (A4 invoice, 80 mm ticket) and of a closed shift (Z report).

The figures come from `sales.totals.sale_totals` (the function behind the API's totals)
and from the cashier service's `shift_figures`, so a PDF always says what the API says.
Templates: templates/pdf/invoice.html, ticket.html, zreport.html (a `doc` dict each).
"""
import os
from decimal import Decimal

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from ..cashier import services as till
from ..cashier.models import BANK_TRANSFER, CARD, CASH, CLOSED, METHOD_LABELS, MOBILE_MONEY
from ..core.errors import InvalidTransition
from ..core.formatting import format_local_datetime, format_percent
from ..customers.services import display_phone
from ..documents.pdf import qr_svg, render_pdf, render_pdf_fitted
from ..documents.verification import make_token
from ..documents.words import amount_in_words
from ..sales.models import DRAFT
from ..sales.serialize import user_label
from ..sales.services import status_label
from ..sales.totals import sale_totals

SHIFT_METHODS = (CASH, MOBILE_MONEY, BANK_TRANSFER, CARD)


def method_label(method, operator=None):
    label = str(METHOD_LABELS.get(method, method))
    return f"{label} {operator}" if operator else label


def _when(moment, store):
    return format_local_datetime(moment, store.timezone) if moment else ""


def logo_url(store):
    """The store's logo as a /static/ URL, when it names a file of the app's static folder."""
    path = (store.logo or "").strip().lstrip("/")
    if path.startswith("static/"):
        path = path[len("static/"):]
    if not path or ".." in path.split("/"):
        return None
    if not os.path.isfile(os.path.join(current_app.static_folder, path)):
        return None
    return url_for("static", filename=path)


def store_header(store):
    return {"name": store.name, "code": store.code, "address": store.address, "phone": store.phone,
            "tax_id": store.tax_id, "invoice_footer": store.invoice_footer, "logo_url": logo_url(store)}


def verification_url(sale):
    """The public page the invoice's QR code points to (a signed token: number and sale), on
    PUBLIC_BASE_URL when set: a till on the shop's network prints from an address customers cannot open."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    path = url_for("pos_verify.verify", token=make_token(sale.id, sale.number), _external=base is None)
    return base + path if base else path


def require_number(sale):
    if sale.status == DRAFT or not sale.number:
        raise InvalidTransition(_l("Ce brouillon n'a pas encore de facture : transmettez-le d'abord à la caisse."))


def sale_doc(sale):
    """The `doc` of templates/pdf/invoice.html and ticket.html for a numbered sale."""
    require_number(sale)
    store = sale.store
    currency = store.currency or "XAF"
    totals = sale_totals(sale)
    lines = [{
        "description": item.product.name, "sku": item.product.sku, "serials": [s.serial for s in item.serials],
        "quantity": item.quantity, "unit_price": item.unit_price, "discount": item.discount,
        "total": line.line_total,
    } for item, line in zip(sale.items, totals.lines)]
    payments = [{
        "method": method_label(p.method, p.operator), "date": _when(p.created_at, store), "reference": p.reference,
        "amount": p.amount, "tendered": p.tendered, "change_given": p.change_given,
        "cashier": user_label(p.cashier),
    } for p in sale.payments]
    customer = None
    if sale.customer is not None:
        customer = {"name": sale.customer.name, "phone": display_phone(sale.customer.phone),
                    "email": sale.customer.email, "tax_id": sale.customer.tax_id}
    cashiers = [p["cashier"] for p in payments if p["cashier"]]
    return {
        "number": sale.number, "date": _when(sale.submitted_at or sale.created_at, store),
        "seller": user_label(sale.seller), "cashier": cashiers[-1] if cashiers else None,
        "status_label": status_label(sale.status), "status": sale.status, "currency": currency,
        "store": store_header(store), "customer": customer, "lines": lines,
        "discount": totals.sale_discount,
        "taxes": [{"rate_label": format_percent(row.rate), "base": row.ht, "tax": row.tva, "total": row.ttc}
                  for row in totals.taxes],
        "total_ht": totals.total_ht, "total_tva": totals.total_tva, "total_ttc": totals.total,
        "payments": payments, "amount_paid": sale.amount_paid, "amount_refunded": sale.amount_refunded,
        "balance_due": sale.balance_due, "amount_words": amount_in_words(totals.total, currency),
        "qr_svg": qr_svg(verification_url(sale)),
        "page_height_mm": 200,
    }


def invoice_pdf(sale):
    return render_pdf("pdf/invoice.html", doc=sale_doc(sale))


def ticket_pdf(sale):
    """80 mm wide, as tall as its content (a roll printer feeds no blank paper)."""
    doc = sale_doc(sale)
    return render_pdf_fitted("pdf/ticket.html", doc)


def shift_doc(shift):
    """The `doc` of templates/pdf/zreport.html for a closed shift."""
    if shift.status != CLOSED:
        raise InvalidTransition(_l("Le rapport Z s'imprime après la clôture de la caisse."))
    figures = till.shift_figures(shift)
    store = shift.store
    methods = []
    for method in SHIFT_METHODS:
        key = method.lower()
        entry = figures.by_method.get(method, {})
        methods.append({
            "label": method_label(method), "count": entry.get("count", 0),
            "received": entry.get("received", Decimal("0")), "refunds": entry.get("refunds", Decimal("0")),
            "expected": getattr(shift, f"expected_{key}"), "counted": getattr(shift, f"counted_{key}"),
            "variance": shift.variance_of(key),
        })
    return {
        "title": f"{store.code} #{shift.id}", "shift_id": shift.id, "currency": store.currency or "XAF",
        "store": store_header(store), "cashier": user_label(shift.cashier),
        "opened_at": _when(shift.opened_at, store), "closed_at": _when(shift.closed_at, store),
        "opening_float": shift.opening_float, "cash_in": shift.cash_in, "change_given": shift.change_given,
        "cash_refunds": shift.cash_refunds, "cash_payouts": shift.cash_payouts,
        "expected_cash": shift.expected_cash, "counted_cash": shift.counted_cash, "variance": shift.variance,
        "methods": methods, "payments_count": figures.payments_count, "note": shift.note,
        "payments": [{
            "time": format_local_datetime(p.created_at, store.timezone, "HH:mm"), "sale": p.sale.number,
            "method": method_label(p.method, p.operator), "reference": p.reference, "amount": p.amount,
            "tendered": p.tendered, "change_given": p.change_given,
        } for p in shift.payments],
        "payouts": [{"time": format_local_datetime(p.created_at, store.timezone, "HH:mm"), "reason": p.reason,
                     "amount": p.amount} for p in shift.payouts],
    }


def zreport_pdf(shift):
    return render_pdf("pdf/zreport.html", doc=shift_doc(shift))


def pdf_name(kind, number):
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(number))
    return f"{kind}-{safe}.pdf"
