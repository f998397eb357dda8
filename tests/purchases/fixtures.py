"""Shared by the purchases tests: suppliers, products, orders made through the services."""
from decimal import Decimal
from types import SimpleNamespace

from app.extensions import db, security_manager
from app.purchases import services
from app.purchases.models import Supplier
from tests.factories import make_product, store_by_code, user_by_email


def make_supplier(name="CFAO Technologies", **values):
    supplier = Supplier(name=name, phone=values.pop("phone", "+237233400000"), **values)
    db.session.add(supplier)
    db.session.commit()
    return supplier


def make_purchase_shop(app):
    """Two suppliers and three products (one serial-tracked); ids, not ORM objects."""
    with app.app_context():
        cfao = make_supplier("CFAO Technologies", email="ventes@cfao.cm", tax_id="M012345678901A")
        sonic = make_supplier("Sonic Distribution")
        router = make_product("PO-RT-AX55", "Routeur Wi-Fi 6 AX1800", sale_price="45000", barcode="6210000100013",
                              cost_price=Decimal("10000"), reorder_level=3)
        phone = make_product("PO-TEL-A15", "Smartphone A15 128 Go", sale_price="120000", track_serial=True,
                             warranty_months=12, cost_price=Decimal("80000"), reorder_level=2)
        cable = make_product("PO-CBL-CAT6", "Câble réseau Cat6 3 m", sale_price="2500",
                             cost_price=Decimal("900"), reorder_level=10)
        ids = SimpleNamespace(
            dla=store_by_code("DLA1").id, yde=store_by_code("YDE1").id, cfao=cfao.id, sonic=sonic.id,
            router=router.id, phone=phone.id, cable=cable.id,
            manager=user_by_email("manager@boutique.cm").id, stocker=user_by_email("magasinier@boutique.cm").id,
            seller=user_by_email("vendeur1@boutique.cm").id, cashier=user_by_email("caissier@boutique.cm").id,
        )
        db.session.remove()
        return ids


def user(user_id):
    return security_manager().get_user_by_id(user_id)


def sent_order(shop, lines, store=None, supplier=None):
    """A SENT order of DLA1 (by default) from CFAO; `lines`: [(product id, quantity, unit cost)]."""
    order = services.create_order(user(shop.manager), store or shop.dla, supplier or shop.cfao,
                                  [{"product": p, "quantity": q, "unit_cost": c} for p, q, c in lines])
    return services.send_order(user(shop.manager), order)
