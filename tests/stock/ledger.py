"""The invariant every stock test checks after each operation."""
from sqlalchemy import func, select

from app.catalog.models import Product
from app.extensions import db
from app.stock.models import ON_HAND_SERIAL_STATUSES, InventoryMovement, ProductStock, SerialNumber


def assert_stock_equals_ledger():
    """Every stock row equals the sum of its movements, its last balance_after, and, for a
    serial-tracked product, the number of its serials on the shelf. Returns {(store, product): qty}."""
    sums = dict(((row.store_id, row.product_id), row.total) for row in db.session.execute(
        select(InventoryMovement.store_id, InventoryMovement.product_id,
               func.sum(InventoryMovement.quantity).label("total"))
        .group_by(InventoryMovement.store_id, InventoryMovement.product_id)))
    last_balance = {}
    for movement in db.session.execute(select(InventoryMovement).order_by(InventoryMovement.id)).scalars():
        last_balance[(movement.store_id, movement.product_id)] = movement.balance_after
    serials = dict(((row.store_id, row.product_id), row.units) for row in db.session.execute(
        select(SerialNumber.store_id, SerialNumber.product_id, func.count().label("units"))
        .where(SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES))
        .group_by(SerialNumber.store_id, SerialNumber.product_id)))
    stock = {}
    for row, track_serial in db.session.execute(
            select(ProductStock, Product.track_serial).join(Product, Product.id == ProductStock.product_id)):
        key = (row.store_id, row.product_id)
        assert row.quantity == sums.get(key, 0), f"stock {key} = {row.quantity}, ledger = {sums.get(key, 0)}"
        assert row.quantity == last_balance.get(key, 0), f"stock {key}: last balance_after differs"
        if track_serial:
            assert row.quantity == serials.get(key, 0), f"stock {key} = {row.quantity}, serials on hand = {serials.get(key, 0)}"
        stock[key] = row.quantity
    assert set(sums) <= set(stock), "movements without a stock row"
    return stock


def serial_states(product_id):
    """{serial: (store_id, status)} of a product."""
    return {unit.serial: (unit.store_id, unit.status) for unit in db.session.execute(
        select(SerialNumber).where(SerialNumber.product_id == product_id)).scalars()}
