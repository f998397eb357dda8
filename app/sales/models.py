"""Sales and what happens to them: items, approvals, refunds (SPEC §4).

The database holds what it can: statuses are one of a list, a sale's paid amount
never exceeds its total, refunds never exceed what was paid, quantities are positive.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from ..core.models import UtcDateTime, one_of, ref, utcnow, written_at
from ..core.money import MoneyColumn
from ..extensions import db

DRAFT, PENDING_PAYMENT, PARTIALLY_PAID, PAID, CANCELLED, REFUNDED = (
    "DRAFT", "PENDING_PAYMENT", "PARTIALLY_PAID", "PAID", "CANCELLED", "REFUNDED")
SALE_STATUSES = (DRAFT, PENDING_PAYMENT, PARTIALLY_PAID, PAID, CANCELLED, REFUNDED)
OPEN_FOR_PAYMENT = (PENDING_PAYMENT, PARTIALLY_PAID)

# The state machine of SPEC §4: status -> statuses it may go to.
TRANSITIONS = {
    DRAFT: {PENDING_PAYMENT, CANCELLED},
    PENDING_PAYMENT: {PARTIALLY_PAID, PAID, CANCELLED},
    PARTIALLY_PAID: {PARTIALLY_PAID, PAID, CANCELLED},
    PAID: {PAID, REFUNDED},  # PAID -> PAID: a partial refund
    CANCELLED: set(),
    REFUNDED: set(),
}

APPROVAL_KINDS = ("DISCOUNT", "PRICE_FLOOR", "CANCELLATION", "REFUND")
PENDING, APPROVED, REJECTED = "PENDING", "APPROVED", "REJECTED"
APPROVAL_STATUSES = (PENDING, APPROVED, REJECTED)

# Methods a refund may use; CREDIT (to the customer's account) comes with the credit issue.
REFUND_METHODS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD", "CREDIT")



class Sale(db.Model):
    __tablename__ = "sale"
    __table_args__ = (
        CheckConstraint(one_of("status", SALE_STATUSES), name="ck_sale_status"),
        CheckConstraint("number IS NOT NULL OR status IN ('DRAFT', 'CANCELLED')", name="ck_sale_number"),
        CheckConstraint("discount >= 0", name="ck_sale_discount"),
        CheckConstraint("total >= 0", name="ck_sale_total"),
        CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="ck_sale_amount_paid"),
        CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount_paid", name="ck_sale_amount_refunded"),
        Index("ix_sale_store_status", "store_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    store_id = ref("store")
    number = Column(String(40), unique=True)  # allocated on submit, kept when cancelled
    status = Column(String(20), nullable=False, default=DRAFT)
    seller_id = ref("ab_user", ondelete=None, index=True)
    customer_id = ref("customer", nullable=True, index=True)
    discount = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # sale-level, an amount
    subtotal = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # lines after their discounts
    tax_total = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    total = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # tax included
    amount_paid = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    amount_refunded = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    stock_reserved = Column(Boolean, nullable=False, default=False)
    note = Column(Text)
    cancel_reason = Column(Text)
    created_at = written_at(index=True)
    updated_at = written_at(onupdate=utcnow)
    submitted_at = Column(UtcDateTime())
    paid_at = Column(UtcDateTime())
    cancelled_at = Column(UtcDateTime())
    cancelled_by_id = ref("ab_user", ondelete=None, nullable=True)

    store = db.relationship("Store")
    seller = db.relationship("User", foreign_keys=[seller_id])
    cancelled_by = db.relationship("User", foreign_keys=[cancelled_by_id])
    customer = db.relationship("Customer")
    items = db.relationship("SaleItem", back_populates="sale", cascade="all, delete-orphan",
                            order_by="SaleItem.position")
    payments = db.relationship("Payment", back_populates="sale", order_by="Payment.id", viewonly=True)
    refunds = db.relationship("Refund", back_populates="sale", order_by="Refund.id", viewonly=True)
    approvals = db.relationship("Approval", back_populates="sale", order_by="Approval.id", viewonly=True)

    @property
    def balance_due(self):
        if self.status not in (DRAFT,) + OPEN_FOR_PAYMENT:
            return Decimal("0.00")
        return (self.total or Decimal("0")) - (self.amount_paid or Decimal("0"))

    def can_become(self, status):
        """What the state machine allows next (screens show an action only when it does)."""
        return status in TRANSITIONS[self.status]

    def __repr__(self):  # how screens name the sale: its number, or whose draft it is
        return self.number or str(_l("Brouillon de %(name)s", name=self.seller))


sale_item_serial = Table(
    "sale_item_serial",
    db.metadata,
    Column("sale_item_id", Integer, ForeignKey("sale_item.id", ondelete="CASCADE"), primary_key=True),
    Column("serial_number_id", Integer, ForeignKey("serial_number.id", ondelete="RESTRICT"), primary_key=True),
)


class SaleItem(db.Model):
    __tablename__ = "sale_item"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_sale_item_quantity"),
        CheckConstraint("unit_price >= 0", name="ck_sale_item_unit_price"),
        CheckConstraint("discount >= 0 AND discount <= quantity * unit_price", name="ck_sale_item_discount"),
        CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity", name="ck_sale_item_refunded"),
    )

    id = Column(Integer, primary_key=True)
    sale_id = ref("sale", ondelete="CASCADE", index=True)
    position = Column(Integer, nullable=False, default=0)
    product_id = ref("product", index=True)
    quantity = Column(Integer, nullable=False)
    unit_price = Column(MoneyColumn, nullable=False)  # tax included
    discount = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # on the line, an amount
    tax_rate = Column(Numeric(5, 2), nullable=False)  # the product's rate when the line was written
    line_total = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # quantity x unit price - discount
    refunded_quantity = Column(Integer, nullable=False, default=0)

    sale = db.relationship("Sale", back_populates="items")
    product = db.relationship("Product")
    serials = db.relationship("SerialNumber", secondary=sale_item_serial, order_by="SerialNumber.serial")

    def __repr__(self):
        return f"{self.quantity} x {self.product}"


class Approval(db.Model):
    """A manager's decision: a discount over the threshold, a price under the floor, a cancellation, a refund."""

    __tablename__ = "approval"
    __table_args__ = (
        CheckConstraint(one_of("kind", APPROVAL_KINDS), name="ck_approval_kind"),
        CheckConstraint(one_of("status", APPROVAL_STATUSES), name="ck_approval_status"),
        CheckConstraint("status = 'PENDING' OR decided_by_id IS NOT NULL", name="ck_approval_decided_by"),
        Index("ix_approval_store_status", "store_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    store_id = ref("store")
    sale_id = ref("sale", ondelete="CASCADE", nullable=True, index=True)
    kind = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default=PENDING)
    details = Column(JSON, nullable=True)  # what is approved: {"discount_percent": "15.00"}, {"items": [...]}
    reason = Column(Text)
    requested_by_id = ref("ab_user", ondelete=None)
    requested_at = written_at()
    decided_by_id = ref("ab_user", ondelete=None, nullable=True)  # the manager
    decided_at = Column(UtcDateTime())

    store = db.relationship("Store")
    sale = db.relationship("Sale", back_populates="approvals")
    requested_by = db.relationship("User", foreign_keys=[requested_by_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])

    def __repr__(self):
        return f"{self.kind} #{self.id} ({self.status})"


refund_line_serial = Table(
    "refund_line_serial",
    db.metadata,
    Column("refund_line_id", Integer, ForeignKey("refund_line.id", ondelete="CASCADE"), primary_key=True),
    Column("serial_number_id", Integer, ForeignKey("serial_number.id", ondelete="RESTRICT"), primary_key=True),
)


class Refund(db.Model):
    """Money given back for a sale: a refund of items (manager) or what was paid on a cancelled sale."""

    __tablename__ = "refund"
    __table_args__ = (
        CheckConstraint(one_of("method", REFUND_METHODS), name="ck_refund_method"),
        CheckConstraint("amount > 0", name="ck_refund_amount"),
        CheckConstraint("method <> 'CASH' OR shift_id IS NOT NULL", name="ck_refund_cash_shift"),
    )

    id = Column(Integer, primary_key=True)
    sale_id = ref("sale", index=True)
    store_id = ref("store", index=True)
    is_cancellation = Column(Boolean, nullable=False, default=False)
    method = Column(String(16), nullable=False)
    amount = Column(MoneyColumn, nullable=False)
    restock = Column(Boolean, nullable=False, default=True)
    reason = Column(Text)
    reference = Column(String(64))  # of a mobile money / bank transfer / card refund
    shift_id = ref("cash_shift", nullable=True, index=True)
    approved_by_id = ref("ab_user", ondelete=None)  # the manager
    created_at = written_at(index=True)

    sale = db.relationship("Sale", back_populates="refunds")
    store = db.relationship("Store")
    shift = db.relationship("CashShift")
    approved_by = db.relationship("User")
    lines = db.relationship("RefundLine", back_populates="refund", cascade="all, delete-orphan",
                            order_by="RefundLine.id")

    def __repr__(self):
        return f"Remboursement #{self.id}"


class RefundLine(db.Model):
    __tablename__ = "refund_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_refund_line_quantity"),
        CheckConstraint("amount >= 0", name="ck_refund_line_amount"),
    )

    id = Column(Integer, primary_key=True)
    refund_id = ref("refund", ondelete="CASCADE", index=True)
    sale_item_id = ref("sale_item", index=True)
    quantity = Column(Integer, nullable=False)
    amount = Column(MoneyColumn, nullable=False)
    restock = Column(Boolean, nullable=False, default=True)  # False: defective, not back in stock

    refund = db.relationship("Refund", back_populates="lines")
    sale_item = db.relationship("SaleItem")
    serials = db.relationship("SerialNumber", secondary=refund_line_serial)

    def __repr__(self):
        return f"{self.quantity} x {self.sale_item.product if self.sale_item else ''}"
