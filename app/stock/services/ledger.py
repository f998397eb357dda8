"""The stock ledger and serial numbers: the one service everything that moves goods uses.

Each call runs inside the caller's transaction (it never commits). Quantities change through
one conditional UPDATE, so stock never goes negative even when several tills sell the last
unit at once: the row lock serialises them and the losers find no row to update
(NotEnoughStock). Callers that touch several products pass them together so rows are locked
in product order (no deadlock between two baskets).

Serial-tracked products (Product.track_serial) move unit by unit: every move names exactly
one serial per unit (see `move`), so the serials on the shelf of a store always match its
quantity. Also here: who may act on a store's stock, and the ADJUSTMENT document.
"""
from dataclasses import dataclass
import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...core import audit, inputs
from ...core.audit import current_user_id
from ...core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from ...core.inputs import MAX_QUANTITY, check  # noqa: F401 - MAX_QUANTITY: the bound callers see
from ...core.models import utcnow
from ...core.scoping import can_access_store
from ...extensions import db
from ..models import (MOVEMENT_TYPES, ON_HAND_SERIAL_STATUSES, STATUS_LABELS, InventoryMovement, ProductStock,
                      SerialNumber)


TRANSFER_DOC_TYPE = "TRF"
COUNT_DOC_TYPE = "INV"
SERIAL_MAX_LENGTH = 64

# What a decrease does to the units it takes (default per movement type).
SERIAL_STATUS_AFTER_DECREASE = {
    "SALE": "SOLD",
    "TRANSFER_OUT": "IN_TRANSIT",
    "ADJUSTMENT": "DEFECTIVE",
    "COUNT": "MISSING",
    "PURCHASE": "DEFECTIVE",  # a purchase correction sends units back to the supplier
    "RETURN": "SOLD",
    "TRANSFER_IN": "IN_TRANSIT",
}
# Which known units an increase may bring (back) into a store; None means "new serials too".
SERIAL_RETURNING_STATUSES = {
    "PURCHASE": (),
    "ADJUSTMENT": ("DEFECTIVE", "MISSING"),
    "COUNT": ("MISSING",),
    "RETURN": ("SOLD",),
    "TRANSFER_IN": ("IN_TRANSIT",),
    "SALE": ("SOLD",),  # a negative sale correction
    "TRANSFER_OUT": ("IN_TRANSIT",),
}
NEW_SERIALS_ALLOWED = ("PURCHASE", "ADJUSTMENT", "COUNT")
# The status a unit takes when an increase brings it into the store.
SERIAL_STATUS_AFTER_INCREASE = {"RETURN": "RETURNED"}
ADJUSTMENT_SERIAL_STATUSES = ("DEFECTIVE", "MISSING")
# Movements that record the unit cost of their goods (margins, purchases).
COSTED_MOVEMENTS = ("PURCHASE", "SALE", "RETURN")


class NotEnoughStock(Conflict):
    default_message = _l("Stock insuffisant.")

    def __init__(self, product_id=None, available=None, requested=None):
        message = None
        if product_id is not None:
            message = _l("Stock insuffisant pour le produit %(product)s : %(available)s disponible(s), "
                         "%(requested)s demandé(s).", product=_product_label(product_id),
                         available=available if available is not None else 0, requested=requested)
        super().__init__(message)
        self.product_id = product_id


class SerialNotAvailable(Conflict):
    """A serial that is not where the move needs it (not in this store, already sold...)."""


def _product_label(product_id):
    from ...catalog.models import Product

    product = db.session.get(Product, product_id)
    return product.name if product is not None else str(product_id)


@dataclass(frozen=True)
class Reference:
    """The document a movement belongs to."""

    type: str
    id: int | None = None
    number: str | None = None


# --- the ledger ---------------------------------------------------------------------------

def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _ensure_row(store_id, product_id):
    db.session.execute(
        _insert()(ProductStock)
        .values(store_id=store_id, product_id=product_id, quantity=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["store_id", "product_id"])
    )


def _row_filter(store_id, product_id):
    return (ProductStock.store_id == store_id, ProductStock.product_id == product_id)


def _available(store_id, product_id):
    row = db.session.execute(
        select(ProductStock.quantity, ProductStock.reserved).where(*_row_filter(store_id, product_id))
    ).first()
    return (row.quantity - row.reserved) if row else 0


def _quantity(store_id, product_id):
    return db.session.execute(
        select(ProductStock.quantity).where(*_row_filter(store_id, product_id))
    ).scalar_one_or_none() or 0


def _check_movement(quantity, movement_type):
    if movement_type not in MOVEMENT_TYPES:
        raise ValidationFailed(errors={"type": [_l("Type de mouvement inconnu.")]})
    return check("quantity", inputs.quantity, quantity, minimum=None, strict=True)


def product_by_code(code):
    """The product whose SKU (any case) or barcode is `code` (what people type or scan)."""
    from ...catalog.models import Product

    code = (code or "").strip()
    product = None
    if code:
        product = db.session.execute(select(Product).where(
            (func.lower(Product.sku) == code.lower()) | (Product.barcode == code))).scalars().first()
    if product is None:
        raise ValidationFailed(errors={"product": [_l("Produit introuvable : %(code)s.", code=code or "?")]})
    return product


def _product(product_id):
    from ...catalog.models import Product

    valid = isinstance(product_id, int) and not isinstance(product_id, bool)
    product = db.session.get(Product, product_id) if valid else None
    if product is None:
        raise ValidationFailed(errors={"product": [_l("Produit introuvable.")]})
    return product


def move(store_id, product_id, quantity, movement_type, *, reference=None, note=None, user_id=None,
         from_reserved=False, serials=None, serial_status=None, unit_cost=None):
    """Add `quantity` (signed) to the store's stock and write the ledger row; returns the movement.

    A decrease never takes reserved units unless `from_reserved` (the final payment
    of a sale consumes its own reservation).

    Serial-tracked products: `serials` must name exactly abs(quantity) distinct units
    (ValidationFailed, 422, otherwise); other products refuse `serials`.
    - A decrease takes units that are in stock in that store (IN_STOCK or RETURNED),
      else SerialNotAvailable (409). They get `serial_status`, by default SALE -> SOLD,
      TRANSFER_OUT -> IN_TRANSIT, ADJUSTMENT -> DEFECTIVE, COUNT -> MISSING.
    - An increase: PURCHASE brings new serials only (unique per product); ADJUSTMENT brings
      new serials or units that left as DEFECTIVE or MISSING; COUNT new or MISSING units;
      RETURN brings SOLD units back (status RETURNED: on the shelf, sellable);
      TRANSFER_IN brings IN_TRANSIT units. They become IN_STOCK (RETURNED for a return)
      in that store. A known unit in any other state is refused (SerialNotAvailable, 409).

    PURCHASE, SALE and RETURN movements record a unit cost: `unit_cost` when given (a goods
    receipt's), else the product's cost_price at this moment (the cost of the goods sold).
    """
    quantity = _check_movement(quantity, movement_type)
    product = _product(product_id)
    if product.track_serial:
        serials = clean_serials(serials, abs(quantity))
    elif serials:
        raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
    movement = _record(store_id, product_id, quantity, movement_type, reference=reference, note=note,
                       user_id=user_id, from_reserved=from_reserved)
    if unit_cost is not None or movement_type in COSTED_MOVEMENTS:  # the cost of the goods, at this moment
        movement.unit_cost = product.cost_price if unit_cost is None else unit_cost
    if product.track_serial:
        if quantity < 0:
            _take_serials(store_id, product_id, serials,
                          serial_status or SERIAL_STATUS_AFTER_DECREASE[movement_type])
        else:
            _bring_serials(store_id, product_id, serials, SERIAL_RETURNING_STATUSES[movement_type],
                           new_allowed=movement_type in NEW_SERIALS_ALLOWED,
                           status=SERIAL_STATUS_AFTER_INCREASE.get(movement_type, "IN_STOCK"))
    return movement


def _record(store_id, product_id, quantity, movement_type, *, reference=None, note=None, user_id=None,
            from_reserved=False):
    """The conditional UPDATE and the ledger row (no serial check: `move` does it)."""
    if quantity > 0:
        _ensure_row(store_id, product_id)
        variant = "increase"
    else:
        variant = "from-reserved" if from_reserved else "from-available"
    balance = db.session.execute(_stock_update(variant), {
        "store": store_id, "product": product_id, "change": quantity}).scalar_one_or_none()
    if balance is None:
        raise NotEnoughStock(product_id, _available(store_id, product_id), -quantity)
    reference = reference or Reference(type=movement_type)
    movement = InventoryMovement(
        store_id=store_id, product_id=product_id, type=movement_type, quantity=quantity, balance_after=balance,
        reference_type=reference.type, reference_id=reference.id, reference=reference.number,
        user_id=user_id if user_id is not None else current_user_id(), note=note,
    )
    db.session.add(movement)
    return movement


@functools.lru_cache(maxsize=3)
def _stock_update(variant):
    """_record's conditional UPDATE ... RETURNING quantity, built once per variant (three per
    checkout: building and keying an UPDATE costs about as much CPU as sending it).
    A decrease never takes reserved units, except the sale's own reservation (from-reserved)."""
    row = ProductStock
    change = bindparam("change", type_=Integer)
    statement = update(row).where(row.store_id == bindparam("store", type_=Integer),
                                  row.product_id == bindparam("product", type_=Integer))
    if variant == "increase":
        statement = statement.values(quantity=row.quantity + change)
    elif variant == "from-reserved":
        statement = statement.where(row.reserved >= -change).values(quantity=row.quantity + change,
                                                                     reserved=row.reserved + change)
    else:
        statement = statement.where(row.quantity - row.reserved >= -change).values(quantity=row.quantity + change)
    return statement.returning(row.quantity)


def move_many(store_id, lines, movement_type, serials=None, **kwargs):
    """Several products at once, locked in product order. `lines`: {product_id: signed quantity};
    `serials`: {product_id: [serial, ...]} for the serial-tracked ones."""
    serials = serials or {}
    return [move(store_id, product_id, quantity, movement_type, serials=serials.get(product_id), **kwargs)
            for product_id, quantity in sorted(lines.items()) if quantity]


def reserve(store_id, product_id, quantity):
    """Hold units for a partly paid sale so that nobody else sells them."""
    quantity = check("quantity", inputs.quantity, quantity, strict=True)
    done = db.session.execute(
        update(ProductStock)
        .where(*_row_filter(store_id, product_id), ProductStock.quantity - ProductStock.reserved >= quantity)
        .values(reserved=ProductStock.reserved + quantity)
        .returning(ProductStock.id)
    ).scalar_one_or_none()
    if done is None:
        raise NotEnoughStock(product_id, _available(store_id, product_id), quantity)


def release(store_id, product_id, quantity):
    """Give back reserved units (a cancelled or refunded partly paid sale)."""
    quantity = check("quantity", inputs.quantity, quantity, strict=True)
    done = db.session.execute(
        update(ProductStock)
        .where(*_row_filter(store_id, product_id), ProductStock.reserved >= quantity)
        .values(reserved=ProductStock.reserved - quantity)
        .returning(ProductStock.id)
    ).scalar_one_or_none()
    if done is None:
        raise Conflict(_l("Cette quantité n'est pas réservée."))



def stock_of(store_id, product_id):
    """The ProductStock row (or None): quantity, reserved, available."""
    return db.session.execute(select(ProductStock).where(*_row_filter(store_id, product_id))).scalar_one_or_none()


# Built once with bound parameters (an expanding IN list): every sale's submit asks.
_AVAILABLE = (select(ProductStock.product_id, ProductStock.quantity - ProductStock.reserved)
              .where(ProductStock.store_id == bindparam("store_id"),
                     ProductStock.product_id.in_(bindparam("ids", expanding=True))))


def available_by_product(store_id, product_ids):
    """{product_id: units available (quantity - reserved)} in the store; absent = none."""
    return dict(db.session.execute(_AVAILABLE, {"store_id": store_id, "ids": list(product_ids)}).all())


def ledger_sum(store_id, product_id):
    """The sum of the product's movements in that store: always equals ProductStock.quantity."""
    return db.session.execute(
        select(func.coalesce(func.sum(InventoryMovement.quantity), 0)).where(
            InventoryMovement.store_id == store_id, InventoryMovement.product_id == product_id)
    ).scalar_one()


# --- serial numbers -----------------------------------------------------------------------

def clean_serials(serials, expected_count=None, field="serials"):
    """A list of distinct, trimmed serials (exactly `expected_count` when given). Raises ValidationFailed."""
    if serials is None:
        serials = []
    if not isinstance(serials, (list, tuple)) or not all(isinstance(s, str) for s in serials):
        raise ValidationFailed(errors={field: [_l("Liste de numéros de série attendue.")]})
    cleaned = [s.strip() for s in serials]
    if any(not s for s in cleaned):
        raise ValidationFailed(errors={field: [_l("Numéro de série vide.")]})
    if any(len(s) > SERIAL_MAX_LENGTH for s in cleaned):
        raise ValidationFailed(errors={field: [_l("Numéro de série trop long (64 caractères au plus).")]})
    duplicates = sorted({s for s in cleaned if cleaned.count(s) > 1})
    if duplicates:
        raise ValidationFailed(errors={field: [_l("Numéro(s) de série en double : %(serials)s.",
                                                  serials=", ".join(duplicates))]})
    if expected_count is not None and len(cleaned) != expected_count:
        raise ValidationFailed(errors={field: [_l(
            "Ce produit est suivi par numéro de série : indiquez exactement %(count)s numéro(s), "
            "un par unité (%(given)s donné(s)).", count=expected_count, given=len(cleaned))]})
    return cleaned


def _take_serials(store_id, product_id, serials, new_status):
    """On-hand units of that store leave the shelf (one conditional UPDATE: two tills never sell one unit)."""
    taken = db.session.execute(
        update(SerialNumber)
        .where(SerialNumber.product_id == product_id, SerialNumber.store_id == store_id,
               SerialNumber.serial.in_(serials), SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES))
        .values(status=new_status)
        .returning(SerialNumber.serial)
        .execution_options(synchronize_session="fetch")
    ).scalars().all()
    missing = sorted(set(serials) - set(taken))
    if missing:
        raise SerialNotAvailable(_l("Numéro(s) de série absent(s) du stock de ce magasin : %(serials)s.",
                                    serials=", ".join(missing)))


def _bring_serials(store_id, product_id, serials, returning_statuses, *, new_allowed, status):
    """Units arrive on the shelf of a store: known units in `returning_statuses`, or new ones."""
    known = {row.serial: row for row in db.session.execute(
        select(SerialNumber.id, SerialNumber.serial, SerialNumber.status)
        .where(SerialNumber.product_id == product_id, SerialNumber.serial.in_(serials))
    )}
    refused = sorted(s for s, row in known.items() if row.status not in returning_statuses)
    if refused:
        raise SerialNotAvailable(_l("Numéro(s) de série déjà enregistré(s) pour ce produit (%(serials)s) : "
                                    "%(detail)s.", serials=len(refused),
                                    detail=", ".join(f"{s} ({known[s].status})" for s in refused)))
    new = [s for s in serials if s not in known]
    if new and not new_allowed:
        raise SerialNotAvailable(_l("Numéro(s) de série inconnu(s) pour ce produit : %(serials)s.",
                                    serials=", ".join(sorted(new))))
    if known:
        ids = [row.id for row in known.values()]
        moved = db.session.execute(
            update(SerialNumber)
            .where(SerialNumber.id.in_(ids), SerialNumber.status.in_(returning_statuses))
            .values(status=status, store_id=store_id, received_at=utcnow())
            .returning(SerialNumber.id)
            .execution_options(synchronize_session="fetch")
        ).scalars().all()
        if len(moved) != len(ids):  # changed by someone else since we read it
            raise SerialNotAvailable(_l("Un numéro de série vient de changer d'état : réessayez."))
    if new:
        db.session.execute(insert(SerialNumber), [
            {"product_id": product_id, "store_id": store_id, "serial": s, "status": status, "received_at": utcnow()}
            for s in new])


def receive_serials(store_id, product_id, serials, movement_type="PURCHASE", *, reference=None, note=None,
                    user_id=None):
    """Units of a serial-tracked product enter a store's stock, one serial per unit.

    For goods receipts (PURCHASE) and positive adjustments: the quantity is the number
    of serials; each serial is new for that product (or, for an ADJUSTMENT, a unit
    that had left as DEFECTIVE or MISSING). In the caller's transaction, like `move`.
    """
    if movement_type not in ("PURCHASE", "ADJUSTMENT"):
        raise ValidationFailed(errors={"type": [_l("Entrée de numéros de série : achat ou ajustement seulement.")]})
    serials = clean_serials(serials)
    if not serials:
        raise ValidationFailed(errors={"serials": [_l("Au moins un numéro de série est attendu.")]})
    return move(store_id, product_id, len(serials), movement_type, reference=reference, note=note,
                user_id=user_id, serials=serials)


def serials_on_hand(store_id, product_id):
    """The serials on the shelf of that store (IN_STOCK or RETURNED), sorted."""
    return list(db.session.execute(
        select(SerialNumber.serial)
        .where(SerialNumber.store_id == store_id, SerialNumber.product_id == product_id,
               SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES))
        .order_by(SerialNumber.serial)
    ).scalars())


def change_serials(store_id, product_id, serials, from_status, status):
    """Units of the store go from `from_status` to `status` without moving (a sold unit
    returned defective): one conditional UPDATE; any unit not found so is a 409 naming it."""
    lost = sorted(set(serials) - set(_set_serial_status(product_id, serials, (from_status,), status, store_id)))
    if lost:
        raise Conflict(_l("Numéro(s) de série plus disponible(s) : %(serials)s.", serials=", ".join(lost)))


def _set_serial_status(product_id, serials, from_statuses, status, store_id=None):
    """Conditional status change of known units; returns the serials changed."""
    if not serials:
        return []
    conditions = [SerialNumber.product_id == product_id, SerialNumber.serial.in_(serials),
                  SerialNumber.status.in_(from_statuses)]
    if store_id is not None:
        conditions.append(SerialNumber.store_id == store_id)
    return db.session.execute(
        update(SerialNumber).where(*conditions).values(status=status)
        .returning(SerialNumber.serial).execution_options(synchronize_session="fetch")
    ).scalars().all()


# --- who may act ----------------------------------------------------------------------------

def _user_id(user):
    return getattr(user, "id", None)


def _store(store_id, field="store", user=None):
    """An active store. With `user`: one the user may act in (another store, or none: NotFound, 404);
    without (a transfer's destination: any store), an unknown id is a field error (422)."""
    from ...stores.models import Store

    if user is not None:
        store = Store.for_action(user, store_id)
    else:
        store = db.session.get(Store, store_id) if isinstance(store_id, int) and not isinstance(store_id, bool) else None
        if store is None:
            raise ValidationFailed(errors={field: [_l("Magasin introuvable.")]})
    if not store.is_active:
        raise ValidationFailed(errors={field: [_l("Ce magasin est fermé.")]})
    return store


def _require_store_access(user, store_id, message):
    if user is not None and not can_access_store(user, store_id):
        raise Forbidden(message)


def _locked(model, object_id):
    """Re-read a document row with a row lock (PostgreSQL), fresh from the database."""
    return db.session.execute(
        select(model).where(model.id == object_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _require_status(document, *statuses):
    if document.status not in statuses:
        raise InvalidTransition(_l("%(document)s est à l'état « %(status)s » : action impossible.",
                                   document=str(document), status=STATUS_LABELS.get(document.status, document.status)))


def _lock_to_act(user, document, statuses, message, store="store_id"):
    """The document re-read under its row lock, in one of `statuses`, of a store (`store`) the user works in."""
    document = _locked(type(document), document.id)
    _require_status(document, *statuses)
    _require_store_access(user, getattr(document, store), message)
    return document


# --- adjustments -----------------------------------------------------------------------------

def adjust_stock(user, store_id, product_id, quantity, note, serials=None, serial_status=None):
    """A stock keeper's correction (ADJUSTMENT): breakage, loss, found goods... A reason is required.

    Decreases never go below zero (NotEnoughStock, 409); serial-tracked products name
    their units (see `move`); a unit taken out becomes DEFECTIVE, or MISSING when said.
    """
    store = _store(store_id, user=user)
    product = _product(product_id)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(errors={"note": [_l("Indiquez le motif de l'ajustement.")]})
    if serial_status is not None and (not isinstance(quantity, int) or quantity >= 0
                                      or serial_status not in ADJUSTMENT_SERIAL_STATUSES):
        raise ValidationFailed(errors={"serial_status": [_l(
            "Statut des unités retirées : DEFECTIVE ou MISSING (pour une sortie seulement).")]})
    movement = move(store.id, product.id, quantity, "ADJUSTMENT", note=note, user_id=_user_id(user),
                    serials=serials, serial_status=serial_status)
    db.session.flush()
    audit.record("stock.adjust", movement, store_id=store.id, after={
        "product_id": product.id, "quantity": quantity, "balance_after": movement.balance_after, "note": note,
        "serials": clean_serials(serials) if serials else None})
    db.session.commit()
    return movement


# --- purchases (goods receipts) ----------------------------------------------------------------

def receive_purchase(store_id, product_id, quantity, unit_cost, *, reference, serials=None, user_id=None):
    """Goods bought from a supplier enter a store (PURCHASE, recording their unit cost); serial-tracked
    products bring one new serial per unit (IN_STOCK in that store). In the caller's transaction."""
    return move(store_id, product_id, quantity, "PURCHASE", reference=reference, user_id=user_id,
                serials=serials, unit_cost=unit_cost)
