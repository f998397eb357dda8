"""Stores and who works in them, and the store-scoping API every domain uses.

- `Store.of_user(user)`: the stores a user works in (ADMIN: all), by code;
- `Store.for_action(user, store_id)`: the store if the user may act in it, else NotFound (404:
  another store is "not found", never "forbidden");
- `store.zone`, `store.local_now()`, `store.local_year`: the store's clock (Africa/Douala when unset);
- `core.scoping.scope_to_stores(query, column)`: keep a query's rows of the user's stores.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Column, Integer, Numeric, String, Text, UniqueConstraint

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.models import ref
from ..core.errors import NotFound
from ..core.days import zone_of
from ..core.inputs import FieldError, row
from ..core.scoping import can_access_store, scope_to_stores
from ..extensions import db

class Store(db.Model):
    __tablename__ = "store"
    __table_args__ = (
        CheckConstraint("discount_threshold >= 0 AND discount_threshold <= 100", name="ck_store_discount_threshold"),
        CheckConstraint("pending_payment_limit_minutes > 0", name="ck_store_pending_limit"),
        CheckConstraint("cash_variance_tolerance >= 0 AND cash_variance_repeat > 0", name="ck_store_cash_variance"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(10), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    address = Column(Text)
    phone = Column(String(32))
    currency = Column(String(3), nullable=False, default="XAF")
    timezone = Column(String(64), nullable=False, default="Africa/Douala")
    tax_id = Column(String(64))
    invoice_footer = Column(Text)
    logo = Column(String(255))
    # Settings: a discount above this percentage, or a price under the floor, needs a manager.
    discount_threshold = Column(Numeric(5, 2), nullable=False, default=Decimal("10.00"))
    # A sale waiting for payment longer than this raises an alert (issue 16: 30 minutes).
    pending_payment_limit_minutes = Column(Integer, nullable=False, default=30, server_default="30")
    # Alerts: a cashier whose cash variance exceeds the tolerance (either way) in at least
    # `cash_variance_repeat` closed shifts of the last 30 days.
    cash_variance_tolerance = Column(Numeric(14, 2), nullable=False, default=Decimal("1000"))
    cash_variance_repeat = Column(Integer, nullable=False, default=3)
    # A sale paid on credit is due this many days later (one installment) unless split monthly.
    credit_term_days = Column(Integer, nullable=False, default=30, server_default="30")
    is_active = Column(Boolean, nullable=False, default=True)

    users = db.relationship("User", secondary="store_user", viewonly=True)

    def __repr__(self):
        return f"{self.code} · {self.name}"

    @property
    def zone(self):
        return zone_of(self.timezone)

    def local_now(self):
        return datetime.now(self.zone)

    @property
    def local_year(self):
        """The store's current year: document numbers restart with it."""
        return self.local_now().year

    @classmethod
    def of_user(cls, user, active_only=True):
        """The stores the user works in (ADMIN: every store), by code."""
        query = scope_to_stores(select(cls).order_by(cls.code), cls.id, user)
        if active_only:
            query = query.where(cls.is_active.is_(True))
        return db.session.execute(query).scalars().all()

    @classmethod
    def for_action(cls, user, store_id):
        """The store `store_id` (a Store, an id or its digits) if the user may act in it, else NotFound (404)."""
        if isinstance(store_id, cls):
            store_id = store_id.id
        try:
            store_id = row(store_id)
        except FieldError:
            store_id = None
        store = db.session.get(cls, store_id) if store_id else None
        if store is None or not can_access_store(user, store_id):
            raise NotFound(_l("Magasin introuvable."))
        return store


class StoreUser(db.Model):
    """A user's assignment to a store; a user may work in several stores."""

    __tablename__ = "store_user"
    __table_args__ = (UniqueConstraint("store_id", "user_id", name="uq_store_user"),)

    id = Column(Integer, primary_key=True)
    store_id = ref("store", ondelete="CASCADE", index=True)
    user_id = ref("ab_user", ondelete="CASCADE", index=True)

    store = db.relationship("Store")
    user = db.relationship("User")
