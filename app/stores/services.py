"""Rules about stores and their staff."""
from sqlalchemy import delete, select

from ..core import audit
from ..core.errors import ValidationFailed
from ..extensions import db, security_manager
from .models import StoreUser


def assign_users(store, user_ids):
    """Make `user_ids` exactly the staff of `store` (ids are validated first, nothing half-done)."""
    if not isinstance(user_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in user_ids):
        raise ValidationFailed(errors={"user_ids": ["Liste d'identifiants d'utilisateurs attendue."]})
    wanted = set(user_ids)
    user_model = security_manager().user_model
    found = set(db.session.execute(select(user_model.id).where(user_model.id.in_(wanted))).scalars())
    missing = sorted(wanted - found)
    if missing:
        raise ValidationFailed(errors={"user_ids": [f"Utilisateur(s) introuvable(s) : {', '.join(map(str, missing))}."]})
    before = sorted(db.session.execute(select(StoreUser.user_id).where(StoreUser.store_id == store.id)).scalars())
    db.session.execute(
        delete(StoreUser).where(StoreUser.store_id == store.id, StoreUser.user_id.not_in(wanted))
    )
    for user_id in sorted(wanted - set(before)):
        db.session.add(StoreUser(store_id=store.id, user_id=user_id))
    audit.record("store.assign_users", store, store_id=store.id, before={"user_ids": before},
                 after={"user_ids": sorted(wanted)})
    db.session.commit()
    return sorted(wanted)


def add_user_to_store(store, user):
    """Idempotent: used by the seed and by the back office."""
    exists = db.session.execute(
        select(StoreUser.id).where(StoreUser.store_id == store.id, StoreUser.user_id == user.id)
    ).first()
    if exists is None:
        db.session.add(StoreUser(store_id=store.id, user_id=user.id))


def store_ids_of(user_id):
    return sorted(db.session.execute(select(StoreUser.store_id).where(StoreUser.user_id == user_id)).scalars())


def stores_of(user_id):
    from .models import Store

    return db.session.execute(select(Store).join(StoreUser, StoreUser.store_id == Store.id)
                              .where(StoreUser.user_id == user_id).order_by(Store.code)).scalars().all()


def set_user_stores(user, store_ids):
    """Make `store_ids` exactly the stores of `user` (the user form's boxes), on the audit trail."""
    before = store_ids_of(user.id)
    wanted = set(store_ids)
    db.session.execute(delete(StoreUser).where(StoreUser.user_id == user.id, StoreUser.store_id.not_in(wanted)))
    for store_id in sorted(wanted - set(before)):
        db.session.add(StoreUser(store_id=store_id, user_id=user.id))
    if sorted(wanted) != before:
        audit.record("user.stores", object_type="User", object_id=user.id, before={"store_ids": before},
                     after={"store_ids": sorted(wanted)})
    db.session.commit()
