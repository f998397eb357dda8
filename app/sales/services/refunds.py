"""Cancellation and refunds, by a manager: what was paid goes back, goods come back to stock.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core.errors import Conflict, InvalidTransition, ValidationFailed
from ...core.inputs import FieldErrors, read_bool, read_id, read_quantity, read_text
from ...core.models import utcnow
from ...core.money import money_text
from ...extensions import db
from ...stock import services as stock
from ...stock.services import Reference
from ..models import CANCELLED, PAID, REFUND_METHODS, REFUNDED, Refund, RefundLine, refund_line_serial
from ..totals import refund_value
from .approvals import _record_manager_decision
from .base import _audit, _sale_state, ensure_transition, get_sale, require_manager, status_label
from .payments import release_reservation

# Gives the credit part of a refund or cancellation back to the customer's account first and
# returns how much it took: credit_back(user, sale, amount, is_cancellation) -> Decimal. Wired
# by app/__init__.py to credits.services.credit_back (sales never imports credits).
credit_back = None


def cancel_sale(user, sale_id, reason, method="CASH", till=None, reference=None):
    """A manager cancels a sale not yet fully paid; what was paid goes back; the number is kept.

    `till(store_id)`, given by the caller (cashier.services.refund_till), returns the open shift,
    locked, that cash goes back from: sales knows no till."""
    errors = FieldErrors()
    reason = read_text(reason, "reason", errors, required=True, max_length=1000)
    errors.raise_if_any()
    sale = get_sale(user, sale_id, lock=True)
    require_manager(user, sale.store_id)
    ensure_transition(sale, CANCELLED)
    before = _sale_state(sale)
    release_reservation(sale)
    refund = None
    paid_back = sale.amount_paid - sale.amount_refunded
    if paid_back > 0:
        refund = _pay_back(user, sale, paid_back, method, till, reference, reason, is_cancellation=True)
        sale.amount_refunded += paid_back
    sale.status = CANCELLED
    sale.cancelled_at = utcnow()
    sale.cancelled_by_id = user.id
    sale.cancel_reason = reason
    _record_manager_decision(user, sale, "CANCELLATION", {"reason": reason, "refunded": money_text(paid_back)})
    db.session.flush()
    _audit("sale.cancel", sale, user, before=before,
           after={**_sale_state(sale), "reason": reason, "refund": refund.id if refund else None})
    db.session.commit()
    return sale, refund


def refund_sale(user, sale_id, items, restock=True, method="CASH", till=None, reference=None, reason=None):
    """A manager refunds chosen items of a PAID sale (partial allowed). Restocked items come back
    with RETURN movements, defective ones do not; the money goes back (cash out of the open shift
    `till(store_id)` returns, as in cancel_sale). Everything refunded -> REFUNDED."""
    errors = FieldErrors()
    restock = read_bool(restock, "restock", errors, default=True)
    reason = read_text(reason, "reason", errors, max_length=1000)
    errors.raise_if_any()
    sale = get_sale(user, sale_id, lock=True, with_items=True)
    require_manager(user, sale.store_id)
    if sale.status != PAID:
        raise InvalidTransition(_l("Seule une vente payée se rembourse : cette vente est « %(status)s ».",
                                   status=status_label(sale.status)))
    lines = _read_refund_lines(sale, items, restock, errors)
    errors.raise_if_any()
    before = _sale_state(sale)
    all_back = all(item.refunded_quantity + lines.get(item.id, {}).get("quantity", 0) == item.quantity
                   for item in sale.items)
    still_paid = sale.amount_paid - sale.amount_refunded
    amount = still_paid if all_back else min(refund_value(sale, {
        item: lines[item.id]["quantity"] for item in sale.items if item.id in lines}), still_paid)
    if amount <= 0:
        raise Conflict(_l("Il n'y a rien à rembourser."))
    refund = _pay_back(user, sale, amount, method, till, reference, reason, restock=restock)
    # Amount per line (for the documents): their value, the last line taking the rounding.
    values = []
    for item in sale.items:
        if item.id in lines:
            values.append((item, lines[item.id], refund_value(sale, {item: lines[item.id]["quantity"]})))
    running = Decimal("0")
    for index, (item, line, value) in enumerate(values):
        value = amount - running if index == len(values) - 1 else min(value, amount - running)
        running += value
        refund.lines.append(RefundLine(sale_item_id=item.id, quantity=line["quantity"], amount=value,
                                       restock=line["restock"], serials=line["serials"]))
        item.refunded_quantity += line["quantity"]
    db.session.flush()
    back_in_stock, back_serials = {}, {}
    for item, line, _ in values:
        if line["restock"]:  # RETURN movement; the stock service puts the serials back on the shelf
            back_in_stock[item.product_id] = back_in_stock.get(item.product_id, 0) + line["quantity"]
            back_serials.setdefault(item.product_id, []).extend(s.serial for s in line["serials"])
        else:  # defective: not back in stock; its serials are marked so
            stock.change_serials(sale.store_id, item.product_id, [s.serial for s in line["serials"]],
                                 "SOLD", "DEFECTIVE")
    if back_in_stock:
        stock.move_many(sale.store_id, back_in_stock, "RETURN", user_id=user.id,
                        serials={pid: serials for pid, serials in back_serials.items() if serials},
                        reference=Reference("Refund", refund.id, sale.number),
                        note=str(_l("Remboursement de %(sale)s", sale=str(sale))))
    sale.amount_refunded += amount
    if all_back:
        ensure_transition(sale, REFUNDED)
        sale.status = REFUNDED
    _record_manager_decision(user, sale, "REFUND", {
        "refund": refund.id, "amount": money_text(amount),
        "items": [{"sale_item": item.id, "quantity": line["quantity"], "restock": line["restock"]}
                  for item, line, _ in values]})
    _audit("sale.refund", sale, user, before=before, after={**_sale_state(sale), "refund": refund.id,
                                                      "amount": money_text(amount), "method": refund.method})
    db.session.commit()
    return sale, refund


def _read_refund_lines(sale, items, restock, errors):
    if not isinstance(items, list) or not items:
        errors.add("items", _l("Choisissez au moins un article à rembourser."))
        return {}
    by_id = {item.id: item for item in sale.items}
    lines = {}
    for index, raw in enumerate(items):
        field = f"items[{index}]"
        if not isinstance(raw, dict):
            errors.add(field, _l("Article invalide."))
            continue
        item_id = read_id(raw.get("sale_item"), f"{field}.sale_item", errors)
        quantity = read_quantity(raw.get("quantity"), f"{field}.quantity", errors)
        line_restock = read_bool(raw.get("restock"), f"{field}.restock", errors, default=restock)
        if item_id is None or quantity is None:
            continue
        item = by_id.get(item_id)
        if item is None:
            errors.add(f"{field}.sale_item", _l("Cet article n'appartient pas à la vente."))
            continue
        if item_id in lines:
            errors.add(f"{field}.sale_item", _l("Article en double."))
            continue
        left = item.quantity - item.refunded_quantity
        if quantity > left:
            errors.add(f"{field}.quantity", _l("Au plus %(left)s à rembourser sur cet article.", left=left))
            continue
        serials = _refund_serials(item, quantity, raw.get("serials"), f"{field}.serials", errors)
        lines[item_id] = {"quantity": quantity, "restock": line_restock, "serials": serials}
    return lines


def _refund_serials(item, quantity, raw, field, errors):
    if not item.product.track_serial or not item.serials:
        return []
    returned = set(db.session.execute(
        select(refund_line_serial.c.serial_number_id)
        .join(RefundLine, RefundLine.id == refund_line_serial.c.refund_line_id)
        .where(RefundLine.sale_item_id == item.id)).scalars())
    still_sold = [s for s in item.serials if s.id not in returned]
    if raw in (None, []):
        if len(still_sold) == quantity:
            return still_sold
        errors.add(field, _l("Indiquez les numéros de série rendus."))
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        errors.add(field, _l("Liste de numéros de série attendue."))
        return []
    chosen = [s for s in still_sold if s.serial in {r.strip() for r in raw}]
    if len(chosen) != quantity or len(set(raw)) != len(raw):
        errors.add(field, _l("Un numéro de série rendu par unité, parmi ceux de cette vente."))
        return []
    return chosen


def _pay_back(user, sale, amount, method, till, reference, reason, restock=True, is_cancellation=False):
    errors = FieldErrors()
    method = read_text(method, "method", errors) or "CASH"
    reference = read_text(reference, "reference", errors, max_length=64)
    if method not in REFUND_METHODS:
        errors.add("method", _l("Mode de remboursement inconnu."))
    errors.raise_if_any()
    # The credit part goes back to the account first (its own CREDIT refund), money for the rest.
    credited = credit_back(user, sale, amount, is_cancellation) if credit_back else Decimal("0")
    refunds = []
    if credited > 0:
        refunds.append(Refund(sale_id=sale.id, store_id=sale.store_id, is_cancellation=is_cancellation,
                              method="CREDIT", amount=credited, restock=restock, reason=reason,
                              approved_by_id=user.id))
    rest = amount - credited
    if rest > 0:
        if method == "CREDIT":
            raise ValidationFailed(errors={"method": [_l("Seule la part payée à crédit retourne sur le compte du client.")]})
        if method == "CASH" and till is None:
            raise Conflict(_l("Aucune caisse ouverte dans ce magasin : ouvrez une caisse pour rembourser en espèces."))
        cash_shift = till(sale.store_id) if method == "CASH" else None
        refunds.append(Refund(sale_id=sale.id, store_id=sale.store_id, is_cancellation=is_cancellation,
                              method=method, amount=rest, restock=restock, reason=reason, reference=reference,
                              shift_id=cash_shift.id if cash_shift else None, approved_by_id=user.id))
    db.session.add_all(refunds)
    db.session.flush()
    return refunds[-1]  # the money part when there is one (its lines and ticket), else the credit part
