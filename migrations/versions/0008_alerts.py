"""alerts: the alert table (one open alert per cause) and the stores' alert settings

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN_WHERE = "status IN ('NEW', 'ACKNOWLEDGED')"


def upgrade():
    with op.batch_alter_table('store') as batch:
        batch.add_column(sa.Column('cash_variance_tolerance', sa.Numeric(14, 2), nullable=False,
                                   server_default='1000'))
        batch.add_column(sa.Column('cash_variance_repeat', sa.Integer(), nullable=False, server_default='3'))
        batch.create_check_constraint('ck_store_cash_variance', 'cash_variance_tolerance >= 0 AND cash_variance_repeat > 0')
    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('type', sa.String(24), nullable=False),
        sa.Column('severity', sa.String(10), nullable=False),
        sa.Column('store_id', sa.Integer(), sa.ForeignKey('store.id', ondelete='CASCADE'), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('object_type', sa.String(32), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('cause_key', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True)),
        sa.Column('acknowledged_by_id', sa.Integer(), sa.ForeignKey('ab_user.id')),
        sa.Column('resolved_at', sa.DateTime(timezone=True)),
        sa.Column('resolved_by_id', sa.Integer(), sa.ForeignKey('ab_user.id')),
        sa.CheckConstraint("status IN ('NEW', 'ACKNOWLEDGED', 'RESOLVED')", name='ck_alert_status'),
        sa.CheckConstraint("severity IN ('INFO', 'WARNING', 'CRITICAL')", name='ck_alert_severity'),
        sa.CheckConstraint("status <> 'RESOLVED' OR resolved_at IS NOT NULL", name='ck_alert_resolved'),
    )
    op.create_index('uq_alert_open_cause', 'alert', ['type', 'store_id', 'cause_key'], unique=True,
                    postgresql_where=sa.text(OPEN_WHERE), sqlite_where=sa.text(OPEN_WHERE))
    op.create_index('ix_alert_store_status', 'alert', ['store_id', 'status'])
    op.create_index('ix_alert_created_at', 'alert', ['created_at'])


def downgrade():
    op.drop_table('alert')
    with op.batch_alter_table('store') as batch:
        batch.drop_constraint('ck_store_cash_variance', type_='check')
        batch.drop_column('cash_variance_repeat')
        batch.drop_column('cash_variance_tolerance')
