"""Read-only lookups the POS pages need, always inside the user's stores (core.scoping).

No rule is decided here: what may be sold, paid or changed is the services' business.
"""
import re
from datetime import datetime, time, timezone

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..cashier.api import OwnShiftsForCashiers
from ..cashier.models import CashShift
from ..core.errors import NotFound
from ..core.scoping import StoreScopeFilter, scope_to_stores
from ..customers.models import Customer
from ..extensions import db
from ..sales.models import DRAFT, Sale
from ..stores.models import Store

DAY_LIMIT = 100
CUSTOMER_LIMIT = 8


user_stores = Store.of_user
store_for = Store.for_action


def visible_shift(shift_id):
    """A shift as the cash-shifts API finds it: in the user's stores, a cashier's own only."""
    datamodel = SQLAInterface(CashShift, db.session)
    filters = datamodel.get_filters().add_filter("store_id", StoreScopeFilter, None)
    filters.add_filter("cashier_id", OwnShiftsForCashiers, None)
    shift = datamodel.get(shift_id, filters)
    if shift is None:
        raise NotFound(_l("Caisse introuvable."))
    return shift


def start_of_local_day(store, now=None):
    """Midnight of today in the store's time zone, in UTC."""
    zone = store.zone
    local = (now or datetime.now(timezone.utc)).astimezone(zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone).astimezone(timezone.utc)


def current_draft(user, store, sale_id=None):
    """The cart: the draft asked for (one of the seller's drafts in this store), else the
    seller's latest draft in the store, else None (the first item will create one)."""
    query = select(Sale).where(Sale.store_id == store.id, Sale.seller_id == user.id, Sale.status == DRAFT)
    if sale_id is not None:
        return db.session.execute(query.where(Sale.id == sale_id)).scalar_one_or_none()
    return db.session.execute(query.order_by(Sale.updated_at.desc(), Sale.id.desc()).limit(1)).scalar_one_or_none()


def sales_of_the_day(user, store):
    """The seller's sales created today (store time) in this store, newest first."""
    return db.session.execute(
        select(Sale).where(Sale.store_id == store.id, Sale.seller_id == user.id,
                           Sale.created_at >= start_of_local_day(store))
        .order_by(Sale.created_at.desc(), Sale.id.desc()).limit(DAY_LIMIT)
    ).scalars().all()


def serial_on_the_shelf(store, code):
    """The product id of a unit with this serial number (or IMEI) on the shelf of this store, or None.

    A scanner reading a phone's IMEI types it into the search box: the unit's product comes with it."""
    from ..stock.models import ON_HAND_SERIAL_STATUSES, SerialNumber

    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    found = db.session.execute(
        select(SerialNumber.product_id, SerialNumber.serial)
        .where(SerialNumber.serial == code, SerialNumber.store_id == store.id,
               SerialNumber.status.in_(ON_HAND_SERIAL_STATUSES)).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def search_customers(user, store, q, limit=CUSTOMER_LIMIT):
    """Active customers of the user's stores whose name contains `q` or whose phone holds its
    digits; this store's customers first."""
    q = " ".join((q or "").split())[:60]
    if len(q) < 2:
        return []
    conditions = [func.lower(Customer.name).contains(q.lower(), autoescape=True)]
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 3:
        conditions.append(Customer.phone.contains(digits.lstrip("0") or digits, autoescape=True))
    query = scope_to_stores(select(Customer).where(Customer.is_active.is_(True), or_(*conditions)),
                            Customer.store_id, user)
    return db.session.execute(
        query.order_by((Customer.store_id != store.id), Customer.name, Customer.id).limit(limit)
    ).scalars().all()
