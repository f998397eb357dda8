"""Lookups: the cashier's queue of sales waiting for payment, and the warranty of a sold unit.
"""
from datetime import timedelta

from sqlalchemy import func, select

from ...core.inputs import FieldErrors, read_text
from ...core.models import utcnow
from ...core.scoping import scope_to_stores
from ...extensions import db
from ...stock.models import SerialNumber
from ..models import OPEN_FOR_PAYMENT, PENDING_PAYMENT, Sale, SaleItem, sale_item_serial


def payment_queue(user, store_ids=None, limit=100):
    """Sales waiting for payment in the user's stores (oldest first)."""
    query = scope_to_stores(select(Sale).where(Sale.status.in_(OPEN_FOR_PAYMENT)), Sale.store_id, user)
    if store_ids:
        query = query.where(Sale.store_id.in_(store_ids))
    return db.session.execute(query.order_by(Sale.submitted_at, Sale.id).limit(limit)).scalars().all()


def minutes_waiting_too_long(sale, now=None):
    """How long a sale has waited for payment beyond its store's limit, in whole minutes; 0 when it
    has not (SPEC §9: a sale PENDING_PAYMENT longer than the store's limit). The cashier's queue
    shows it; the check_pending_payments job will raise its alert on the same rule."""
    if sale.status != PENDING_PAYMENT or sale.submitted_at is None:
        return 0
    waited = (now or utcnow()) - sale.submitted_at
    return int(waited / timedelta(minutes=1)) if waited > timedelta(minutes=sale.store.pending_payment_limit_minutes) else 0


def warranty_lookup(user, serial):
    """Who bought the unit with this serial (or IMEI), in which sale, and until when it is under warranty."""
    errors = FieldErrors()
    serial = read_text(serial, "serial", errors, required=True, max_length=64)
    errors.raise_if_any()
    query = (select(SaleItem, Sale, SerialNumber)
             .join(sale_item_serial, sale_item_serial.c.sale_item_id == SaleItem.id)
             .join(SerialNumber, SerialNumber.id == sale_item_serial.c.serial_number_id)
             .join(Sale, Sale.id == SaleItem.sale_id)
             .where(func.upper(SerialNumber.serial) == serial.upper(), Sale.paid_at.isnot(None)))
    query = scope_to_stores(query, Sale.store_id, user)
    results = []
    for item, sale, serial_row in db.session.execute(query.order_by(Sale.paid_at.desc())).all():
        months = item.product.warranty_months or 0
        end = _add_months(sale.paid_at, months) if months else None
        results.append({
            "serial": serial_row.serial, "serial_status": serial_row.status,
            "product": item.product_id, "product_name": item.product.name,
            "sale": sale.id, "sale_number": sale.number, "sale_status": sale.status, "paid_at": sale.paid_at,
            "store": sale.store_id,
            "customer": sale.customer_id, "customer_name": sale.customer.name if sale.customer else None,
            "customer_phone": sale.customer.phone if sale.customer else None,
            "warranty_months": months, "warranty_end": end.date() if end else None,
            "under_warranty": bool(end and end >= utcnow() and serial_row.status == "SOLD"),
        })
    return results


def _add_months(moment, months):
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    import calendar

    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
