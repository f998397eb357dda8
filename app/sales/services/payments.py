"""The effects of payments on a sale, called by the till (cashier.services) inside its transaction:
reserve and release stock, complete a fully paid sale.
"""
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ...core.models import utcnow
from ...extensions import db
from ...stock import services as stock
from ...stock.services import Reference
from ..models import PAID, SaleItem
from .base import ensure_transition


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
