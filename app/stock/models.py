"""Stock per store, its append-only ledger, serial numbers, transfers and counts."""
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from flask_babel import lazy_gettext as _l

from ..core.models import UtcDateTime, one_of, ref, written_at
from ..extensions import db

MOVEMENT_TYPES = ("PURCHASE", "SALE", "RETURN", "ADJUSTMENT", "TRANSFER_OUT", "TRANSFER_IN", "COUNT")
# IN_STOCK and RETURNED units are on the shelf (a RETURNED unit was sold once and came back);
# IN_TRANSIT travels with a sent transfer; MISSING was not found (count, transfer receipt).
SERIAL_STATUSES = ("IN_STOCK", "SOLD", "RETURNED", "DEFECTIVE", "IN_TRANSIT", "MISSING")
ON_HAND_SERIAL_STATUSES = ("IN_STOCK", "RETURNED")
TRANSFER_STATUSES = ("DRAFT", "SENT", "RECEIVED", "CANCELLED")
COUNT_STATUSES = ("OPEN", "VALIDATED", "CANCELLED")
# The documents' state machines: status -> the statuses it may go to (screens offer only those actions).
TRANSITIONS = {"DRAFT": {"SENT", "CANCELLED"}, "SENT": {"RECEIVED", "CANCELLED"}, "OPEN": {"VALIDATED", "CANCELLED"}}


class Document:
    def can_become(self, status):
        return status in TRANSITIONS.get(self.status, ())

# What people read for each status (screens and error messages).
STATUS_LABELS = {
    "DRAFT": _l("Brouillon"),
    "SENT": _l("Envoyé"),
    "RECEIVED": _l("Reçu"),
    "CANCELLED": _l("Annulé"),
    "OPEN": _l("Ouvert"),
    "VALIDATED": _l("Validé"),
    "IN_STOCK": _l("En stock"),
    "SOLD": _l("Vendu"),
    "RETURNED": _l("Retourné (en stock)"),
    "DEFECTIVE": _l("Défectueux"),
    "IN_TRANSIT": _l("En transit"),
    "MISSING": _l("Manquant"),
}
MOVEMENT_LABELS = {
    "PURCHASE": _l("Achat"),
    "SALE": _l("Vente"),
    "RETURN": _l("Retour client"),
    "ADJUSTMENT": _l("Ajustement"),
    "TRANSFER_OUT": _l("Transfert sortant"),
    "TRANSFER_IN": _l("Transfert entrant"),
    "COUNT": _l("Inventaire"),
}



class ProductStock(db.Model):
    """quantity on hand and reserved for partly paid sales; available = quantity - reserved."""

    __tablename__ = "product_stock"
    __table_args__ = (
        UniqueConstraint("store_id", "product_id", name="uq_product_stock_store_product"),
        CheckConstraint("quantity >= 0", name="ck_product_stock_quantity"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="ck_product_stock_reserved"),
    )

    id = Column(Integer, primary_key=True)
    store_id = ref("store", index=True)
    product_id = ref("product", index=True)
    quantity = Column(Integer, nullable=False, default=0)
    reserved = Column(Integer, nullable=False, default=0)

    store = db.relationship("Store")
    product = db.relationship("Product")

    @property
    def available(self):
        return self.quantity - self.reserved

    def __repr__(self):
        return f"{self.store_id}/{self.product_id}: {self.quantity} ({self.reserved} réservé(s))"


class InventoryMovement(db.Model):
    """Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE. Corrections are new rows."""

    __tablename__ = "inventory_movement"
    __table_args__ = (
        CheckConstraint(one_of("type", MOVEMENT_TYPES), name="ck_inventory_movement_type"),
        CheckConstraint("quantity <> 0", name="ck_inventory_movement_quantity"),
        CheckConstraint("balance_after >= 0", name="ck_inventory_movement_balance"),
        Index("ix_inventory_movement_store_product", "store_id", "product_id", "id"),
    )

    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    store_id = ref("store")
    product_id = ref("product", index=True)
    type = Column(String(16), nullable=False)
    quantity = Column(Integer, nullable=False)  # signed
    balance_after = Column(Integer, nullable=False)
    reference_type = Column(String(32))  # the document that moved the goods: Sale, Transfer, StockCount...
    reference_id = Column(Integer)
    reference = Column(String(64))  # its number, for people
    user_id = ref("ab_user", ondelete=None, nullable=True)
    note = Column(Text)
    created_at = written_at(index=True)
    # PURCHASE, SALE, RETURN: the unit cost at that moment (cost of goods sold, traceable margins)
    unit_cost = Column(Numeric(14, 2, asdecimal=True))

    store = db.relationship("Store")
    product = db.relationship("Product")
    user = db.relationship("User")

    def __repr__(self):
        return f"{self.type} {self.quantity:+d} → {self.balance_after}"


class SerialNumber(db.Model):
    """One unit of a track_serial product (serial number or IMEI)."""

    __tablename__ = "serial_number"
    __table_args__ = (
        UniqueConstraint("product_id", "serial", name="uq_serial_number_product_serial"),
        CheckConstraint(one_of("status", SERIAL_STATUSES), name="ck_serial_number_status"),
        Index("ix_serial_number_store_product_status", "store_id", "product_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    product_id = ref("product")
    store_id = ref("store")
    serial = Column(String(64), nullable=False, index=True)
    status = Column(String(16), nullable=False, default="IN_STOCK")
    received_at = written_at()

    product = db.relationship("Product")
    store = db.relationship("Store")

    def __repr__(self):
        return self.serial


transfer_line_serial = Table(
    "transfer_line_serial",
    db.metadata,
    Column("transfer_line_id", Integer, ForeignKey("transfer_line.id", ondelete="CASCADE"), primary_key=True),
    Column("serial_number_id", Integer, ForeignKey("serial_number.id", ondelete="RESTRICT"), primary_key=True),
)


class Transfer(Document, db.Model):
    """Goods sent from one store to another: DRAFT → SENT → RECEIVED, or CANCELLED.

    It belongs to its source store (store_id); the destination's staff see it too.
    """

    __tablename__ = "transfer"
    __table_args__ = (
        CheckConstraint(one_of("status", TRANSFER_STATUSES), name="ck_transfer_status"),
        CheckConstraint("store_id <> destination_store_id", name="ck_transfer_two_stores"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(40), unique=True)
    store_id = ref("store", index=True)
    destination_store_id = ref("store", index=True)
    status = Column(String(16), nullable=False, default="DRAFT")
    note = Column(Text)
    created_by_id = ref("ab_user", ondelete=None, nullable=True)
    created_at = written_at()
    sent_at = Column(UtcDateTime())
    received_at = Column(UtcDateTime())
    receipt_note = Column(Text)  # what the destination says about differences
    cancel_reason = Column(Text)

    store = db.relationship("Store", foreign_keys=[store_id])
    destination_store = db.relationship("Store", foreign_keys=[destination_store_id])
    created_by = db.relationship("User")
    lines = db.relationship("TransferLine", back_populates="transfer", cascade="all, delete-orphan",
                            order_by="TransferLine.id")

    def __repr__(self):
        return self.number or f"Transfert #{self.id}"


class TransferLine(db.Model):
    __tablename__ = "transfer_line"
    __table_args__ = (
        UniqueConstraint("transfer_id", "product_id", name="uq_transfer_line_product"),
        CheckConstraint("quantity > 0", name="ck_transfer_line_quantity"),
        CheckConstraint("received_quantity IS NULL OR received_quantity >= 0", name="ck_transfer_line_received"),
    )

    id = Column(Integer, primary_key=True)
    transfer_id = ref("transfer", ondelete="CASCADE", index=True)
    product_id = ref("product")
    quantity = Column(Integer, nullable=False)
    received_quantity = Column(Integer)  # set on receipt; the difference with quantity is recorded

    transfer = db.relationship("Transfer", back_populates="lines")
    product = db.relationship("Product")
    serials = db.relationship("SerialNumber", secondary=transfer_line_serial, order_by="SerialNumber.serial")

    @property
    def difference(self):
        return None if self.received_quantity is None else self.received_quantity - self.quantity


class StockCount(Document, db.Model):
    """An inventory: OPEN with the expected quantities snapshotted, then VALIDATED by a manager."""

    __tablename__ = "stock_count"
    __table_args__ = (CheckConstraint(one_of("status", COUNT_STATUSES), name="ck_stock_count_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(40), unique=True)
    store_id = ref("store", index=True)
    status = Column(String(16), nullable=False, default="OPEN")
    note = Column(Text)
    cancel_reason = Column(Text)
    created_by_id = ref("ab_user", ondelete=None, nullable=True)
    created_at = written_at()
    validated_by_id = ref("ab_user", ondelete=None, nullable=True)
    validated_at = Column(UtcDateTime())

    store = db.relationship("Store")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    validated_by = db.relationship("User", foreign_keys=[validated_by_id])
    lines = db.relationship("StockCountLine", back_populates="count", cascade="all, delete-orphan",
                            order_by="StockCountLine.id")

    def __repr__(self):
        return self.number or f"Inventaire #{self.id}"


class StockCountLine(db.Model):
    """One product of a count.

    expected_quantity: the stock when the count was opened (the snapshot shown to counters).
    book_quantity: the stock when the counted quantity was entered; the adjustment at
    validation is counted - book_quantity, so sales between opening and counting are not
    taken for losses, and sales between counting and validation stay in the stock.
    Serial-tracked products: the serials found (counted_serials), and, compared with the
    serials in stock at counting time, the missing and unexpected ones.
    """

    __tablename__ = "stock_count_line"
    __table_args__ = (
        UniqueConstraint("count_id", "product_id", name="uq_stock_count_line_product"),
        CheckConstraint("expected_quantity >= 0", name="ck_stock_count_line_expected"),
        CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0", name="ck_stock_count_line_counted"),
        CheckConstraint("book_quantity IS NULL OR book_quantity >= 0", name="ck_stock_count_line_book"),
    )

    id = Column(Integer, primary_key=True)
    count_id = ref("stock_count", ondelete="CASCADE", index=True)
    product_id = ref("product")
    expected_quantity = Column(Integer, nullable=False)
    counted_quantity = Column(Integer)
    book_quantity = Column(Integer)
    counted_at = Column(UtcDateTime())
    counted_serials = Column(JSON)
    missing_serials = Column(JSON)
    unexpected_serials = Column(JSON)

    count = db.relationship("StockCount", back_populates="lines")
    product = db.relationship("Product")

    @property
    def difference(self):
        """What validation adds to (or takes from) the stock."""
        if self.counted_quantity is None or self.book_quantity is None:
            return None
        return self.counted_quantity - self.book_quantity
