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
