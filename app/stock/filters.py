"""Query filters of the stock screens and APIs (FAB BaseFilter: apply(query, value)).

TransferScopeFilter is the store scoping of transfers: a transfer belongs to its source
store, but the destination's staff must see it to receive it. The others narrow the
stock list (store, category with its sub-categories, brand, low stock, product text).
"""
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ..core.scoping import StoreScopeFilter
from ..extensions import db
from .models import ProductStock


class TransferScopeFilter(StoreScopeFilter):
    """Transfers whose source or destination is one of the user's stores (ADMIN: all)."""

    name = "Transfer scope"
    columns = ("store_id", "destination_store_id")


def transfer_scope():
    return [["store_id", TransferScopeFilter, lambda: None]]


def _product_ids(*conditions):
    from ..catalog.models import Product

    return select(Product.id).where(*conditions)


def category_and_children(category_id):
    """The category and every category below it (the tree is small: read it once)."""
    from ..catalog.models import Category

    children = {}
    for cid, parent_id in db.session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent_id, []).append(cid)
    found, todo = set(), [category_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, []))
    return found


class ColumnEqualsFilter(BaseFilter):
    """`column_name` (e.g. store_id) equals the value, on the view's own model."""

    name = "="
    arg_name = "eq_id"

    def apply(self, query, value):
        return query.filter(getattr(self.model, self.column_name) == value)


class StockCategoryFilter(BaseFilter):
    """The category or any of its sub-categories."""

    name = "Catégorie"
    arg_name = "category"

    def apply(self, query, value):
        from ..catalog.models import Product

        return query.filter(ProductStock.product_id.in_(_product_ids(Product.category_id.in_(category_and_children(value)))))


class StockBrandFilter(BaseFilter):
    name = "Marque"
    arg_name = "brand"

    def apply(self, query, value):
        from ..catalog.models import Product

        return query.filter(ProductStock.product_id.in_(_product_ids(Product.brand_id == value)))


class LowStockFilter(BaseFilter):
    """available <= the product's reorder level (what the low-stock alert watches)."""

    name = "Stock bas"
    arg_name = "low"

    def apply(self, query, value):
        from ..catalog.models import Product

        if not value:
            return query
        # an alias: the list may already join product (ordering by name), which would swallow the correlation
        product = aliased(Product)
        reorder_level = select(product.reorder_level).where(product.id == ProductStock.product_id).scalar_subquery()
        return query.filter(ProductStock.quantity - ProductStock.reserved <= reorder_level)


class StockTextFilter(BaseFilter):
    """Every word in the product's name or sku (case- and accent-insensitive), or its barcode."""

    name = "Recherche"
    arg_name = "q"

    def apply(self, query, value):
        from ..catalog.models import Product, normalise

        words = normalise(value).split()[:8]
        if not words:
            return query
        by_words = and_(*[Product.search_text.contains(word, autoescape=True) for word in words])
        return query.filter(ProductStock.product_id.in_(
            select(Product.id).where(or_(Product.barcode == value.strip(), by_words))))
