"""The demo catalog of `flask seed-data`: valid barcodes, stock through the ledger, serials, seeded once."""
from sqlalchemy import func, select

from app.catalog.demo import PRODUCTS, luhn_digit
from app.catalog.models import Brand, Category, Product
from app.catalog.services import is_valid_ean13
from app.extensions import db
from app.stock import services as stock
from app.stock.models import InventoryMovement, ProductStock, SerialNumber
from app.stores.models import Store


def _catalog_snapshot():
    def rows(*columns):
        return db.session.execute(select(*columns).order_by(columns[0])).all()

    return (rows(Category.id, Category.name, Category.parent_id), rows(Brand.id, Brand.name),
            rows(Product.id, Product.sku, Product.barcode, Product.sale_price),
            rows(ProductStock.id, ProductStock.quantity), rows(InventoryMovement.id),
            rows(SerialNumber.id, SerialNumber.serial, SerialNumber.store_id))


def test_the_demo_catalog_is_realistic(app):
    with app.app_context():
        products = db.session.execute(select(Product)).scalars().all()
        assert len(products) == len(PRODUCTS) == 30
        assert all(is_valid_ean13(p.barcode) for p in products)
        assert all(p.min_sale_price <= p.sale_price and p.cost_price < p.sale_price for p in products)
        serial_tracked = [p for p in products if p.track_serial]
        assert {p.category.name for p in serial_tracked} >= {"Smartphones", "Ordinateurs portables"}
        assert all(p.warranty_months >= 12 for p in serial_tracked)
        paths = {c.path for c in db.session.execute(select(Category)).scalars()}
        assert {"Informatique > Ordinateurs portables", "Réseau > Routeurs", "Réseau > Switches", "Réseau > Câbles",
                "Téléphonie > Smartphones", "Accessoires"} <= paths


def test_demo_stock_went_through_the_ledger_with_one_serial_per_unit(app):
    with app.app_context():
        stores = db.session.execute(select(Store)).scalars().all()
        for product in db.session.execute(select(Product)).scalars():
            for store in stores:
                row = stock.stock_of(store.id, product.id)
                assert row is not None and row.quantity > 0
                assert row.quantity == stock.ledger_sum(store.id, product.id)
                serials = db.session.execute(select(SerialNumber.serial).where(
                    SerialNumber.product_id == product.id, SerialNumber.store_id == store.id,
                    SerialNumber.status == "IN_STOCK")).scalars().all()
                assert len(serials) == (row.quantity if product.track_serial else 0)
        types = set(db.session.execute(select(InventoryMovement.type)).scalars())
        assert types == {"PURCHASE"}
        imeis = db.session.execute(select(SerialNumber.serial).join(Product).join(Category).where(
            Category.name == "Smartphones")).scalars().all()
        assert imeis and all(len(i) == 15 and luhn_digit(i[:14]) == int(i[14]) for i in imeis)


def test_the_catalog_is_seeded_once(app):
    with app.app_context():
        first = _catalog_snapshot()
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["seed-data"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert _catalog_snapshot() == first
        assert db.session.execute(select(func.count()).select_from(Product)).scalar() == 30
