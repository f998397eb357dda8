"""Submit (DRAFT -> PENDING_PAYMENT, numbered) and the manager's approvals a draft may need first
(a discount above the store's threshold, a price under the floor), from the queue or on the spot.
"""
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from ...core import audit
from ...core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from ...core.inputs import FieldErrors, read_text
from ...core.models import utcnow
from ...core.money import money_text
from ...core.numbering import allocate_number
from ...core.scoping import can_access_store
from ...extensions import db
from ...stock import services as stock
from ...stock.models import ON_HAND_SERIAL_STATUSES, SerialNumber
from ..models import (APPROVED, DRAFT, OPEN_FOR_PAYMENT, PENDING, PENDING_PAYMENT, REJECTED, Approval, Sale, SaleItem,
                      sale_item_serial)
from ..totals import sale_totals
from .base import (ApprovalRequired, INVOICE, _audit, _require_owner, _sale_state, commit, ensure_transition,
                   get_sale, is_manager_of, require_manager, status_label)
from .drafts import _store_totals


def submit_sale(user, sale_id):
    """DRAFT -> PENDING_PAYMENT: checks stock, prices and serials, takes the invoice number, locks the items."""
    sale = get_sale(user, sale_id, lock=True, with_items=True)
    ensure_transition(sale, PENDING_PAYMENT)
    _require_owner(user, sale)
    totals = _check_before_submit(sale)
    missing = _missing_approvals(sale, totals)
    if missing:
        pending = _request_approvals(user, sale, missing)
        db.session.commit()
        raise ApprovalRequired(pending)
    _audit("sale.submit", sale, user, before=_sale_state(sale),
           after={"status": PENDING_PAYMENT, "total": money_text(totals.total)})
    db.session.flush()
    # The hot lock: the store's invoice Sequence row, taken last and held until COMMIT; the
    # sale's own UPDATE (status, number, totals: one statement at commit) is all that follows.
    number = allocate_number(sale.store, INVOICE, sale.store.local_year)
    _store_totals(sale, totals)
    sale.status = PENDING_PAYMENT
    sale.submitted_at = utcnow()
    sale.number = number
    commit()
    for name in ("payments", "refunds"):  # a draft has none: no need to ask
        set_committed_value(sale, name, [])
    return sale


def _check_before_submit(sale):
    errors = FieldErrors()
    if not sale.items:
        errors.add("items", _l("Ajoutez au moins un article avant de transmettre la vente."))
    errors.raise_if_any()
    needed = OrderedDict()
    for index, item in enumerate(sale.items):
        product = item.product
        if not product.is_active:
            errors.add(f"items[{index}].product", _l("Produit inactif : %(name)s.", name=product.name))
        if product.track_serial:
            if len(item.serials) != item.quantity:
                errors.add(f"items[{index}].serials", _l(
                    "%(name)s : un numéro de série par unité est nécessaire (%(count)s sur %(quantity)s).",
                    name=product.name, count=len(item.serials), quantity=item.quantity))
            for serial in item.serials:
                if serial.status not in ON_HAND_SERIAL_STATUSES or serial.store_id != sale.store_id:
                    errors.add(f"items[{index}].serials", _l(
                        "Le numéro de série %(serial)s n'est plus en stock dans ce magasin.", serial=serial.serial))
        needed[item.product_id] = needed.get(item.product_id, 0) + item.quantity
    errors.raise_if_any()
    _refuse_serials_of_other_sales(sale, errors)
    available = stock.available_by_product(sale.store_id, needed)
    for product_id, quantity in sorted(needed.items()):
        if available.get(product_id, 0) < quantity:
            raise stock.NotEnoughStock(product_id, available.get(product_id, 0), quantity)
    totals = sale_totals(sale)
    if totals.total <= 0:
        raise ValidationFailed(errors={"total": [_l("Le total de la vente doit être positif.")]})
    return totals


def _refuse_serials_of_other_sales(sale, errors):
    """A serial number goes to one customer: refuse one already on another sale waiting at the till
    (it would be refused there, with the customer waiting). The serial rows are locked first, in
    id order, so that two submits naming the same serial at once cannot both pass."""
    where = {serial.id: index for index, item in enumerate(sale.items) for serial in item.serials}
    if not where:
        return
    db.session.execute(select(SerialNumber.id).where(SerialNumber.id.in_(where))
                       .order_by(SerialNumber.id).with_for_update())
    claimed = db.session.execute(
        select(SerialNumber.id, SerialNumber.serial, Sale.number)
        .join(sale_item_serial, sale_item_serial.c.serial_number_id == SerialNumber.id)
        .join(SaleItem, SaleItem.id == sale_item_serial.c.sale_item_id)
        .join(Sale, Sale.id == SaleItem.sale_id)
        .where(SerialNumber.id.in_(where), Sale.id != sale.id, Sale.status.in_(OPEN_FOR_PAYMENT))
        .order_by(SerialNumber.serial)).all()
    for serial_id, serial, number in claimed:
        errors.add(f"items[{where[serial_id]}].serials", _l(
            "Le numéro de série %(serial)s est déjà sur la vente %(number)s, en attente de paiement.",
            serial=serial, number=number))
    errors.raise_if_any()


def _percent_under_list_price(sale, totals):
    """How far under the catalog's list price the sale goes, per line and over the whole sale: a
    low price typed in is a discount as much as a discount field is, with or without a floor.
    (A line under its floor is left to the PRICE_FLOOR approval of that very price.)"""
    rates, listed, net = [], Decimal("0"), Decimal("0")
    for item, line in zip(sale.items, totals.lines):
        list_gross = Decimal(item.product.sale_price or 0) * item.quantity
        floor = item.product.min_sale_price
        if floor is not None and line.line_total < floor * item.quantity:
            continue
        if list_gross > 0:
            rates.append((list_gross - line.line_total) * 100 / list_gross)
            listed, net = listed + list_gross, net + line.line_total
    if listed > 0:
        rates.append((listed - net + totals.sale_discount) * 100 / listed)
    return max(rates, default=Decimal("0")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def discount_off_list_price(sale):
    """What the sale gives off the catalog's list prices, as (amount, percent), for the manager
    deciding an approval: discounts and prices typed under the list price alike."""
    listed = sum((Decimal(item.product.sale_price or 0) * item.quantity for item in sale.items), Decimal("0"))
    if listed <= 0:
        return Decimal("0"), Decimal("0")
    off = max(listed - Decimal(sale.total or 0), Decimal("0"))
    return off, (off * 100 / listed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def required_approvals(sale, totals=None):
    """What a manager must approve for the sale as it is: {kind: details}."""
    totals = totals or sale_totals(sale)
    needs = {}
    threshold = sale.store.discount_threshold
    percent = max(totals.max_discount_percent(), _percent_under_list_price(sale, totals))
    if threshold is not None and percent > threshold:
        needs["DISCOUNT"] = {"discount_percent": str(percent), "threshold": str(threshold),
                             "discount": money_text(totals.discount_total)}
    under = []
    for item, line in zip(sale.items, totals.lines):
        floor = item.product.min_sale_price
        net_unit = (line.line_total / item.quantity).quantize(Decimal("0.01"))
        if floor is not None and net_unit < floor:
            under.append({"product": item.product_id, "name": item.product.name, "unit_price": str(net_unit),
                          "min_sale_price": str(floor)})
    if under:
        needs["PRICE_FLOOR"] = {"items": under}
    return needs


def _covered(kind, need, approvals):
    granted = [a for a in approvals if a.kind == kind and a.status == APPROVED and a.details]
    if kind == "DISCOUNT":
        return any(Decimal(a.details.get("discount_percent", "0")) >= Decimal(need["discount_percent"]) for a in granted)
    approved_prices = {}
    for approval in granted:
        for entry in approval.details.get("items", []):
            price = Decimal(entry["unit_price"])
            product = entry["product"]
            approved_prices[product] = min(price, approved_prices.get(product, price))
    return all(entry["product"] in approved_prices and Decimal(entry["unit_price"]) >= approved_prices[entry["product"]]
               for entry in need["items"])


def _missing_approvals(sale, totals):
    approvals = list(sale.approvals)
    return {kind: need for kind, need in required_approvals(sale, totals).items()
            if not _covered(kind, need, approvals)}


def _request_approvals(user, sale, missing):
    """One PENDING approval per missing kind (an existing pending one is brought up to date)."""
    pending = []
    for kind, details in missing.items():
        approval = next((a for a in sale.approvals if a.kind == kind and a.status == PENDING), None)
        if approval is None:
            approval = Approval(store_id=sale.store_id, sale_id=sale.id, kind=kind, status=PENDING,
                                requested_by_id=user.id)
            db.session.add(approval)
        approval.details = details
        approval.requested_at = utcnow()
        db.session.flush()
        _audit("approval.request", sale, user, after={"approval": approval.id, "kind": kind, "details": details})
        pending.append(approval)
    return pending


def approve_on_the_spot(user, sale_id, email, password):
    """A manager standing at the POS types their email and password: every approval the draft
    needs is granted in their name (the approval records the manager, not the seller)."""
    from ...extensions import security_manager

    errors = FieldErrors()
    email = read_text(email, "email", errors, required=True)
    if not isinstance(password, str) or not password:
        errors.add("password", _l("Champ obligatoire."))
    errors.raise_if_any()
    sale = get_sale(user, sale_id)  # 404 before anything else; checked again once locked
    # Checked before the lock: FAB's login bookkeeping commits the session.
    manager = security_manager().auth_user_db(email, password)
    if manager is None or not is_manager_of(manager, sale.store_id):
        db.session.rollback()
        raise Forbidden(_l("Identifiants refusés : il faut l'e-mail et le mot de passe d'un gérant de ce magasin."))
    sale = get_sale(user, sale_id, lock=True, with_items=True)
    if sale.status != DRAFT:
        raise InvalidTransition(_l("Seul un brouillon se fait approuver : cette vente est « %(status)s ».",
                                   status=status_label(sale.status)))
    granted = []
    for kind, details in required_approvals(sale).items():
        approval = next((a for a in sale.approvals if a.kind == kind and a.status == PENDING), None)
        if approval is None:
            approval = Approval(store_id=sale.store_id, sale_id=sale.id, kind=kind, requested_by_id=user.id)
            db.session.add(approval)
        approval.details = details
        _decide(approval, manager, APPROVED, note=_l("Approuvé sur place"))
        db.session.flush()
        _audit("approval.approved", sale, manager,
               after={"approval": approval.id, "kind": kind, "details": details, "on_the_spot": True,
                      "requested_by": user.id})
        granted.append(approval)
    db.session.commit()
    return sale, granted


def decide_approval(user, approval_id, approve, note=None):
    """From the queue or the sale's page: a manager of the approval's store approves it, or
    rejects it with a reason (the seller reads it in the sale's history)."""
    approval = db.session.execute(select(Approval).where(Approval.id == approval_id).with_for_update()
                                  .execution_options(populate_existing=True)).scalar_one_or_none()
    if approval is None or not can_access_store(user, approval.store_id):
        raise NotFound(_l("Demande d'approbation introuvable."))
    require_manager(user, approval.store_id)
    if approval.status != PENDING:
        raise InvalidTransition(_l("Cette demande a déjà été traitée."))
    sale = approval.sale
    if sale is not None and approval.kind in ("DISCOUNT", "PRICE_FLOOR") and sale.status != DRAFT:
        raise InvalidTransition(_l("La vente n'est plus un brouillon : cette demande est sans objet."))
    errors = FieldErrors()
    note = read_text(note, "note", errors, max_length=1000)
    if not approve and not note and not errors:
        errors.add("note", _l("Donnez le motif du refus."))
    errors.raise_if_any()
    _decide(approval, user, APPROVED if approve else REJECTED, note=note)
    if sale is not None:
        _audit("approval.approved" if approve else "approval.rejected", sale, user,
               after={"approval": approval.id, "kind": approval.kind, "details": approval.details, "note": note})
    else:
        audit.record("approval.approved" if approve else "approval.rejected", approval, user_id=user.id)
    db.session.commit()
    return approval


def _decide(approval, manager, status, note=None):
    approval.status = status
    approval.decided_by_id = manager.id
    approval.decided_at = utcnow()
    if note:
        approval.reason = str(note)


def _record_manager_decision(user, sale, kind, details):
    """Cancellations and refunds are done by the manager: their approval is written as given."""
    approval = Approval(store_id=sale.store_id, sale_id=sale.id, kind=kind, status=APPROVED, details=details,
                        requested_by_id=user.id, decided_by_id=user.id, decided_at=utcnow())
    db.session.add(approval)
    return approval
