"""JSON shapes of sales, payments, refunds and approvals (API answers; amounts as decimal strings).

Related objects are given by id under their relationship name, as in the request payloads
(`"store": 1, "customer": 7`), with a readable label next to them (`store_code`, `customer_name`).
"""
from ..core.api import moment
from ..core.money import money_text
from .services import status_label
from .totals import sale_totals

amount = money_text

def user_label(user):
    if user is None:
        return None
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.email


def sale_summary(sale):
    return {
        "id": sale.id,
        "number": sale.number,
        "status": sale.status,
        "status_label": status_label(sale.status),
        "store": sale.store_id,
        "store_code": sale.store.code if sale.store else None,
        "seller": sale.seller_id,
        "seller_name": user_label(sale.seller),
        "customer": sale.customer_id,
        "customer_name": sale.customer.name if sale.customer else None,
        "discount": amount(sale.discount),
        "subtotal": amount(sale.subtotal),
        "tax_total": amount(sale.tax_total),
        "total": amount(sale.total),
        "amount_paid": amount(sale.amount_paid),
        "amount_refunded": amount(sale.amount_refunded),
        "balance_due": amount(sale.balance_due),
        "stock_reserved": sale.stock_reserved,
        "created_at": moment(sale.created_at),
        "submitted_at": moment(sale.submitted_at),
        "paid_at": moment(sale.paid_at),
    }


def sale_to_dict(sale):
    totals = sale_totals(sale)
    result = sale_summary(sale)
    result.update({
        "note": sale.note,
        "cancelled_at": moment(sale.cancelled_at),
        "cancel_reason": sale.cancel_reason,
        "items": [item_to_dict(item, line) for item, line in zip(sale.items, totals.lines)],
        "taxes": [{"rate": str(row.rate), "ht": amount(row.ht), "tva": amount(row.tva), "ttc": amount(row.ttc)}
                  for row in totals.taxes],
        "total_ht": amount(totals.total_ht),
        "total_tva": amount(totals.total_tva),
        "payments": [payment_to_dict(p) for p in sale.payments],
        "refunds": [refund_to_dict(r) for r in sale.refunds],
        "approvals": [approval_to_dict(a) for a in sale.approvals],
    })
    return result


def item_to_dict(item, line=None):
    return {
        "id": item.id,
        "product": item.product_id,
        "product_name": item.product.name if item.product else None,
        "sku": item.product.sku if item.product else None,
        "quantity": item.quantity,
        "unit_price": amount(item.unit_price),
        "discount": amount(item.discount),
        "tax_rate": str(item.tax_rate),
        "line_total": amount(item.line_total),
        "sale_discount_share": amount(line.sale_discount_share) if line else None,
        "refunded_quantity": item.refunded_quantity,
        "serials": [serial.serial for serial in item.serials],
    }


def payment_to_dict(payment):
    return {
        "id": payment.id,
        "sale": payment.sale_id,
        "store": payment.store_id,
        "shift": payment.shift_id,
        "cashier": payment.cashier_id,
        "method": payment.method,
        "amount": amount(payment.amount),
        "tendered": amount(payment.tendered),
        "change_given": amount(payment.change_given),
        "operator": payment.operator,
        "reference": payment.reference,
        "idempotency_key": payment.idempotency_key,
        "created_at": moment(payment.created_at),
    }


def refund_to_dict(refund):
    return {
        "id": refund.id,
        "sale": refund.sale_id,
        "store": refund.store_id,
        "is_cancellation": refund.is_cancellation,
        "method": refund.method,
        "amount": amount(refund.amount),
        "restock": refund.restock,
        "reason": refund.reason,
        "reference": refund.reference,
        "shift": refund.shift_id,
        "approved_by": refund.approved_by_id,
        "created_at": moment(refund.created_at),
        "lines": [{"id": line.id, "sale_item": line.sale_item_id, "quantity": line.quantity,
                   "amount": amount(line.amount), "restock": line.restock,
                   "serials": [s.serial for s in line.serials]} for line in refund.lines],
    }


def approval_to_dict(approval):
    return {
        "id": approval.id,
        "store": approval.store_id,
        "sale": approval.sale_id,
        "sale_number": approval.sale.number if approval.sale else None,
        "kind": approval.kind,
        "status": approval.status,
        "details": approval.details,
        "reason": approval.reason,
        "requested_by": approval.requested_by_id,
        "requested_by_name": user_label(approval.requested_by),
        "requested_at": moment(approval.requested_at),
        "decided_by": approval.decided_by_id,
        "decided_by_name": user_label(approval.decided_by),
        "decided_at": moment(approval.decided_at),
    }
