"""The one stock service everything that moves goods uses, and the stock documents.

Ledger (move, move_many, reserve, release, receive_serials): each call runs inside the
caller's transaction (it never commits). Quantities change through one conditional
UPDATE, so stock never goes negative even when several tills sell the last unit at
once: the row lock serialises them and the losers find no row to update
(NotEnoughStock). Callers that touch several products pass them together so rows are
locked in product order (no deadlock between two baskets).

Serial-tracked products (Product.track_serial) move unit by unit: every move names
exactly one serial per unit (see `move`), so the serials on the shelf of a store always
match its quantity.

Documents (adjust_stock, transfers, counts): one transaction each; they check who acts
(`user`), write the ledger through `move`, record an AuditLog row and commit.
"""
import functools
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import audit, inputs
from ..core.audit import current_user_id
from ..core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from ..core.inputs import MAX_QUANTITY, check, path  # noqa: F401 - MAX_QUANTITY: the bound callers see
from ..core.models import utcnow
from ..core.numbering import allocate_number
from ..core.scoping import can_access_store
from ..extensions import db
from .models import (
    MOVEMENT_TYPES,
    ON_HAND_SERIAL_STATUSES,
    STATUS_LABELS,
    InventoryMovement,
    ProductStock,
    SerialNumber,
    StockCount,
    StockCountLine,
    Transfer,
    TransferLine,
)

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
    from ..catalog.models import Product

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
    from ..catalog.models import Product

    code = (code or "").strip()
    product = None
    if code:
        product = db.session.execute(select(Product).where(
            (func.lower(Product.sku) == code.lower()) | (Product.barcode == code))).scalars().first()
    if product is None:
        raise ValidationFailed(errors={"product": [_l("Produit introuvable : %(code)s.", code=code or "?")]})
    return product


def products_in_stock(store_id, limit=500):
    """The products with available units in a store, by name (what a transfer can carry)."""
    from ..catalog.models import Product

    return db.session.execute(
        select(Product, ProductStock.quantity - ProductStock.reserved)
        .join(ProductStock, ProductStock.product_id == Product.id)
        .where(ProductStock.store_id == store_id, ProductStock.quantity - ProductStock.reserved > 0)
        .order_by(Product.name).limit(limit)).all()


def _product(product_id):
    from ..catalog.models import Product

    valid = isinstance(product_id, int) and not isinstance(product_id, bool)
    product = db.session.get(Product, product_id) if valid else None
    if product is None:
        raise ValidationFailed(errors={"product": [_l("Produit introuvable.")]})
    return product


def move(store_id, product_id, quantity, movement_type, *, reference=None, note=None, user_id=None,
         from_reserved=False, serials=None, serial_status=None):
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
    """
    quantity = _check_movement(quantity, movement_type)
    product = _product(product_id)
    if product.track_serial:
        serials = clean_serials(serials, abs(quantity))
    elif serials:
        raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
    movement = _record(store_id, product_id, quantity, movement_type, reference=reference, note=note,
                       user_id=user_id, from_reserved=from_reserved)
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
    """An active store the user works in; another store is "not found" (422 on that field)."""
    from ..stores.models import Store

    store = db.session.get(Store, store_id) if isinstance(store_id, int) and not isinstance(store_id, bool) else None
    if store is None or (user is not None and not can_access_store(user, store.id)):
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


# --- transfers -----------------------------------------------------------------------------

def _clean_transfer_lines(lines, source_store_id):
    """[{"product": id, "quantity": n, "serials": [...]?}] -> [(product, quantity, [SerialNumber])]."""
    if not isinstance(lines, list):
        raise ValidationFailed(errors={"lines": [_l("Liste de lignes attendue.")]})
    cleaned, seen, errors = [], set(), inputs.FieldErrors()
    for index, line in enumerate(lines):
        field = path("lines", index)
        if not isinstance(line, dict):
            errors.add(field, _l("Ligne invalide."))
            continue
        try:
            product = _product(line.get("product"))
            quantity = check("quantity", inputs.quantity, line.get("quantity"))
            if product.id in seen:
                raise ValidationFailed(errors={"product": [_l("Ce produit figure déjà dans le transfert.")]})
            seen.add(product.id)
            units = _transfer_serials(product, quantity, line.get("serials"), source_store_id)
        except ValidationFailed as exc:
            errors.nest(field, exc.errors)
            continue
        cleaned.append((product, quantity, units))
    errors.raise_if_any()
    return cleaned


def _transfer_serials(product, quantity, serials, source_store_id):
    """The units a line will carry: optional in a draft, exactly `quantity` on-hand units when given."""
    if not product.track_serial:
        if serials:
            raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
        return []
    if not serials:
        return []
    serials = clean_serials(serials, quantity)
    units = db.session.execute(
        select(SerialNumber).where(SerialNumber.product_id == product.id, SerialNumber.serial.in_(serials),
                                   SerialNumber.store_id == source_store_id,
                                   SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES))
    ).scalars().all()
    absent = sorted(set(serials) - {unit.serial for unit in units})
    if absent:
        raise ValidationFailed(errors={"serials": [_l("Absent(s) du stock du magasin d'origine : %(serials)s.",
                                                      serials=", ".join(absent))]})
    return sorted(units, key=lambda unit: unit.serial)


def _lines_snapshot(transfer):
    return [{"product_id": line.product_id, "quantity": line.quantity, "received_quantity": line.received_quantity,
             "serials": [unit.serial for unit in line.serials]} for line in transfer.lines]


def create_transfer(user, store_id, destination_store_id, lines=(), note=None):
    """A DRAFT transfer from one of the user's stores to another store, numbered XXX-TRF-YYYY-NNNNNN."""
    source = _store(store_id, user=user)
    destination = _store(destination_store_id, field="destination_store")
    if destination.id == source.id:
        raise ValidationFailed(errors={"destination_store": [_l("Choisissez un autre magasin que le magasin d'origine.")]})
    cleaned = _clean_transfer_lines(list(lines or []), source.id)
    transfer = Transfer(store_id=source.id, destination_store_id=destination.id, status="DRAFT",
                        note=(note or "").strip() or None, created_by_id=_user_id(user))
    transfer.lines = [TransferLine(product_id=product.id, quantity=quantity, serials=units)
                      for product, quantity, units in cleaned]
    db.session.add(transfer)
    db.session.flush()
    audit.record("transfer.create", transfer, after={"status": "DRAFT", "destination_store_id": destination.id,
                                                      "lines": _lines_snapshot(transfer)})
    transfer.number = allocate_number(source, TRANSFER_DOC_TYPE, source.local_year)  # last: the sequence lock
    db.session.commit()
    return transfer


def _draft_for_source(user, transfer):
    transfer = _locked(Transfer, transfer.id)
    _require_status(transfer, "DRAFT")
    _require_store_access(user, transfer.store_id, _l("Seul le magasin d'origine peut modifier ce transfert."))
    return transfer


def update_transfer(user, transfer, *, destination_store_id=None, lines=None, note=None):
    """Change a DRAFT: destination, note, and (when given) all its lines."""
    transfer = _draft_for_source(user, transfer)
    before = {"destination_store_id": transfer.destination_store_id, "note": transfer.note,
              "lines": _lines_snapshot(transfer)}
    if destination_store_id is not None:
        destination = _store(destination_store_id, field="destination_store")
        if destination.id == transfer.store_id:
            raise ValidationFailed(errors={"destination_store": [_l("Choisissez un autre magasin que le magasin d'origine.")]})
        transfer.destination_store_id = destination.id
    if note is not None:
        transfer.note = note.strip() or None
    if lines is not None:
        cleaned = _clean_transfer_lines(lines, transfer.store_id)
        transfer.lines = []
        db.session.flush()
        transfer.lines = [TransferLine(product_id=product.id, quantity=quantity, serials=units)
                          for product, quantity, units in cleaned]
    db.session.flush()
    audit.record("transfer.update", transfer, before=before, after={
        "destination_store_id": transfer.destination_store_id, "note": transfer.note,
        "lines": _lines_snapshot(transfer)})
    db.session.commit()
    return transfer


def set_transfer_line(user, transfer, product_id, quantity, serials=None):
    """Add a product to a DRAFT, or change its quantity and serials (the screens add lines one by one)."""
    transfer = _draft_for_source(user, transfer)
    lines = [{"product": line.product_id, "quantity": line.quantity,
              "serials": [unit.serial for unit in line.serials]} for line in transfer.lines
             if line.product_id != product_id]
    lines.append({"product": product_id, "quantity": quantity, "serials": serials})
    return update_transfer(user, transfer, lines=lines)


def remove_transfer_line(user, transfer, product_id):
    transfer = _draft_for_source(user, transfer)
    lines = [{"product": line.product_id, "quantity": line.quantity,
              "serials": [unit.serial for unit in line.serials]} for line in transfer.lines
             if line.product_id != product_id]
    return update_transfer(user, transfer, lines=lines)


def send_transfer(user, transfer):
    """DRAFT -> SENT: the source's stock goes down (TRANSFER_OUT); serials travel (IN_TRANSIT)."""
    transfer = _draft_for_source(user, transfer)
    if not transfer.lines:
        raise ValidationFailed(errors={"lines": [_l("Le transfert n'a aucune ligne.")]})
    reference = Reference("Transfer", transfer.id, transfer.number)
    for line in sorted(transfer.lines, key=lambda line: line.product_id):  # locks in product order
        serials = [unit.serial for unit in line.serials]
        if line.product.track_serial and len(serials) != line.quantity:
            raise ValidationFailed(errors={"serials": [_l(
                "%(product)s : indiquez %(count)s numéro(s) de série avant l'envoi.",
                product=line.product.name, count=line.quantity)]})
        move(transfer.store_id, line.product_id, -line.quantity, "TRANSFER_OUT", reference=reference,
             user_id=_user_id(user), serials=serials or None,
             note=f"Vers {transfer.destination_store.code}")  # ledger notes are data, kept in French
    transfer.status = "SENT"
    transfer.sent_at = utcnow()
    audit.record("transfer.send", transfer, before={"status": "DRAFT"},
                 after={"status": "SENT", "lines": _lines_snapshot(transfer)})
    db.session.commit()
    return transfer


def receive_transfer(user, transfer, received=None, note=None):
    """SENT -> RECEIVED at the destination (TRANSFER_IN), by the destination's staff.

    `received`: {product_id: {"quantity": n, "serials": [...]}} for the lines that did
    not arrive in full (0 <= n <= sent); lines not named arrived in full. For a
    serial-tracked line received partly, name the serials that arrived: the others
    become MISSING. Each line keeps its received_quantity, so the difference with the
    sent quantity stays on the document and in the audit trail.
    """
    transfer = _locked(Transfer, transfer.id)
    _require_status(transfer, "SENT")
    _require_store_access(user, transfer.destination_store_id,
                          _l("Seul le magasin de destination peut réceptionner ce transfert."))
    received = dict(received or {})
    lines = {line.product_id: line for line in transfer.lines}
    unknown = sorted(str(pid) for pid in received if pid not in lines)
    if unknown:
        raise ValidationFailed(errors={"lines": [_l("Produit(s) absent(s) du transfert : %(products)s.",
                                                    products=", ".join(unknown))]})
    reference = Reference("Transfer", transfer.id, transfer.number)
    receipt = []
    for product_id, line in sorted(lines.items()):
        sent_serials = [unit.serial for unit in line.serials]
        entry = received.get(product_id) or {}
        quantity = entry.get("quantity", line.quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= line.quantity:
            raise ValidationFailed(errors={"received_quantity": [_l(
                "%(product)s : quantité reçue entre 0 et %(sent)s attendue.", product=line.product.name,
                sent=line.quantity)]})
        arrived = sent_serials
        if sent_serials and quantity != line.quantity:
            if entry.get("serials") is None:
                raise ValidationFailed(errors={"serials": [_l(
                    "%(product)s : indiquez les numéros de série reçus.", product=line.product.name)]})
            arrived = clean_serials(entry["serials"], quantity)
            strangers = sorted(set(arrived) - set(sent_serials))
            if strangers:
                raise ValidationFailed(errors={"serials": [_l(
                    "%(product)s : numéro(s) non envoyé(s) avec ce transfert : %(serials)s.",
                    product=line.product.name, serials=", ".join(strangers))]})
        if quantity:
            move(transfer.destination_store_id, product_id, quantity, "TRANSFER_IN", reference=reference,
                 user_id=_user_id(user), serials=arrived or None,
                 note=f"Depuis {transfer.store.code}")
        lost = sorted(set(sent_serials) - set(arrived))
        _set_serial_status(product_id, lost, ("IN_TRANSIT",), "MISSING")
        line.received_quantity = quantity
        receipt.append({"product_id": product_id, "sent": line.quantity, "received": quantity,
                        "difference": quantity - line.quantity, "missing_serials": lost})
    transfer.status = "RECEIVED"
    transfer.received_at = utcnow()
    transfer.receipt_note = (note or "").strip() or None
    audit.record("transfer.receive", transfer, store_id=transfer.store_id, before={"status": "SENT"},
                 after={"status": "RECEIVED", "destination_store_id": transfer.destination_store_id,
                        "lines": receipt, "note": transfer.receipt_note})
    db.session.commit()
    return transfer


def cancel_transfer(user, transfer, reason=None):
    """DRAFT or SENT -> CANCELLED, by the source's staff.

    A SENT transfer is cancelled only when its goods came back: they re-enter the
    source's stock (TRANSFER_IN movements in the source store, serials IN_STOCK again),
    so the ledger shows the way out and the way back. A reason is required then.
    A RECEIVED transfer cannot be cancelled (send the goods back with a new transfer).
    """
    transfer = _locked(Transfer, transfer.id)
    _require_status(transfer, "DRAFT", "SENT")
    _require_store_access(user, transfer.store_id, _l("Seul le magasin d'origine peut annuler ce transfert."))
    reason = (reason or "").strip() or None
    before = transfer.status
    if before == "SENT":
        if not reason:
            raise ValidationFailed(errors={"reason": [_l(
                "Indiquez pourquoi le transfert envoyé est annulé (les marchandises reviennent au magasin d'origine).")]})
        reference = Reference("Transfer", transfer.id, transfer.number)
        for line in sorted(transfer.lines, key=lambda line: line.product_id):
            move(transfer.store_id, line.product_id, line.quantity, "TRANSFER_IN", reference=reference,
                 user_id=_user_id(user), serials=[unit.serial for unit in line.serials] or None,
                 note="Annulation : retour au magasin d'origine")
    transfer.status = "CANCELLED"
    transfer.cancel_reason = reason
    audit.record("transfer.cancel", transfer, before={"status": before},
                 after={"status": "CANCELLED", "reason": reason, "goods_returned": before == "SENT"})
    db.session.commit()
    return transfer


# --- stock counts -----------------------------------------------------------------------------

def open_count(user, store_id, product_ids=None, note=None, category_id=None):
    """An OPEN count of a store, numbered XXX-INV-YYYY-NNNNNN, with the expected quantities snapshotted.

    Without `product_ids`: every product that has a stock row in the store (even at 0),
    or only those of `category_id` and its sub-categories.
    """
    store = _store(store_id, user=user)
    if product_ids is None:
        query = select(ProductStock.product_id, ProductStock.quantity).where(ProductStock.store_id == store.id)
        if category_id is not None:
            from ..catalog.models import Product
            from .filters import category_and_children

            query = query.where(ProductStock.product_id.in_(
                select(Product.id).where(Product.category_id.in_(category_and_children(category_id)))))
        rows = db.session.execute(query.order_by(ProductStock.product_id)).all()
        expected = {row.product_id: row.quantity for row in rows}
    else:
        if not isinstance(product_ids, list):
            raise ValidationFailed(errors={"products": [_l("Liste de produits attendue.")]})
        expected = {}
        for product_id in product_ids:
            product = _product(product_id)
            expected[product.id] = _quantity(store.id, product.id)
    if not expected:
        raise ValidationFailed(errors={"products": [_l("Aucun produit à compter dans ce magasin.")]})
    count = StockCount(store_id=store.id, status="OPEN", note=(note or "").strip() or None,
                       created_by_id=_user_id(user))
    count.lines = [StockCountLine(product_id=pid, expected_quantity=qty) for pid, qty in sorted(expected.items())]
    db.session.add(count)
    db.session.flush()
    audit.record("stock_count.open", count, after={"status": "OPEN", "products": len(count.lines)})
    count.number = allocate_number(store, COUNT_DOC_TYPE, store.local_year)  # last: the sequence lock
    db.session.commit()
    return count


def _open_count_of_store(user, count):
    count = _locked(StockCount, count.id)
    _require_status(count, "OPEN")
    _require_store_access(user, count.store_id, _l("Cet inventaire n'est pas celui de vos magasins."))
    return count


def enter_counts(user, count, entries):
    """Record counted quantities (again if needed) while the count is OPEN.

    `entries`: [{"product": id, "counted_quantity": n}] or, for a serial-tracked product,
    [{"product": id, "serials": [...]}] (the units found; counted_quantity = their number).
    Each line also notes the stock at that moment (book_quantity): the difference is
    counted - book_quantity. Serials are compared with those on the shelf: the missing
    ones and the unexpected ones are flagged on the line.
    """
    count = _open_count_of_store(user, count)
    if not isinstance(entries, list) or not entries:
        raise ValidationFailed(errors={"lines": [_l("Saisissez au moins une ligne.")]})
    lines = {line.product_id: line for line in count.lines}
    errors, changes = inputs.FieldErrors(), []
    for index, entry in enumerate(entries):
        try:
            line = _count_line(lines, entry)
            changes.append(_enter_count(count, line, entry))
        except (ValidationFailed, SerialNotAvailable) as exc:
            errors.nest(path("lines", index), exc.errors or {"": [exc.message]})
    errors.raise_if_any()
    audit.record("stock_count.count", count, after={"lines": changes})
    db.session.commit()
    return count


def _count_line(lines, entry):
    if not isinstance(entry, dict):
        raise ValidationFailed(errors={"line": [_l("Ligne invalide.")]})
    line = lines.get(entry.get("product"))
    if line is None:
        raise ValidationFailed(errors={"product": [_l("Ce produit ne fait pas partie de l'inventaire.")]})
    return line


def _enter_count(count, line, entry):
    counted = entry.get("counted_quantity")
    if line.product.track_serial:
        if entry.get("serials") is None:
            raise ValidationFailed(errors={"serials": [_l("Produit suivi par numéro de série : saisissez les numéros trouvés.")]})
        serials = clean_serials(entry["serials"])
        if counted is not None and counted != len(serials):
            raise ValidationFailed(errors={"counted_quantity": [_l(
                "La quantité comptée doit égaler le nombre de numéros de série (%(count)s).", count=len(serials))]})
        on_hand = set(serials_on_hand(count.store_id, line.product_id))
        unexpected = sorted(set(serials) - on_hand)
        _check_unexpected_serials(count.store_id, line.product_id, unexpected)
        line.counted_serials = sorted(serials)
        line.missing_serials = sorted(on_hand - set(serials))
        line.unexpected_serials = unexpected
        counted = len(serials)
    else:
        if entry.get("serials"):
            raise ValidationFailed(errors={"serials": [_l("Ce produit n'est pas suivi par numéro de série.")]})
        counted = check("counted_quantity", inputs.quantity, counted, minimum=0)
    line.counted_quantity = counted
    line.book_quantity = _quantity(count.store_id, line.product_id)
    line.counted_at = utcnow()
    return {"product_id": line.product_id, "counted": counted, "book": line.book_quantity,
            "missing_serials": line.missing_serials, "unexpected_serials": line.unexpected_serials}


def _check_unexpected_serials(store_id, product_id, serials):
    """A unit found on the shelf but not in the books must be unknown or MISSING, not elsewhere."""
    if not serials:
        return
    elsewhere = db.session.execute(
        select(SerialNumber.serial, SerialNumber.status).where(
            SerialNumber.product_id == product_id, SerialNumber.serial.in_(serials),
            SerialNumber.status != "MISSING")
    ).all()
    if elsewhere:
        raise SerialNotAvailable(_l("Numéro(s) de série enregistré(s) hors du stock de ce magasin : %(detail)s. "
                                    "Vérifiez le comptage.",
                                    detail=", ".join(f"{row.serial} ({row.status})" for row in elsewhere)))


def validate_count(user, count):
    """OPEN -> VALIDATED by a manager (the permission can_validate): one COUNT movement per difference.

    The difference of a line is counted - book_quantity (the stock when it was counted),
    applied to today's stock: sales made after the count are kept. If applying it would
    take the stock below zero (the count is stale), nothing is validated (409): recount.
    Serials: the missing units become MISSING, the unexpected ones enter the stock; if
    any of them changed since the count, validation is refused (409): recount.
    Every line must have been counted.
    """
    count = _open_count_of_store(user, count)
    uncounted = [line.product.name for line in count.lines if line.counted_quantity is None]
    if uncounted:
        raise Conflict(_l("Ligne(s) non comptée(s) : %(products)s.", products=", ".join(uncounted[:10])
                          + (" …" if len(uncounted) > 10 else "")))
    reference = Reference("StockCount", count.id, count.number)
    differences = []
    for line in sorted(count.lines, key=lambda line: line.product_id):
        delta = line.difference
        if delta:
            try:
                _record(count.store_id, line.product_id, delta, "COUNT", reference=reference, user_id=_user_id(user),
                        note=f"Inventaire {count.number}")
            except NotEnoughStock:
                raise Conflict(_l("L'écart de « %(product)s » (%(delta)s) ferait passer le stock sous zéro : "
                                  "des ventes ont eu lieu depuis le comptage. Recomptez ce produit.",
                                  product=line.product.name, delta=delta)) from None
        if line.product.track_serial:
            _apply_counted_serials(count, line)
        if delta or line.missing_serials or line.unexpected_serials:
            differences.append({"product_id": line.product_id, "counted": line.counted_quantity,
                                "book": line.book_quantity, "difference": delta,
                                "missing_serials": line.missing_serials or [],
                                "unexpected_serials": line.unexpected_serials or []})
    count.status = "VALIDATED"
    count.validated_by_id = _user_id(user)
    count.validated_at = utcnow()
    audit.record("stock_count.validate", count, before={"status": "OPEN"},
                 after={"status": "VALIDATED", "differences": differences})
    db.session.commit()
    return count


def _apply_counted_serials(count, line):
    missing = line.missing_serials or []
    unexpected = line.unexpected_serials or []
    gone = _set_serial_status(line.product_id, missing, ON_HAND_SERIAL_STATUSES, "MISSING", store_id=count.store_id)
    if len(gone) != len(missing):
        raise Conflict(_l("Les numéros de série de « %(product)s » ont changé depuis le comptage : recomptez ce produit.",
                          product=line.product.name))
    try:
        _bring_serials(count.store_id, line.product_id, unexpected, ("MISSING",), new_allowed=True, status="IN_STOCK")
    except SerialNotAvailable:
        raise Conflict(_l("Les numéros de série de « %(product)s » ont changé depuis le comptage : recomptez ce produit.",
                          product=line.product.name)) from None


def cancel_count(user, count, reason=None):
    """OPEN -> CANCELLED: nothing moves; the number stays used."""
    count = _open_count_of_store(user, count)
    count.status = "CANCELLED"
    count.cancel_reason = (reason or "").strip() or None
    audit.record("stock_count.cancel", count, before={"status": "OPEN"},
                 after={"status": "CANCELLED", "reason": count.cancel_reason})
    db.session.commit()
    return count
