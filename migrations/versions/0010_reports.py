"""reports: kpi_snapshot (one row per store and local day, written by daily_kpi_snapshot)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def upgrade():
    op.create_table(
        'kpi_snapshot',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('store_id', sa.Integer(), sa.ForeignKey('store.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('revenue', MONEY, nullable=False),
        sa.Column('revenue_ht', MONEY, nullable=False),
        sa.Column('sales_total', MONEY, nullable=False),
        sa.Column('sales_count', sa.Integer(), nullable=False),
        sa.Column('items_sold', sa.Integer(), nullable=False),
        sa.Column('cost', MONEY, nullable=False),
        sa.Column('repayments', MONEY, nullable=False),
        sa.Column('payments', sa.JSON(), nullable=False),
        sa.Column('products', sa.JSON(), nullable=False),
        sa.Column('sellers', sa.JSON(), nullable=False),
        sa.Column('credit_outstanding', MONEY, nullable=False),
        sa.Column('credit_overdue', MONEY, nullable=False),
        sa.Column('low_stock_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('store_id', 'day', name='uq_kpi_snapshot_store_day'),
    )
    op.create_index('ix_kpi_snapshot_store_id', 'kpi_snapshot', ['store_id'])
    op.create_index('ix_kpi_snapshot_day', 'kpi_snapshot', ['day'])
    # The KPI queries: the sales paid in a store's period, the payments and refunds made in it.
    op.create_index('ix_sale_store_paid_at', 'sale', ['store_id', 'paid_at'])
    op.create_index('ix_payment_store_created_at', 'payment', ['store_id', 'created_at'])
    op.create_index('ix_inventory_movement_reference', 'inventory_movement', ['reference_type', 'reference_id'])


def downgrade():
    op.drop_index('ix_inventory_movement_reference', 'inventory_movement')
    op.drop_index('ix_payment_store_created_at', 'payment')
    op.drop_index('ix_sale_store_paid_at', 'sale')
    op.drop_table('kpi_snapshot')
