"""KPISnapshot: one store's figures for one local day, written by the daily_kpi_snapshot job.

It keeps the additive figures of the day (and the per-method, per-product and per-seller parts
in full, not only the top ones) so that a period's KPIs are the sum of its days' snapshots.
"""
from decimal import Decimal

from sqlalchemy import JSON, Column, Date, Index, Integer, UniqueConstraint

from ..cashier.models import Payment
from ..sales.models import Sale
from ..stock.models import InventoryMovement

from ..core.models import ref, written_at
from ..core.money import MoneyColumn
from ..extensions import db


class KPISnapshot(db.Model):
    __tablename__ = "kpi_snapshot"
    __table_args__ = (UniqueConstraint("store_id", "day", name="uq_kpi_snapshot_store_day"),)

    id = Column(Integer, primary_key=True)
    store_id = ref("store", index=True)
    day = Column(Date, nullable=False, index=True)  # in the store's zone
    revenue = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    revenue_ht = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    sales_total = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # TTC of the sales paid, before refunds
    sales_count = Column(Integer, nullable=False, default=0)
    items_sold = Column(Integer, nullable=False, default=0)
    cost = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    repayments = Column(MoneyColumn, nullable=False, default=Decimal("0"))
    payments = Column(JSON, nullable=False, default=dict)  # {"CASH": "12000", ...}
    products = Column(JSON, nullable=False, default=dict)  # {"product id": [quantity, "revenue"]}
    sellers = Column(JSON, nullable=False, default=dict)  # {"user id": [sales, "revenue"]}
    credit_outstanding = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # at the end of the day
    credit_overdue = Column(MoneyColumn, nullable=False, default=Decimal("0"))  # when the snapshot was taken
    low_stock_count = Column(Integer, nullable=False, default=0)  # when the snapshot was taken
    created_at = written_at()

    store = db.relationship("Store")


# The KPI queries' indexes on the tables they read (declared here, beside the queries that need them):
# the sales paid in a store's period, the payments made in it, the movements of a sale.
Index("ix_sale_store_paid_at", Sale.store_id, Sale.paid_at)
Index("ix_payment_store_created_at", Payment.store_id, Payment.created_at)
Index("ix_inventory_movement_reference", InventoryMovement.reference_type, InventoryMovement.reference_id)
