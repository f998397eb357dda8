"""Suppliers, purchase orders and goods receipts (SPEC §7).

PurchaseOrder: DRAFT → SENT → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED. It belongs to the
store that orders (and receives) the goods; its number (XXX-BC-YYYY-NNNNNN) is taken when it
is sent. A GoodsReceipt brings part or all of what is still due on its lines; each receipt line
keeps the unit cost it used and the product's weighted average cost before and after it.
"""
from sqlalchemy import JSON, CheckConstraint, Column, Integer, String, Text, UniqueConstraint

from flask_babel import lazy_gettext as _l

from ..core.models import UtcDateTime, ref, written_at
from ..core.money import MoneyColumn
from ..extensions import db

ORDER_STATUSES = ("DRAFT", "SENT", "PARTIALLY_RECEIVED", "RECEIVED", "CANCELLED")
OPEN_ORDER_STATUSES = ("SENT", "PARTIALLY_RECEIVED")  # goods may still arrive
ORDER_STATUS_LABELS = {
    "DRAFT": _l("Brouillon"),
    "SENT": _l("Envoyée"),
    "PARTIALLY_RECEIVED": _l("Reçue en partie"),
    "RECEIVED": _l("Reçue"),
    "CANCELLED": _l("Annulée"),
}


class Supplier(db.Model):
    """A company the shops buy from (shared by every store)."""

    __tablename__ = "supplier"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, unique=True)
    phone = Column(String(40))
    email = Column(String(200))
    tax_id = Column(String(64))  # NIU / numéro contribuable
    address = Column(Text)
    note = Column(Text)
    created_at = written_at()

    def __repr__(self):
        return self.name


class PurchaseOrder(db.Model):
    __tablename__ = "purchase_order"
    __table_args__ = (
        CheckConstraint("status IN ('DRAFT', 'SENT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED')",
                        name="ck_purchase_order_status"),
        CheckConstraint("status = 'DRAFT' OR status = 'CANCELLED' OR number IS NOT NULL",
                        name="ck_purchase_order_number"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(40), unique=True)
    store_id = ref("store", index=True)
    supplier_id = ref("supplier", index=True)
    status = Column(String(20), nullable=False, default="DRAFT")
    note = Column(Text)
    cancel_reason = Column(Text)
    created_by_id = ref("ab_user", ondelete=None, nullable=True)
    created_at = written_at()
    sent_at = Column(UtcDateTime())
    received_at = Column(UtcDateTime())  # when the last unit due arrived
    cancelled_at = Column(UtcDateTime())

    store = db.relationship("Store")
    supplier = db.relationship("Supplier")
    created_by = db.relationship("User")
    lines = db.relationship("PurchaseOrderLine", back_populates="order", cascade="all, delete-orphan",
                            order_by="PurchaseOrderLine.id")
    receipts = db.relationship("GoodsReceipt", back_populates="order", order_by="GoodsReceipt.id")

    @property
    def total(self):
        return sum((line.amount for line in self.lines), start=0)

    @property
    def quantity_due(self):
        return sum(line.due for line in self.lines)

    def __repr__(self):
        return self.number or f"Commande #{self.id}"


class PurchaseOrderLine(db.Model):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "product_id", name="uq_purchase_order_line_product"),
        CheckConstraint("quantity > 0", name="ck_purchase_order_line_quantity"),
        CheckConstraint("unit_cost >= 0", name="ck_purchase_order_line_cost"),
        # the database itself refuses a receipt beyond what was ordered
        CheckConstraint("received_quantity >= 0 AND received_quantity <= quantity",
                        name="ck_purchase_order_line_received"),
    )

    id = Column(Integer, primary_key=True)
    order_id = ref("purchase_order", ondelete="CASCADE", index=True)
    product_id = ref("product", index=True)
    quantity = Column(Integer, nullable=False)
    unit_cost = Column(MoneyColumn, nullable=False)  # excluding tax, per unit
    received_quantity = Column(Integer, nullable=False, default=0)

    order = db.relationship("PurchaseOrder", back_populates="lines")
    product = db.relationship("Product")

    @property
    def amount(self):
        return self.unit_cost * self.quantity

    @property
    def due(self):
        return self.quantity - (self.received_quantity or 0)


class GoodsReceipt(db.Model):
    """One delivery of (part of) an order, recorded by a stock keeper."""

    __tablename__ = "goods_receipt"

    id = Column(Integer, primary_key=True)
    purchase_order_id = ref("purchase_order", index=True)
    store_id = ref("store", index=True)
    note = Column(Text)
    received_by_id = ref("ab_user", ondelete=None, nullable=True)
    created_at = written_at()

    order = db.relationship("PurchaseOrder", back_populates="receipts")
    store = db.relationship("Store")
    received_by = db.relationship("User")
    lines = db.relationship("GoodsReceiptLine", back_populates="receipt", cascade="all, delete-orphan",
                            order_by="GoodsReceiptLine.id")

    def __repr__(self):
        return f"Réception #{self.id}"


class GoodsReceiptLine(db.Model):
    """What arrived for one order line, and the cost it used (traceable margins)."""

    __tablename__ = "goods_receipt_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_goods_receipt_line_quantity"),)

    id = Column(Integer, primary_key=True)
    receipt_id = ref("goods_receipt", ondelete="CASCADE", index=True)
    order_line_id = ref("purchase_order_line", index=True)
    product_id = ref("product", index=True)
    quantity = Column(Integer, nullable=False)
    unit_cost = Column(MoneyColumn, nullable=False)
    on_hand_before = Column(Integer, nullable=False)  # units in all stores before the receipt
    cost_before = Column(MoneyColumn, nullable=False)  # weighted average cost before
    cost_after = Column(MoneyColumn, nullable=False)  # ... and after (the product's new cost_price)
    serials = Column(JSON)

    receipt = db.relationship("GoodsReceipt", back_populates="lines")
    order_line = db.relationship("PurchaseOrderLine")
    product = db.relationship("Product")
