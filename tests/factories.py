"""Objects for tests, created through the same code paths as the app."""
from types import SimpleNamespace

from app.catalog.services import ean13_check_digit
from app.extensions import db, security_manager
from app.security import hash_password
from app.stores.models import Store
from app.stores.services import add_user_to_store


def make_store(code, name=None, **values):
    store = Store(code=code, name=name or f"Magasin {code}", **values)
    db.session.add(store)
    db.session.commit()
    return store


def make_user(email, password, role, stores=()):
    sm = security_manager()
    user = sm.user_model(username=email, email=email, first_name=email.split("@")[0], last_name="Test",
                         active=True, roles=[sm.find_role(role)], password=hash_password(password))
    db.session.add(user)
    db.session.flush()
    for store in stores:
        add_user_to_store(store, user)
    db.session.commit()
    return user


def store_by_code(code):
    return db.session.execute(db.select(Store).where(Store.code == code)).scalar_one()


def make_product(sku, name=None, sale_price="15000", **values):
    from decimal import Decimal

    from app.catalog.models import Product

    product = Product(sku=sku, name=name or f"Produit {sku}", sale_price=Decimal(sale_price), **values)
    db.session.add(product)
    db.session.commit()
    return product


def put_in_stock(store, product, quantity, movement_type="ADJUSTMENT"):
    from app.stock import services

    services.move(store.id, product.id, quantity, movement_type, note="stock de test")
    db.session.commit()


def put_serials_in_stock(store, product, serials, movement_type="PURCHASE"):
    """Units of a serial-tracked product enter the store's stock, one serial each."""
    from app.stock import services

    services.receive_serials(store.id, product.id, list(serials), movement_type, note="stock de test")
    db.session.commit()


# --- customers, sales, shifts (issue 4) ------------------------------------------------------

def user_by_email(email):
    return security_manager().find_user(email=email)


def make_customer(store, name="Jean-Paul Mbarga", phone="+237699112233", **values):
    from app.customers.models import Customer

    customer = Customer(name=name, phone=phone, store_id=store.id, **values)
    db.session.add(customer)
    db.session.commit()
    return customer


def make_draft(store, seller, lines, customer=None, discount=None):
    """A DRAFT by `seller`; `lines`: [(product, quantity), (product, quantity, unit_price, discount), ...]."""
    from app.sales import services

    items = []
    for line in lines:
        product, quantity, *rest = line
        item = {"product": product.id, "quantity": quantity}
        if rest:
            item["unit_price"] = rest[0]
        if len(rest) > 1:
            item["discount"] = rest[1]
        items.append(item)
    return services.create_draft(seller, store.id, items, customer=customer.id if customer else None,
                                 discount=discount)


def make_pending_sale(store, seller, lines, **kwargs):
    """A sale submitted to the till (PENDING_PAYMENT, numbered)."""
    from app.sales import services

    sale = make_draft(store, seller, lines, **kwargs)
    return services.submit_sale(seller, sale.id)


def open_shift_for(cashier, store, opening_float="50000"):
    from app.cashier import services

    return services.open_shift(cashier, store.id, opening_float)


def ean(number):
    """A valid EAN-13 (prefix 699, outside the demo catalog's 620123)."""
    first = f"699{number:09d}"
    return first + str(ean13_check_digit(first))


# key: (sku, name, name in the POS shop, values); the POS shop's SKUs start with POS-.
SHOP_PRODUCTS = {
    "router": ("RT-AX55", "Routeur Wi-Fi 6 AX1800", "Routeur Wi-Fi 6 Archer AX55",
               {"sale_price": "45000", "min_sale_price": "40000"}),
    "switch": ("SW-8P", "Switch 8 ports Gigabit", "Switch 8 ports Gigabit TL-SG108", {"sale_price": "15000"}),
    "cable": ("CBL-CAT6", "Câble réseau Cat6 3 m", "Câble réseau Cat6 3 m", {"sale_price": "2500", "tax_rate": 0}),
}


def make_shop(app, pos=False):
    """The tests' small shop: a router, a switch and a cable in stock in DLA1 (a few switches in
    YDE1); `pos`: with barcodes (`router_ean`...) and a serial-tracked phone, under POS- SKUs.
    Returns ids, not ORM objects."""
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        ids = {}
        for number, (key, (sku, name, pos_name, values)) in enumerate(SHOP_PRODUCTS.items(), start=1):
            product = (make_product(f"POS-{sku}", pos_name, barcode=ean(number), **values) if pos
                       else make_product(sku, name, **values))
            ids[key] = product.id
            if pos:
                ids[f"{key}_ean"] = product.barcode
            put_in_stock(dla, product, {"router": 10, "switch": 20, "cable": 100}[key], "PURCHASE")
            if key == "switch":
                put_in_stock(yde, product, 5, "PURCHASE")
        if pos:
            phone = make_product("POS-TEL-A15", "Smartphone Galaxy A15", sale_price="115000", barcode=ean(4),
                                 track_serial=True, warranty_months=12)
            put_serials_in_stock(dla, phone, ["IMEI-350000001", "IMEI-350000002", "IMEI-350000003"])
            put_serials_in_stock(yde, phone, ["IMEI-359999999"])
            ids.update(phone=phone.id, phone_ean=phone.barcode)
        shop = SimpleNamespace(
            dla=dla.id, yde=yde.id, **ids,
            seller=user_by_email("vendeur1@boutique.cm").id, cashier=user_by_email("caissier@boutique.cm").id,
            manager=user_by_email("manager@boutique.cm").id, admin=user_by_email("admin@boutique.cm").id,
        )
        db.session.remove()
        return shop
