"""The one stock service everything that moves goods uses: move, reserve, release, consume.

Each call runs inside the caller's transaction (it never commits). Quantities change
through one conditional UPDATE, so stock never goes negative even when several
tills sell the last unit at once: the row lock serialises them and the losers find
no row to update (NotEnoughStock). Callers that touch several products pass them
together so rows are locked in product order (no deadlock between two baskets).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core.audit import current_user_id
from ..core.errors import Conflict, ValidationFailed
from ..extensions import db
from .models import MOVEMENT_TYPES, InventoryMovement, ProductStock


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


def move(store_id, product_id, quantity, movement_type, *, reference=None, note=None, user_id=None,
         from_reserved=False):
    """Add `quantity` (signed) to the store's stock and write the ledger row.

    A decrease never takes reserved units unless `from_reserved` (the final payment
    of a sale consumes its own reservation).
    """
    if movement_type not in MOVEMENT_TYPES:
        raise ValidationFailed(errors={"type": [_l("Type de mouvement inconnu.")]})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0:
        raise ValidationFailed(errors={"quantity": [_l("Quantité entière non nulle attendue.")]})
    if quantity > 0:
        _ensure_row(store_id, product_id)
        statement = update(ProductStock).where(*_row_filter(store_id, product_id)).values(
            quantity=ProductStock.quantity + quantity)
    elif from_reserved:
        statement = update(ProductStock).where(
            *_row_filter(store_id, product_id), ProductStock.reserved >= -quantity
        ).values(quantity=ProductStock.quantity + quantity, reserved=ProductStock.reserved + quantity)
    else:
        statement = update(ProductStock).where(
            *_row_filter(store_id, product_id), ProductStock.quantity - ProductStock.reserved >= -quantity
        ).values(quantity=ProductStock.quantity + quantity)
    balance = db.session.execute(statement.returning(ProductStock.quantity)).scalar_one_or_none()
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


def move_many(store_id, lines, movement_type, **kwargs):
    """Several products at once, locked in product order. `lines`: {product_id: signed quantity}."""
    return [move(store_id, product_id, quantity, movement_type, **kwargs)
            for product_id, quantity in sorted(lines.items()) if quantity]


def reserve(store_id, product_id, quantity):
    """Hold units for a partly paid sale so that nobody else sells them."""
    _check_positive(quantity)
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
    _check_positive(quantity)
    done = db.session.execute(
        update(ProductStock)
        .where(*_row_filter(store_id, product_id), ProductStock.reserved >= quantity)
        .values(reserved=ProductStock.reserved - quantity)
        .returning(ProductStock.id)
    ).scalar_one_or_none()
    if done is None:
        raise Conflict(_l("Cette quantité n'est pas réservée."))


def _check_positive(quantity):
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationFailed(errors={"quantity": [_l("Quantité entière positive attendue.")]})


def stock_of(store_id, product_id):
    """The ProductStock row (or None): quantity, reserved, available."""
    return db.session.execute(select(ProductStock).where(*_row_filter(store_id, product_id))).scalar_one_or_none()


def ledger_sum(store_id, product_id):
    """The sum of the product's movements in that store: always equals ProductStock.quantity."""
    from sqlalchemy import func

    return db.session.execute(
        select(func.coalesce(func.sum(InventoryMovement.quantity), 0)).where(
            InventoryMovement.store_id == store_id, InventoryMovement.product_id == product_id)
    ).scalar_one()
