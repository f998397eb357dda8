"""Tables every domain uses (document numbering, the audit trail) and the column helpers of every model."""
from datetime import datetime, timezone

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.types import TypeDecorator

from ..extensions import db
from .money import MoneyColumn


def utcnow():
    return datetime.now(timezone.utc)


def one_of(column, values):
    """A CHECK constraint's SQL: the column holds one of the values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def ref(table, ondelete="RESTRICT", nullable=False, **kwargs):
    """A column holding the id of a row of `table` (a foreign key)."""
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, **kwargs)


def written_at(**kwargs):
    """A moment set to now when the row is written (UTC)."""
    return Column(UtcDateTime(), nullable=False, default=utcnow, **kwargs)


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC and always read back with its zone. PostgreSQL does this itself;
    SQLite (the embedded default of `make run`) dropped the offset of a moment given in another
    zone (16:47 in Douala was stored as 16:47 UTC) and gave naive values back, which the API then
    wrote without an offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            return value.astimezone(timezone.utc)
        return value  # naive: already UTC

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class Sequence(db.Model):
    """The last number given per store, document type and year (gapless numbering)."""

    __tablename__ = "sequence"
    __table_args__ = (UniqueConstraint("store_id", "doc_type", "year", name="uq_sequence_store_type_year"),)

    id = Column(Integer, primary_key=True)
    store_id = ref("store", ondelete="CASCADE")
    doc_type = Column(String(8), nullable=False)
    year = Column(Integer, nullable=False)
    last_value = Column(Integer, nullable=False, default=0)

    def __repr__(self):
        return f"{self.doc_type}/{self.year}: {self.last_value}"


class AuditLog(db.Model):
    """Append-only trail of every state change and approval: who, when, what, before/after."""

    __tablename__ = "audit_log"

    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at = written_at(index=True)
    user_id = ref("ab_user", ondelete=None, nullable=True)
    store_id = ref("store", ondelete=None, nullable=True, index=True)
    action = Column(String(64), nullable=False)
    object_type = Column(String(64), nullable=False)
    object_id = Column(String(64), nullable=True)
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])
    store = db.relationship("Store", foreign_keys=[store_id])

    def __repr__(self):
        return f"{self.action} {self.object_type} {self.object_id}"

    # The audit log screen's words (app/core/audit_words.py): the codes stay in the columns.
    @property
    def action_label(self):
        from .audit_words import action_text

        return action_text(self.action)

    @property
    def object_label(self):
        from .audit_words import object_text

        return object_text(self.object_type, self.object_id)

    @property
    def changes(self):
        from .audit_words import changes_table

        return changes_table(self.before, self.after)


class TakenAtTill:
    """The columns of money a cashier takes at the till in an open shift (payments, repayments):
    where, who, how, how much, and the Idempotency-Key that makes a resent request a replay."""

    store_id = ref("store", index=True)
    shift_id = ref("cash_shift", index=True)
    cashier_id = ref("ab_user", ondelete=None)
    method = Column(String(16), nullable=False)
    amount = Column(MoneyColumn, nullable=False)
    operator = Column(String(16))
    reference = Column(String(64))
    idempotency_key = Column(String(128), unique=True)
    fingerprint = Column(String(64))  # of the request, to tell a replay from a reused key
    created_at = written_at(index=True)
