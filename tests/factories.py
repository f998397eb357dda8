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
