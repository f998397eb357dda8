"""The purchase order PDF sent to the supplier (A4, French): templates/purchases/order_pdf.html."""
from flask_babel import lazy_gettext as _l

from ..core.errors import InvalidTransition
from ..core.formatting import format_local_datetime
from ..documents.pdf import render_pdf
from .models import ORDER_STATUS_LABELS


def order_doc(order):
    """The `doc` of the order PDF: a numbered order (sent or later)."""
    if not order.number:
        raise InvalidTransition(_l("Ce brouillon n'a pas encore de numéro : envoyez la commande d'abord."))
    store, supplier = order.store, order.supplier
    return {
        "number": order.number,
        "date": format_local_datetime(order.sent_at or order.created_at, store.timezone),
        "status": order.status,
        "status_label": str(ORDER_STATUS_LABELS.get(order.status, order.status)),
        "store": {"name": store.name, "code": store.code, "address": store.address, "phone": store.phone,
                  "tax_id": store.tax_id, "currency": store.currency},
        "supplier": {"name": supplier.name, "phone": supplier.phone, "email": supplier.email,
                     "tax_id": supplier.tax_id, "address": supplier.address},
        "note": order.note,
        "lines": [{"sku": line.product.sku, "barcode": line.product.barcode, "name": line.product.name,
                   "quantity": line.quantity, "unit_cost": line.unit_cost, "amount": line.amount}
                  for line in order.lines],
        "quantity": sum(line.quantity for line in order.lines),
        "total": order.total,
        "ordered_by": (f"{order.created_by.first_name} {order.created_by.last_name}".strip()
                       if order.created_by else None),
    }


def order_pdf(order):
    return render_pdf("purchases/order_pdf.html", doc=order_doc(order))


def pdf_name(order):
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(order.number))
    return f"bon-de-commande-{safe}.pdf"
