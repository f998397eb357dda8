"""The purchase order PDF sent to the supplier (A4, French): templates/purchases/order_pdf.html."""
from flask_babel import lazy_gettext as _l

from ..core.errors import InvalidTransition
from ..core.formatting import format_local_datetime
from ..documents.pdf import pdf_name, pdf_response, render_pdf, store_header
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
        "store": store_header(store),
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


def order_response(order):
    return pdf_response(render_pdf("purchases/order_pdf.html", doc=order_doc(order)),
                        pdf_name("bon-de-commande", order.number))
