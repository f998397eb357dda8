"""Customer credit (SPEC §6).

- CustomerAccount: one per customer, in the customer's home store; `balance` is what the
  customer owes and always equals the sum of the ledger (DEBIT - CREDIT); it never passes the
  limit (a CHECK, and the row lock taken by every charge).
- CreditLedgerEntry: append-only (a trigger on PostgreSQL); a correction is a reversing entry.
- Installment: the schedule of a DEBIT; repayments settle the oldest first.
- CreditRepayment: money taken at the till for the account (any method but CREDIT).
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Column, Date, Integer, String, Text

from ..core.models import TakenAtTill, one_of, ref, written_at
from ..core.money import MoneyColumn
from ..extensions import db

DEBIT, CREDIT = "DEBIT", "CREDIT"
KINDS = (DEBIT, CREDIT)
# Why an entry exists: a sale paid on credit, a repayment, a refund or cancellation giving the
# credit part back, a balance carried over from before the app, a reversal of another entry.
SALE, REPAYMENT, REFUND, CANCELLATION, OPENING, REVERSAL = (
    "SALE", "REPAYMENT", "REFUND", "CANCELLATION", "OPENING", "REVERSAL")
SOURCES = (SALE, REPAYMENT, REFUND, CANCELLATION, OPENING, REVERSAL)
SOURCE_LABELS = {SALE: _l("Vente à crédit"), REPAYMENT: _l("Remboursement"), REFUND: _l("Retour de marchandise"),
                 CANCELLATION: _l("Annulation de vente"), OPENING: _l("Solde repris"), REVERSAL: _l("Correction")}
PENDING, PAID, OVERDUE = "PENDING", "PAID", "OVERDUE"
INSTALLMENT_LABELS = {PENDING: _l("À venir"), PAID: _l("Payée"), OVERDUE: _l("En retard")}
REPAYMENT_METHODS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD")



class CustomerAccount(db.Model):
    __tablename__ = "customer_account"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="ck_customer_account_limit"),
        CheckConstraint("balance >= 0", name="ck_customer_account_balance"),
        CheckConstraint("balance <= credit_limit", name="ck_customer_account_within_limit"),
    )

    id = Column(Integer, primary_key=True)
    customer_id = ref("customer", unique=True)
    store_id = ref("store", index=True)
    credit_limit = Column(MoneyColumn, nullable=False)
    balance = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    is_active = Column(Boolean, nullable=False, default=True)
    note = Column(Text)
    created_at = written_at()
    created_by_id = ref("ab_user", ondelete=None, nullable=True)

    customer = db.relationship("Customer")
    store = db.relationship("Store")
    created_by = db.relationship("User")
    entries = db.relationship("CreditLedgerEntry", back_populates="account", order_by="CreditLedgerEntry.id",
                              viewonly=True)
    installments = db.relationship("Installment", back_populates="account",
                                   order_by="[Installment.due_date, Installment.id]", viewonly=True)

    @property
    def available(self):
        return max(self.credit_limit - self.balance, Decimal("0"))

    def overdue(self):
        """What is overdue today in the store's zone (the list screen's column)."""
        from .services import overdue_amount

        return overdue_amount(self)

    def __repr__(self):
        return f"Compte {self.customer}" if self.customer else f"Compte #{self.id}"


class CreditLedgerEntry(db.Model):
    """One movement of an account: `amount` is positive, `kind` gives the direction."""

    __tablename__ = "credit_ledger_entry"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="ck_credit_ledger_kind"),
        CheckConstraint(one_of("source", SOURCES), name="ck_credit_ledger_source"),
        CheckConstraint("amount > 0", name="ck_credit_ledger_amount"),
        CheckConstraint("balance_after >= 0", name="ck_credit_ledger_balance"),
    )

    id = Column(Integer, primary_key=True)
    account_id = ref("customer_account", index=True)
    store_id = ref("store", index=True)
    kind = Column(String(8), nullable=False)
    source = Column(String(16), nullable=False)
    amount = Column(MoneyColumn, nullable=False)
    balance_after = Column(MoneyColumn, nullable=False)
    sale_id = ref("sale", nullable=True, index=True)
    payment_id = ref("payment", nullable=True, unique=True)
    repayment_id = ref("credit_repayment", nullable=True, unique=True)
    reverses_id = ref("credit_ledger_entry", nullable=True, unique=True)
    user_id = ref("ab_user", ondelete=None, nullable=True)
    note = Column(Text)
    created_at = written_at(index=True)

    account = db.relationship("CustomerAccount", back_populates="entries")
    store = db.relationship("Store")
    sale = db.relationship("Sale")
    user = db.relationship("User")
    repayment = db.relationship("CreditRepayment", foreign_keys=[repayment_id])

    @property
    def signed_amount(self):
        return self.amount if self.kind == DEBIT else -self.amount

    def __repr__(self):
        return f"{self.kind} {self.amount}"


class Installment(db.Model):
    """One due date of a credit sale's schedule (PaymentSchedule in SPEC §6). `due_date` is a
    date of the store's zone; unpaid past it (from the next day there) it is overdue."""

    __tablename__ = "credit_installment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_credit_installment_amount"),
        CheckConstraint("paid >= 0 AND paid <= amount", name="ck_credit_installment_paid"),
        CheckConstraint("number >= 1", name="ck_credit_installment_number"),
    )

    id = Column(Integer, primary_key=True)
    account_id = ref("customer_account", index=True)
    store_id = ref("store", index=True)
    entry_id = ref("credit_ledger_entry", index=True)
    sale_id = ref("sale", nullable=True, index=True)
    number = Column(Integer, nullable=False, default=1)
    due_date = Column(Date, nullable=False, index=True)
    amount = Column(MoneyColumn, nullable=False)
    paid = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    created_at = written_at()

    account = db.relationship("CustomerAccount", back_populates="installments")
    sale = db.relationship("Sale")

    @property
    def left(self):
        return self.amount - self.paid

    def status_on(self, today):
        """PAID, OVERDUE (unpaid and `today`, a local date, is after the due date) or PENDING."""
        if self.paid >= self.amount:
            return PAID
        return OVERDUE if today > self.due_date else PENDING

    def __repr__(self):
        return f"Échéance {self.number} du {self.due_date:%d/%m/%Y}"


class CreditRepayment(TakenAtTill, db.Model):
    """Money a customer brought to the till for their account, in the cashier's open shift."""

    __tablename__ = "credit_repayment"
    __table_args__ = (
        CheckConstraint(one_of("method", REPAYMENT_METHODS), name="ck_credit_repayment_method"),
        CheckConstraint("amount > 0", name="ck_credit_repayment_amount"),
        CheckConstraint("method <> 'MOBILE_MONEY' OR (operator IS NOT NULL AND reference IS NOT NULL)",
                        name="ck_credit_repayment_mobile_money"),
    )

    id = Column(Integer, primary_key=True)
    account_id = ref("customer_account", index=True)
    balance_after = Column(MoneyColumn, nullable=False)

    account = db.relationship("CustomerAccount")
    store = db.relationship("Store")
    cashier = db.relationship("User")

    def __repr__(self):
        return f"Remboursement crédit {self.amount}"
