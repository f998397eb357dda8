"""Where each alert leads: the screen of its object (product stock, sale, shift variances, seller's sales,
credit account)."""
from flask import url_for
from sqlalchemy import select

from ..extensions import db
from .models import CASH_VARIANCE, SELLER_DISCOUNT


def links_for(alerts):
    """{alert id: URL} for a page of alerts (one query for the products' skus)."""
    from ..catalog.models import Product

    product_ids = {a.object_id for a in alerts if a.object_type == "Product"}
    skus = dict(db.session.execute(select(Product.id, Product.sku).where(Product.id.in_(product_ids))).all()) \
        if product_ids else {}
    links = {}
    for alert in alerts:
        if alert.object_type == "Product":
            links[alert.id] = url_for("ProductStockModelView.list", store=alert.store_id,
                                      search=skus.get(alert.object_id, ""))
        elif alert.object_type == "Sale":
            links[alert.id] = url_for("SaleModelView.show", pk=alert.object_id)
        elif alert.object_type == "CustomerAccount":
            links[alert.id] = url_for("CreditAccountModelView.show", pk=alert.object_id)
        elif alert.type == CASH_VARIANCE:
            links[alert.id] = url_for("ShiftVarianceView.show")
        elif alert.type == SELLER_DISCOUNT:
            links[alert.id] = url_for("SaleModelView.list", _flt_0_seller=alert.object_id)
        else:
            links[alert.id] = None
    return links
