"""The rules of a sale, seller -> cashier (SPEC §4). Plain functions, one transaction each.

Every function takes the acting user explicitly, checks the state machine
(models.TRANSITIONS), raises domain errors (InvalidTransition 409, ValidationFailed 422,
Forbidden 403, NotFound 404, NotEnoughStock 409...), writes an audit row per change and
commits. The REST API, the back-office screens and the POS pages all call these.

Locking: a function that changes a submitted sale locks its row first (SELECT ... FOR
UPDATE), so two cashiers, or a cashier and a manager, are served one after the other.
Stock rows are then locked in product order by the stock service, the invoice Sequence
row last of all (allocate_number is the last statement before COMMIT: it is the hot lock).
"""
import functools
from collections import OrderedDict
from datetime import timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..catalog.models import Product
from ..core import audit
from ..core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from ..core.models import utcnow
from ..core.numbering import allocate_number
from ..core.scoping import can_access_store, is_admin, role_name, scope_to_stores
from ..extensions import db
from ..stock import services as stock
from ..stock.models import ON_HAND_SERIAL_STATUSES, ProductStock, SerialNumber
from ..stock.services import Reference
from ..stores.models import Store
from ..core.inputs import MISSING, FieldErrors, read_bool, read_id, read_money, read_quantity, read_text
from ..core.money import money_text
from .models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    OPEN_FOR_PAYMENT,
    PAID,
    PARTIALLY_PAID,
    PENDING,
    PENDING_PAYMENT,
    REFUND_METHODS,
    REFUNDED,
    REJECTED,
    TRANSITIONS,
    Approval,
    Refund,
    RefundLine,
    Sale,
    SaleItem,
    refund_line_serial,
    sale_item_serial,
)
from .totals import compute_totals, refund_value, sale_totals

INVOICE = "FAC"
MANAGER_ROLES = ("MANAGER", "ADMIN")
MAX_ITEMS = 200


class ApprovalRequired(Conflict):
    """Submit is blocked until a manager approves: the answer lists the pending approvals."""

    default_message = _l("Une approbation d'un gérant est nécessaire avant de transmettre cette vente.")

    def __init__(self, approvals, message=None):
        super().__init__(message)
        self.approvals = approvals

    def to_dict(self):
        body = super().to_dict()
        body["approvals"] = [approval_summary(a) for a in self.approvals]
        return body


def approval_summary(approval):
    return {"id": approval.id, "kind": approval.kind, "status": approval.status, "details": approval.details}


# --- reading and locking -------------------------------------------------------------------

def get_sale(user, sale_id, lock=False, with_items=False):
    """The sale if the user may see it (one of their stores), else NotFound.

    lock: SELECT ... FOR UPDATE of the sale row (only that row), fresh from the database.
    with_items: its items, their products and serials loaded in two more queries (not one per item).
    """
    sale = db.session.execute(_sale_statement(lock, with_items), {"sale_id": sale_id}).scalar_one_or_none()
    if sale is None or not can_access_store(user, sale.store_id):
        raise NotFound(_l("Vente introuvable."))
    return sale


@functools.lru_cache(maxsize=4)
def _sale_statement(lock, with_items):
    """get_sale's SELECT, built once per variant: building and keying a statement with these
    loader options cost about as much CPU as running it (three times per checkout)."""
    query = select(Sale).where(Sale.id == bindparam("sale_id")).options(joinedload(Sale.store))
    if lock:
        query = query.with_for_update(of=Sale).execution_options(populate_existing=True)
    if with_items:
        query = query.options(selectinload(Sale.items).options(joinedload(SaleItem.product),
                                                               selectinload(SaleItem.serials)))
    return query


def commit():
    """COMMIT, keeping the objects' state: the answer is built from what was just written
    instead of reading every row back (the session expires everything on commit otherwise)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _no_history_yet(sale):
    """A new sale has no payment, refund or approval: say so instead of asking the database."""
    for name in ("payments", "refunds", "approvals"):
        set_committed_value(sale, name, [])


def ensure_transition(sale, target, action=None):
    if target not in TRANSITIONS[sale.status]:
        raise InvalidTransition(_l(
            "Action impossible : la vente %(sale)s est « %(status)s ».", sale=str(sale), status=status_label(sale.status)))


def status_label(status):
    return str(STATUS_LABELS.get(status, status))


STATUS_LABELS = {
    DRAFT: _l("Brouillon"),
    PENDING_PAYMENT: _l("En attente de paiement"),
    PARTIALLY_PAID: _l("Partiellement payée"),
    PAID: _l("Payée"),
    CANCELLED: _l("Annulée"),
    REFUNDED: _l("Remboursée"),
}


def is_manager_of(user, store_id):
    return user is not None and role_name(user) in MANAGER_ROLES and can_access_store(user, store_id)


def require_manager(user, store_id):
    if not is_manager_of(user, store_id):
        raise Forbidden(_l("Seul un gérant de ce magasin peut faire cette action."))


def _require_owner(user, sale):
    if sale.seller_id != user.id and not is_admin(user):
        raise Forbidden(_l("Seul le vendeur qui a créé ce brouillon peut le modifier ou le transmettre."))


def _sale_state(sale):
    return {"status": sale.status, "number": sale.number, "total": money_text(sale.total),
            "amount_paid": money_text(sale.amount_paid), "amount_refunded": money_text(sale.amount_refunded)}


def _audit(action, sale, user, before=None, after=None):
    """Every change of a sale, its approvals, payments and refunds is written on the sale's trail."""
    audit.record(action, object_type="Sale", object_id=sale.id, store_id=sale.store_id,
                 before=before, after=after, user_id=user.id if user is not None else None)


# --- drafts --------------------------------------------------------------------------------

def create_draft(user, store, items, customer=None, discount=None, note=None):
    """A new DRAFT of `user` in `store` (ids or objects), with its items. Returns the sale."""
    errors = FieldErrors()
    store_obj = _read_store(user, store, errors)
    currency = store_obj.currency if store_obj else "XAF"
    customer_id = _read_customer(user, customer, errors)
    sale_discount = read_money(discount, "discount", errors, currency=currency, required=False,
                               default=Decimal("0"))
    note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    sale = Sale(store_id=store_obj.id, store=store_obj, seller_id=user.id, status=DRAFT,
                customer_id=customer_id, discount=sale_discount, note=note)
    _write_items(sale, items, errors)
    db.session.add(sale)
    db.session.flush()
    _no_history_yet(sale)
    _audit("sale.create", sale, user, after={**_sale_state(sale), "items": len(sale.items)})
    commit()
    return sale


def update_draft(user, sale_id, items=MISSING, customer=MISSING, discount=MISSING, note=MISSING, store=MISSING):
    """Change a DRAFT of its own seller; `items`, when given, replace every item."""
    sale = get_sale(user, sale_id, lock=True, with_items=True)
    _require_owner(user, sale)
    if sale.status != DRAFT:
        raise InvalidTransition(_l("Seul un brouillon peut être modifié : cette vente est « %(status)s ».",
                                   status=status_label(sale.status)))
    before = {**_sale_state(sale), "items": len(sale.items)}
    errors = FieldErrors()
    if store is not MISSING and read_id(store, "store", errors) not in (None, sale.store_id):
        errors.add("store", _l("Le magasin d'une vente ne change pas."))
    if customer is not MISSING:
        sale.customer_id = _read_customer(user, customer, errors)
    if discount is not MISSING:
        sale.discount = read_money(discount, "discount", errors, currency=sale.store.currency, required=False,
                                   default=Decimal("0"))
    if note is not MISSING:
        sale.note = read_text(note, "note", errors, max_length=2000)
    errors.raise_if_any()
    if items is not MISSING:
        for item in list(sale.items):
            sale.items.remove(item)
        db.session.flush()
    _write_items(sale, sale.items if items is MISSING else items, errors, keep=items is MISSING)
    _audit("sale.update", sale, user, before=before, after={**_sale_state(sale), "items": len(sale.items)})
    commit()
    return sale


def delete_draft(user, sale_id):
    """A seller drops their own draft (nothing was numbered, paid or moved)."""
    sale = get_sale(user, sale_id, lock=True)
    _require_owner(user, sale)
    if sale.status != DRAFT:
        raise InvalidTransition(_l("Seul un brouillon peut être supprimé : annulez la vente (gérant)."))
    _audit("sale.delete", sale, user, before=_sale_state(sale))
    db.session.delete(sale)
    db.session.commit()


def _read_store(user, value, errors):
    if isinstance(value, Store):
        store_id = value.id
    else:
        store_id = read_id(value, "store", errors)
    if store_id is None:
        return None
    store = db.session.get(Store, store_id)
    if store is None or not can_access_store(user, store_id):
        errors.add("store", _l("Magasin introuvable."))
        return None
    if not store.is_active:
        errors.add("store", _l("Ce magasin est désactivé."))
        return None
    return store


def _read_customer(user, value, errors):
    from ..customers.models import Customer

    if value is None or value == "":
        return None
    customer_id = value.id if isinstance(value, Customer) else read_id(value, "customer", errors)
    if customer_id is None:
        return None
    customer = db.session.get(Customer, customer_id)
    if customer is None or not can_access_store(user, customer.store_id):
        errors.add("customer", _l("Client introuvable."))
        return None
    return customer.id


def _write_items(sale, items, errors, keep=False):
    """Validate `items` (dicts, or the sale's own items when `keep`) and set them with their totals."""
    currency = sale.store.currency if sale.store else "XAF"
    if keep:
        lines = sale.items
    else:
        lines = _read_items(sale, items, errors, currency)
        errors.raise_if_any()
        for position, line in enumerate(lines):
            line.position = position
            sale.items.append(line)
    totals = compute_totals(sale.items, sale.discount, currency)
    for item, line in zip(sale.items, totals.lines):
        item.line_total = line.line_total
    if sale.discount and sale.discount > totals.subtotal:
        raise ValidationFailed(errors={"discount": [_l("La remise dépasse le montant de la vente.")]})
    _store_totals(sale, totals)


def _store_totals(sale, totals):
    sale.subtotal = totals.subtotal
    sale.tax_total = totals.total_tva
    sale.total = totals.total


def _read_items(sale, items, errors, currency):
    if not isinstance(items, list):
        errors.add("items", _l("Liste d'articles attendue."))
        return []
    if len(items) > MAX_ITEMS:
        errors.add("items", _l("Trop d'articles (%(max)s au plus).", max=MAX_ITEMS))
        return []
    wanted = []
    for index, raw in enumerate(items):
        field = f"items[{index}]"
        if not isinstance(raw, dict):
            errors.add(field, _l("Article invalide."))
            continue
        unknown = set(raw) - {"product", "quantity", "unit_price", "discount", "serials"}
        for name in sorted(unknown):
            errors.add(f"{field}.{name}", _l("Champ inconnu."))
        wanted.append((index, raw, read_id(raw.get("product"), f"{field}.product", errors),
                       read_quantity(raw.get("quantity"), f"{field}.quantity", errors)))
    product_ids = {product_id for _, _, product_id, _ in wanted if product_id}
    products = {p.id: p for p in db.session.execute(
        _PRODUCTS, {"ids": list(product_ids)}).scalars()} if product_ids else {}
    lines = []
    for index, raw, product_id, quantity in wanted:
        field = f"items[{index}]"
        product = products.get(product_id)
        if product_id and (product is None or not product.is_active):
            errors.add(f"{field}.product", _l("Produit introuvable ou inactif."))
            continue
        if product is None or quantity is None:
            continue
        unit_price = read_money(raw.get("unit_price"), f"{field}.unit_price", errors, currency=currency,
                                required=False, default=product.sale_price)
        discount = read_money(raw.get("discount"), f"{field}.discount", errors, currency=currency,
                              required=False, default=Decimal("0"))
        if unit_price is None or discount is None:
            continue
        if discount > unit_price * quantity:
            errors.add(f"{field}.discount", _l("La remise dépasse le montant de la ligne."))
            continue
        line = SaleItem(product_id=product.id, product=product, quantity=quantity, unit_price=unit_price,
                        discount=discount, tax_rate=product.tax_rate, refunded_quantity=0)
        line.serials = _read_serials(sale, product, quantity, raw.get("serials"), f"{field}.serials", errors)
        lines.append(line)
    if not lines and not errors and items:
        errors.add("items", _l("Aucun article valide."))
    _refuse_serials_twice(lines, errors)
    return lines


# Built once with bound parameters (an expanding IN list), like get_sale's: every create and submit asks.
_PRODUCTS = select(Product).where(Product.id.in_(bindparam("ids", expanding=True)))
_AVAILABLE = (select(ProductStock.product_id, ProductStock.quantity - ProductStock.reserved)
              .where(ProductStock.store_id == bindparam("store_id"),
                     ProductStock.product_id.in_(bindparam("ids", expanding=True))))


def _read_serials(sale, product, quantity, raw, field, errors):
    """Serials of a track_serial line: at most one per unit, each IN_STOCK in the sale's store."""
    if raw in (None, []):
        return []
    if not product.track_serial:
        errors.add(field, _l("Ce produit n'est pas suivi par numéro de série."))
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        errors.add(field, _l("Liste de numéros de série attendue."))
        return []
    wanted = [s.strip() for s in raw]
    if len(set(wanted)) != len(wanted):
        errors.add(field, _l("Un numéro de série est en double."))
        return []
    if len(wanted) > quantity:
        errors.add(field, _l("Plus de numéros de série que d'unités."))
        return []
    found = {s.serial: s for s in db.session.execute(select(SerialNumber).where(
        SerialNumber.product_id == product.id, SerialNumber.serial.in_(wanted))).scalars()}
    serials = []
    for serial in wanted:
        row = found.get(serial)
        if row is None or row.store_id != sale.store_id or row.status not in ON_HAND_SERIAL_STATUSES:
            errors.add(field, _l("Le numéro de série %(serial)s n'est pas en stock dans ce magasin.", serial=serial))
        else:
            serials.append(row)
    return serials


def _refuse_serials_twice(lines, errors):
    seen = set()
    for index, line in enumerate(lines):
        for serial in line.serials:
            if serial.id in seen:
                errors.add(f"items[{index}].serials", _l("Un numéro de série est en double."))
            seen.add(serial.id)


# --- submit and approvals -------------------------------------------------------------------

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
    available = dict(db.session.execute(_AVAILABLE, {"store_id": sale.store_id, "ids": list(needed)}).all())
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


def required_approvals(sale, totals=None):
    """What a manager must approve for the sale as it is: {kind: details}."""
    totals = totals or sale_totals(sale)
    needs = {}
    threshold = sale.store.discount_threshold
    percent = totals.max_discount_percent()
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
    from ..extensions import security_manager

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
    """From the queue: a manager of the approval's store approves or rejects it."""
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


# --- payment effects (called by the cashier service, inside its transaction) -----------------

def load_items(sale):
    """Load the sale's items with their products (one query), before moving stock; the serials of
    serial-tracked products only are read when asked for."""
    with db.session.no_autoflush:  # the sale's pending changes go out once, at commit
        items = db.session.execute(_ITEMS_WITH_PRODUCTS, {"sale_id": sale.id}).scalars().all()
    set_committed_value(sale, "items", list(items))
    return items


_ITEMS_WITH_PRODUCTS = (select(SaleItem).where(SaleItem.sale_id == bindparam("sale_id")).order_by(SaleItem.position)
                        .options(joinedload(SaleItem.product)))


def quantities_by_product(sale):
    lines = {}
    for item in sale.items:
        lines[item.product_id] = lines.get(item.product_id, 0) + item.quantity
    return lines


def reserve_stock(sale):
    """Hold the sale's goods (a partial payment): nobody else can sell them."""
    if sale.stock_reserved:
        return
    for product_id, quantity in sorted(quantities_by_product(sale).items()):
        stock.reserve(sale.store_id, product_id, quantity)
    sale.stock_reserved = True


def release_reservation(sale):
    if not sale.stock_reserved:
        return
    for product_id, quantity in sorted(quantities_by_product(sale).items()):
        stock.release(sale.store_id, product_id, quantity)
    sale.stock_reserved = False


def serials_by_product(items):
    serials = {}
    for item in items:
        if item.product.track_serial and item.serials:
            serials.setdefault(item.product_id, []).extend(s.serial for s in item.serials)
    return serials


def complete_sale(user, sale):
    """Fully paid: SALE movements (consuming the reservation; the stock service sells the
    serials, one per unit, refusing any that left the shelf meanwhile), status PAID."""
    ensure_transition(sale, PAID)
    lines, serials = quantities_by_product(sale), serials_by_product(sale.items)
    # No autoflush: the ledger rows of the three moves then go out together, in one INSERT at commit.
    with db.session.no_autoflush:
        stock.move_many(sale.store_id, {pid: -qty for pid, qty in lines.items()}, "SALE", serials=serials,
                        reference=Reference("Sale", sale.id, sale.number), user_id=user.id,
                        from_reserved=sale.stock_reserved)
    sale.stock_reserved = False
    sale.status = PAID
    sale.paid_at = utcnow()


def _set_serials(sale, serial_ids, from_status, to_status):
    """Move serials from one status to another in one conditional UPDATE; any missing one is a 409."""
    if not serial_ids:
        return
    changed = db.session.execute(
        update(SerialNumber)
        .where(SerialNumber.id.in_(serial_ids), SerialNumber.status == from_status,
               SerialNumber.store_id == sale.store_id)
        .values(status=to_status)
        .returning(SerialNumber.id)
    ).scalars().all()
    if len(changed) != len(set(serial_ids)):
        lost = db.session.execute(select(SerialNumber.serial).where(
            SerialNumber.id.in_(set(serial_ids) - set(changed)))).scalars().all()
        raise Conflict(_l("Numéro(s) de série plus disponible(s) : %(serials)s.", serials=", ".join(sorted(lost))))


# --- cancel and refund ----------------------------------------------------------------------

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
            _set_serials(sale, [s.id for s in line["serials"]], "SOLD", "DEFECTIVE")
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
    elif method == "CREDIT":
        errors.add("method", _l("Le remboursement sur le compte du client arrivera avec la gestion du crédit."))
    errors.raise_if_any()
    if method == "CASH" and till is None:
        raise Conflict(_l("Aucune caisse ouverte dans ce magasin : ouvrez une caisse pour rembourser en espèces."))
    cash_shift = till(sale.store_id) if method == "CASH" else None
    refund = Refund(sale_id=sale.id, store_id=sale.store_id, is_cancellation=is_cancellation, method=method,
                    amount=amount, restock=restock, reason=reason, reference=reference,
                    shift_id=cash_shift.id if cash_shift else None, approved_by_id=user.id)
    db.session.add(refund)
    db.session.flush()
    return refund


# --- lookups ---------------------------------------------------------------------------------

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

