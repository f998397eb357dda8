"""The till: cash shifts, payments taken in them, cash paid out of them (SPEC §4, §5)."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text, text

from ..core.models import TakenAtTill, UtcDateTime, one_of, ref, written_at
from ..core.money import MoneyColumn
from ..extensions import db

CASH, MOBILE_MONEY, BANK_TRANSFER, CARD, CREDIT = "CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD", "CREDIT"
PAYMENT_METHODS = (CASH, MOBILE_MONEY, BANK_TRANSFER, CARD, CREDIT)
MOBILE_OPERATORS = ("MTN", "ORANGE")
# What people read: screens and documents say the whole name, the till's buttons the short one.
METHOD_LABELS = {CASH: _l("Espèces"), MOBILE_MONEY: _l("Mobile money"), BANK_TRANSFER: _l("Virement bancaire"),
                 CARD: _l("Carte bancaire"), CREDIT: _l("Crédit client")}
SHORT_METHOD_LABELS = {CASH: _l("Espèces"), MOBILE_MONEY: _l("Mobile money"), BANK_TRANSFER: _l("Virement"),
                       CARD: _l("Carte"), CREDIT: _l("Crédit")}
OPEN, CLOSED = "OPEN", "CLOSED"
SHIFT_STATUSES = (OPEN, CLOSED)



class CashShift(db.Model):
    """A cashier's session at the till of one store. One open shift per cashier and store
    (a partial unique index); closed blind, then immutable (a trigger on PostgreSQL)."""

    __tablename__ = "cash_shift"
    __table_args__ = (
        CheckConstraint(one_of("status", SHIFT_STATUSES), name="ck_cash_shift_status"),
        CheckConstraint("opening_float >= 0", name="ck_cash_shift_opening_float"),
        CheckConstraint("status = 'OPEN' OR (closed_at IS NOT NULL AND counted_cash IS NOT NULL)",
                        name="ck_cash_shift_closed"),
        Index("uq_cash_shift_one_open", "store_id", "cashier_id", unique=True,
              postgresql_where=text("status = 'OPEN'"), sqlite_where=text("status = 'OPEN'")),
    )

    id = Column(Integer, primary_key=True)
    store_id = ref("store", index=True)
    cashier_id = ref("ab_user", ondelete=None, index=True)
    status = Column(String(8), nullable=False, default=OPEN)
    opening_float = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    opened_at = written_at(index=True)
    closed_at = Column(UtcDateTime())
    # typed by the cashier at close, before seeing any expected figure
    counted_cash = Column(MoneyColumn)
    counted_mobile_money = Column(MoneyColumn)
    counted_bank_transfer = Column(MoneyColumn)
    counted_card = Column(MoneyColumn)
    # computed at close: expected cash = float + cash in - change given - cash refunds - cash payouts
    cash_in = Column(MoneyColumn)
    change_given = Column(MoneyColumn)
    cash_refunds = Column(MoneyColumn)
    cash_payouts = Column(MoneyColumn)
    expected_cash = Column(MoneyColumn)
    expected_mobile_money = Column(MoneyColumn)
    expected_bank_transfer = Column(MoneyColumn)
    expected_card = Column(MoneyColumn)
    variance = Column(MoneyColumn)  # counted cash - expected cash
    note = Column(Text)

    store = db.relationship("Store")
    cashier = db.relationship("User")
    payments = db.relationship("Payment", back_populates="shift", order_by="Payment.id", viewonly=True)
    payouts = db.relationship("CashPayout", back_populates="shift", order_by="CashPayout.id", viewonly=True)

    def variance_of(self, method):
        """counted - expected for one method (None while open or not counted)."""
        key = method.lower()
        counted, expected = getattr(self, f"counted_{key}"), getattr(self, f"expected_{key}")
        return None if counted is None or expected is None else counted - expected

    def __repr__(self):  # how screens name the shift: whose till, opened when (in the store's zone)
        opened = self.opened_at.astimezone(self.store.zone).strftime("%d/%m/%Y %H:%M") if self.opened_at else ""
        return str(_l("Caisse de %(name)s du %(opened)s", name=self.cashier, opened=opened))


class Payment(TakenAtTill, db.Model):
    """Money received for a sale in a cashier's open shift. Cash may exceed the amount due:
    `tendered` is what the customer handed over, `change_given` what went back, `amount`
    what paid the sale."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(one_of("method", PAYMENT_METHODS), name="ck_payment_method"),
        CheckConstraint("amount > 0", name="ck_payment_amount"),
        CheckConstraint("change_given >= 0", name="ck_payment_change"),
        CheckConstraint("method = 'CASH' OR (change_given = 0 AND tendered IS NULL)", name="ck_payment_cash_only"),
        CheckConstraint("tendered IS NULL OR tendered = amount + change_given", name="ck_payment_tendered"),
        CheckConstraint("method <> 'MOBILE_MONEY' OR (operator IS NOT NULL AND reference IS NOT NULL)",
                        name="ck_payment_mobile_money"),
        CheckConstraint("operator IS NULL OR " + one_of("operator", MOBILE_OPERATORS), name="ck_payment_operator"),
    )

    id = Column(Integer, primary_key=True)
    sale_id = ref("sale", index=True)
    tendered = Column(MoneyColumn)
    change_given = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    sale_status_after = Column(String(20), nullable=False)
    balance_due_after = Column(MoneyColumn, nullable=False)

    sale = db.relationship("Sale", back_populates="payments")
    store = db.relationship("Store")
    shift = db.relationship("CashShift", back_populates="payments")
    cashier = db.relationship("User")

    def __repr__(self):
        return f"{self.method} {self.amount}"


class CashPayout(db.Model):
    """Cash taken out of the drawer for an expense, during a shift."""

    __tablename__ = "cash_payout"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_cash_payout_amount"),)

    id = Column(Integer, primary_key=True)
    shift_id = ref("cash_shift", index=True)
    store_id = ref("store", index=True)
    amount = Column(MoneyColumn, nullable=False)
    reason = Column(Text, nullable=False)
    created_by_id = ref("ab_user", ondelete=None)
    created_at = written_at()

    shift = db.relationship("CashShift", back_populates="payouts")
    store = db.relationship("Store")
    created_by = db.relationship("User")

    def __repr__(self):
        return f"Sortie de caisse {self.amount}"
