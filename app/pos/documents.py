"""The PDFs of a sale (A4 invoice, 80 mm ticket) and of a closed shift (Z report), and the
pages that serve them: the PDF routes of the POS views (mixins, under each view's own
permission) and the public /verify/<token> page the invoice's QR code opens.

The figures come from `sales.totals.sale_totals` (the function behind the API's totals)
and from the cashier service's `shift_figures`, so a PDF always says what the API says.
Templates: templates/pdf/invoice.html, ticket.html, zreport.html (a `doc` dict each).
"""
from decimal import Decimal

from flask import Blueprint, current_app, render_template, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..cashier import services as till
from ..cashier.models import BANK_TRANSFER, CARD, CASH, CLOSED, METHOD_LABELS, MOBILE_MONEY
from ..core.errors import InvalidTransition
from ..core.formatting import format_local_datetime, format_percent
from ..core.scoping import acting_user
from ..customers.services import display_phone
from ..documents.pdf import pdf_name, pdf_response, qr_svg, render_pdf, render_pdf_fitted, store_header
from ..documents.verification import make_token, read_token
from ..documents.words import amount_in_words
from ..extensions import db
from ..sales.models import DRAFT, Sale
from ..sales.serialize import user_label
from ..sales.services import get_sale, status_label
from ..sales.totals import sale_totals
from . import queries

SHIFT_METHODS = (CASH, MOBILE_MONEY, BANK_TRANSFER, CARD)


def method_label(method, operator=None):
    label = str(METHOD_LABELS.get(method, method))
    return f"{label} {operator}" if operator else label


def _when(moment, store):
    return format_local_datetime(moment, store.timezone) if moment else ""


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


def invoice_response(sale):
    return pdf_response(render_pdf("pdf/invoice.html", doc=sale_doc(sale)), pdf_name("facture", sale.number))


def ticket_response(sale):
    """80 mm wide, as tall as its content (a roll printer feeds no blank paper)."""
    return pdf_response(render_pdf_fitted("pdf/ticket.html", sale_doc(sale)), pdf_name("ticket", sale.number))


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


def zreport_response(shift):
    return pdf_response(render_pdf("pdf/zreport.html", doc=shift_doc(shift)),
                        pdf_name("rapport-z", f"{shift.store.code}-{shift.id}"))


# --- the pages (session login) --------------------------------------------------------------------

class InvoicePage:
    """<view>/sale/<id>/invoice.pdf on a POS view, with that view's permission."""

    @expose("/sale/<int:sale_id>/invoice.pdf")
    @has_access
    def invoice(self, sale_id):
        return invoice_response(get_sale(acting_user(), sale_id))


class TillDocumentPages(InvoicePage):
    """The till's reprints: the ticket and invoice of a sale, the Z report of a shift the user may see."""

    @expose("/sale/<int:sale_id>/ticket.pdf")
    @has_access
    def ticket(self, sale_id):
        return ticket_response(get_sale(acting_user(), sale_id))

    @expose("/shift/<int:shift_id>/z-report.pdf")
    @has_access
    def zreport(self, shift_id):
        return zreport_response(queries.visible_shift(shift_id))


verify_blueprint = Blueprint("pos_verify", __name__)


@verify_blueprint.get("/verify/<token>")
def verify(token):
    """What the invoice's QR code opens, without login: number, date, total and store; nothing else."""
    found = read_token(token)
    sale = db.session.get(Sale, found[0]) if found else None
    if sale is None or sale.number != found[1]:
        return render_template("pos/verify.html", sale=None, appbuilder=current_app.appbuilder), 404
    response = render_template("pos/verify.html", sale=sale, store=sale.store, currency=sale.store.currency or "XAF",
                               appbuilder=current_app.appbuilder)
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


