"""An alert: one open row per cause (a partial unique index), resolved when its cause has gone."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Index, Integer, String, Text, text

from ..core.models import UtcDateTime, one_of, ref, written_at
from ..extensions import db

NEW, ACKNOWLEDGED, RESOLVED = "NEW", "ACKNOWLEDGED", "RESOLVED"
STATUSES = (NEW, ACKNOWLEDGED, RESOLVED)
OPEN_STATUSES = (NEW, ACKNOWLEDGED)
INFO, WARNING, CRITICAL = "INFO", "WARNING", "CRITICAL"
SEVERITIES = (INFO, WARNING, CRITICAL)

LOW_STOCK = "LOW_STOCK"
PENDING_PAYMENT = "PENDING_PAYMENT"
ABNORMAL_DISCOUNT = "ABNORMAL_DISCOUNT"
SELLER_DISCOUNT = "SELLER_DISCOUNT"
CASH_VARIANCE = "CASH_VARIANCE"
OVERDUE_CREDIT = "OVERDUE_CREDIT"
TYPES = (LOW_STOCK, PENDING_PAYMENT, ABNORMAL_DISCOUNT, SELLER_DISCOUNT, CASH_VARIANCE, OVERDUE_CREDIT)
# What a stock keeper sees; managers see every type of their stores.
STOCK_TYPES = (LOW_STOCK,)

TYPE_LABELS = {LOW_STOCK: _l("Stock bas"), PENDING_PAYMENT: _l("Paiement en attente"),
               ABNORMAL_DISCOUNT: _l("Remise anormale"), SELLER_DISCOUNT: _l("Remises d'un vendeur"),
               CASH_VARIANCE: _l("Écarts de caisse répétés"), OVERDUE_CREDIT: _l("Crédit en retard")}
STATUS_LABELS = {NEW: _l("Nouvelle"), ACKNOWLEDGED: _l("Vue"), RESOLVED: _l("Résolue")}
SEVERITY_LABELS = {INFO: _l("Info"), WARNING: _l("Attention"), CRITICAL: _l("Critique")}



OPEN_WHERE = one_of("status", OPEN_STATUSES)


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="ck_alert_status"),
        CheckConstraint(one_of("severity", SEVERITIES), name="ck_alert_severity"),
        CheckConstraint("status <> 'RESOLVED' OR resolved_at IS NOT NULL", name="ck_alert_resolved"),
        # Never two open alerts for one cause: two runs of a job at once cannot duplicate.
        Index("uq_alert_open_cause", "type", "store_id", "cause_key", unique=True,
              postgresql_where=text(OPEN_WHERE), sqlite_where=text(OPEN_WHERE)),
        Index("ix_alert_store_status", "store_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    type = Column(String(24), nullable=False)
    severity = Column(String(10), nullable=False)
    store_id = ref("store", ondelete="CASCADE")
    message = Column(Text, nullable=False)  # French, written by the check
    object_type = Column(String(32), nullable=False)  # what the alert links to: Product, Sale, User...
    object_id = Column(Integer, nullable=False)
    cause_key = Column(String(64), nullable=False)  # the cause within (type, store), e.g. "product:12"
    status = Column(String(16), nullable=False, default=NEW)
    created_at = written_at(index=True)
    acknowledged_at = Column(UtcDateTime())
    acknowledged_by_id = ref("ab_user", ondelete=None, nullable=True)
    resolved_at = Column(UtcDateTime())
    resolved_by_id = ref("ab_user", ondelete=None, nullable=True)  # NULL: resolved by its job

    store = db.relationship("Store")
    acknowledged_by = db.relationship("User", foreign_keys=[acknowledged_by_id])
    resolved_by = db.relationship("User", foreign_keys=[resolved_by_id])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def __repr__(self):
        return f"Alerte #{self.id}"
