"""Customers (SPEC §6). Credit accounts come with the credit issue."""
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text

from ..core.models import UtcDateTime, utcnow
from ..extensions import db


class Customer(db.Model):
    """A customer of one home store; the phone is stored in E.164 (+237...)."""

    __tablename__ = "customer"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    phone = Column(String(20), nullable=True, index=True)
    email = Column(String(120), nullable=True)
    tax_id = Column(String(64), nullable=True)  # company tax id (NIU)
    store_id = Column(Integer, ForeignKey("store.id", ondelete="RESTRICT"), nullable=False, index=True)
    note = Column(Text)
    is_active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UtcDateTime(), nullable=False, default=utcnow)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=True)

    store = db.relationship("Store")
    created_by = db.relationship("User")

    def __repr__(self):
        return f"{self.name} ({self.phone})" if self.phone else self.name
