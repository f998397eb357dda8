"""Objects for tests, created through the same code paths as the app."""
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
