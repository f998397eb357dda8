"""credits: customer accounts, the credit ledger (append-only), installments, repayments;
the store's credit term

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from migrations.helpers import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=14, scale=2)


def upgrade():
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_term_days', sa.Integer(), nullable=False, server_default='30'))

    op.create_table('customer_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('credit_limit', MONEY, nullable=False),
    sa.Column('balance', MONEY, nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('credit_limit >= 0', name='ck_customer_account_limit'),
    sa.CheckConstraint('balance >= 0', name='ck_customer_account_balance'),
    sa.CheckConstraint('balance <= credit_limit', name='ck_customer_account_within_limit'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id')
    )
    with op.batch_alter_table('customer_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_account_store_id'), ['store_id'], unique=False)

    op.create_table('credit_repayment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('operator', sa.String(length=16), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('balance_after', MONEY, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('CASH', 'MOBILE_MONEY', 'BANK_TRANSFER', 'CARD')", name='ck_credit_repayment_method'),
    sa.CheckConstraint('amount > 0', name='ck_credit_repayment_amount'),
    sa.CheckConstraint("method <> 'MOBILE_MONEY' OR (operator IS NOT NULL AND reference IS NOT NULL)",
                       name='ck_credit_repayment_mobile_money'),
    sa.ForeignKeyConstraint(['account_id'], ['customer_account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cashier_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['cash_shift.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('credit_repayment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_repayment_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repayment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repayment_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repayment_store_id'), ['store_id'], unique=False)

    op.create_table('credit_ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('balance_after', MONEY, nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('repayment_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('DEBIT', 'CREDIT')", name='ck_credit_ledger_kind'),
    sa.CheckConstraint("source IN ('SALE', 'REPAYMENT', 'REFUND', 'CANCELLATION', 'OPENING', 'REVERSAL')",
                       name='ck_credit_ledger_source'),
    sa.CheckConstraint('amount > 0', name='ck_credit_ledger_amount'),
    sa.CheckConstraint('balance_after >= 0', name='ck_credit_ledger_balance'),
    sa.ForeignKeyConstraint(['account_id'], ['customer_account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['repayment_id'], ['credit_repayment.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reverses_id'], ['credit_ledger_entry.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('payment_id'),
    sa.UniqueConstraint('repayment_id'),
    sa.UniqueConstraint('reverses_id')
    )
    with op.batch_alter_table('credit_ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_ledger_entry_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_ledger_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_ledger_entry_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_ledger_entry_store_id'), ['store_id'], unique=False)

    op.create_table('credit_installment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('paid', MONEY, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name='ck_credit_installment_amount'),
    sa.CheckConstraint('paid >= 0 AND paid <= amount', name='ck_credit_installment_paid'),
    sa.CheckConstraint('number >= 1', name='ck_credit_installment_number'),
    sa.ForeignKeyConstraint(['account_id'], ['customer_account.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['credit_ledger_entry.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_installment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_installment_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_installment_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_installment_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_installment_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_installment_store_id'), ['store_id'], unique=False)

    for table in ('credit_ledger_entry', 'credit_repayment'):
        create_append_only_guard(table)


def downgrade():
    for table in ('credit_ledger_entry', 'credit_repayment'):
        drop_append_only_guard(table)
    op.drop_table('credit_installment')
    op.drop_table('credit_ledger_entry')
    op.drop_table('credit_repayment')
    op.drop_table('customer_account')
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('credit_term_days')
