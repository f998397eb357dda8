"""Shared by the sales, cashier and customers tests: a small catalog with stock, ids by name."""
from types import SimpleNamespace

from app.extensions import db
from tests.factories import make_product, put_in_stock, store_by_code, user_by_email


def make_shop(app):
    """Three products in stock in DLA1 (and a few in YDE1); returns ids, not ORM objects."""
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("RT-AX55", "Routeur Wi-Fi 6 AX1800", sale_price="45000", min_sale_price="40000")
        switch = make_product("SW-8P", "Switch 8 ports Gigabit", sale_price="15000")
        cable = make_product("CBL-CAT6", "Câble réseau Cat6 3 m", sale_price="2500", tax_rate=0)
        for product, quantity in ((router, 10), (switch, 20), (cable, 100)):
            put_in_stock(dla, product, quantity, "PURCHASE")
        put_in_stock(yde, switch, 5, "PURCHASE")
        ids = SimpleNamespace(
            dla=dla.id, yde=yde.id, router=router.id, switch=switch.id, cable=cable.id,
            seller=user_by_email("vendeur1@boutique.cm").id, cashier=user_by_email("caissier@boutique.cm").id,
            manager=user_by_email("manager@boutique.cm").id, admin=user_by_email("admin@boutique.cm").id,
        )
        db.session.remove()
        return ids


def user(user_id):
    from app.extensions import security_manager

    return security_manager().get_user_by_id(user_id)
