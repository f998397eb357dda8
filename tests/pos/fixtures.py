"""A small shop for the POS tests: products with EAN-13 barcodes and stock in DLA1 (ids, not ORM objects)."""
from types import SimpleNamespace

from app.catalog.services import ean13_check_digit
from app.extensions import db
from tests.conftest import DEMO
from tests.factories import make_product, put_in_stock, put_serials_in_stock, store_by_code, user_by_email

HX = {"HX-Request": "true"}


def ean(number):
    """A valid EAN-13 (prefix 699, outside the demo catalog's 620123)."""
    first = f"699{number:09d}"
    return first + str(ean13_check_digit(first))


def make_pos_shop(app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        router = make_product("POS-RT-AX55", "Routeur Wi-Fi 6 Archer AX55", sale_price="45000",
                              min_sale_price="40000", barcode=ean(1))
        switch = make_product("POS-SW-8P", "Switch 8 ports Gigabit TL-SG108", sale_price="15000", barcode=ean(2))
        cable = make_product("POS-CBL-CAT6", "Câble réseau Cat6 3 m", sale_price="2500", tax_rate=0, barcode=ean(3))
        phone = make_product("POS-TEL-A15", "Smartphone Galaxy A15", sale_price="115000", barcode=ean(4),
                             track_serial=True, warranty_months=12)
        for product, quantity in ((router, 10), (switch, 20), (cable, 100)):
            put_in_stock(dla, product, quantity, "PURCHASE")
        put_in_stock(yde, switch, 5, "PURCHASE")
        put_serials_in_stock(dla, phone, ["IMEI-350000001", "IMEI-350000002", "IMEI-350000003"])
        put_serials_in_stock(yde, phone, ["IMEI-359999999"])
        shop = SimpleNamespace(
            dla=dla.id, yde=yde.id, router=router.id, switch=switch.id, cable=cable.id, phone=phone.id,
            router_ean=router.barcode, switch_ean=switch.barcode, cable_ean=cable.barcode, phone_ean=phone.barcode,
            seller=user_by_email("vendeur1@boutique.cm").id, cashier=user_by_email("caissier@boutique.cm").id,
            manager=user_by_email("manager@boutique.cm").id,
        )
        db.session.remove()
        return shop


def login(client, role):
    """Sign in through the login form (session cookie), as a person does."""
    email, password = DEMO[role]
    response = client.post("/login/", data={"username": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def text_of(response):
    """The answer's text without markup, whitespace squeezed (for assertions on what people read)."""
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
