"""Catalog: categories (a tree), brands, products with their images and specs."""
import unicodedata
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)

from ..core.models import ref, utcnow, written_at
from ..core.money import MoneyColumn
from ..extensions import db

DEFAULT_TAX_RATE = Decimal("19.25")
CATEGORY_PATH_SEPARATOR = " > "


def normalise(text):
    """Lower case without accents: the form product search compares ("Écran" ~ "ecran")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


class Category(db.Model):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_category_parent_name"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    parent_id = ref("category", nullable=True, index=True)

    parent = db.relationship("Category", remote_side=[id], backref="children")

    @property
    def path(self):
        """"Réseau > Routeurs": the names from the root down (what screens and Excel files show)."""
        names, node, seen = [], self, set()
        while node is not None and id(node) not in seen:  # `seen`: never loop on a broken tree
            seen.add(id(node))
            names.append(node.name or "")
            node = node.parent
        return CATEGORY_PATH_SEPARATOR.join(reversed(names))

    def __repr__(self):
        return self.path


class Brand(db.Model):
    __tablename__ = "brand"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)

    def __repr__(self):
        return self.name


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("cost_price >= 0", name="ck_product_cost_price"),
        CheckConstraint("sale_price >= 0", name="ck_product_sale_price"),
        CheckConstraint("min_sale_price IS NULL OR (min_sale_price >= 0 AND min_sale_price <= sale_price)",
                        name="ck_product_min_sale_price"),
        CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="ck_product_tax_rate"),
        CheckConstraint("reorder_level >= 0", name="ck_product_reorder_level"),
        CheckConstraint("warranty_months >= 0", name="ck_product_warranty"),
    )

    id = Column(Integer, primary_key=True)
    sku = Column(String(64), nullable=False, unique=True)
    barcode = Column(String(32), nullable=True, unique=True)
    name = Column(String(200), nullable=False)
    # name + sku, lower case and without accents, kept by the ORM: what search compares
    search_text = Column(String(300), nullable=False, default="", index=True)
    category_id = ref("category", nullable=True, index=True)
    brand_id = ref("brand", nullable=True, index=True)
    description = Column(Text)
    cost_price = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    sale_price = Column(MoneyColumn, nullable=False)
    min_sale_price = Column(MoneyColumn, nullable=True)  # floor a seller cannot go under without approval
    tax_rate = Column(Numeric(5, 2), nullable=False, default=DEFAULT_TAX_RATE)  # prices are tax-inclusive
    reorder_level = Column(Integer, nullable=False, default=0)
    is_active = Column(Boolean, nullable=False, default=True)
    track_serial = Column(Boolean, nullable=False, default=False)
    warranty_months = Column(Integer, nullable=False, default=0)
    created_at = written_at()
    updated_at = written_at(onupdate=utcnow)

    category = db.relationship("Category")
    brand = db.relationship("Brand")
    images = db.relationship("ProductImage", back_populates="product", cascade="all, delete-orphan")
    specs = db.relationship("ProductSpec", back_populates="product", cascade="all, delete-orphan")

    def __repr__(self):
        return f"{self.sku} · {self.name}"


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _keep_search_text(_mapper, _connection, product):
    product.search_text = search_text_of(product.name, product.sku)


def search_text_of(name, sku):
    """What Product.search_text holds (bulk inserts, which skip ORM events, call it too)."""
    return normalise(f"{name} {sku}")[:300]


class ProductImage(db.Model):
    """An uploaded picture, stored outside static/ under a generated name."""

    __tablename__ = "product_image"

    id = Column(Integer, primary_key=True)
    product_id = ref("product", ondelete="CASCADE", index=True)
    filename = Column(String(64), nullable=False, unique=True)
    original_name = Column(String(255))
    content_type = Column(String(32), nullable=False)
    size = Column(Integer, nullable=False)
    created_at = written_at()

    product = db.relationship("Product", back_populates="images")

    def __repr__(self):
        return self.original_name or self.filename


class ProductSpec(db.Model):
    __tablename__ = "product_spec"
    __table_args__ = (UniqueConstraint("product_id", "key", name="uq_product_spec_key"),)

    id = Column(Integer, primary_key=True)
    product_id = ref("product", ondelete="CASCADE", index=True)
    key = Column(String(80), nullable=False)
    value = Column(String(255), nullable=False)

    product = db.relationship("Product", back_populates="specs")

    def __repr__(self):
        return f"{self.key}: {self.value}"
