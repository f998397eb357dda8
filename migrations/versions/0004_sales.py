"""sales: customers, sales and items, approvals, refunds, cash shifts, payments, payouts

Revision ID: 0004
Revises: 0003

On PostgreSQL, payments, refunds and payouts are append-only (a trigger refuses UPDATE and
DELETE) and a closed cash shift can no longer change.
"""
from alembic import op
import sqlalchemy as sa

from migrations.helpers import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

APPEND_ONLY = ("payment", "refund", "refund_line", "cash_payout")


def _create_closed_shift_guard():
    """A closed shift is immutable: its figures are what the cashier and the manager signed off."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION refuse_closed_shift_change() RETURNS trigger AS $$
        BEGIN
            IF OLD.status = 'CLOSED' THEN
                RAISE EXCEPTION 'cash_shift % is closed: % refused', OLD.id, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute("CREATE TRIGGER cash_shift_closed_immutable BEFORE UPDATE OR DELETE ON cash_shift "
               "FOR EACH ROW EXECUTE FUNCTION refuse_closed_shift_change()")


def _drop_closed_shift_guard():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS cash_shift_closed_immutable ON cash_shift")
    op.execute("DROP FUNCTION IF EXISTS refuse_closed_shift_change()")


def upgrade():
    op.create_table('cash_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opening_float', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counted_cash', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('counted_mobile_money', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('counted_bank_transfer', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('counted_card', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('cash_in', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('change_given', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('cash_refunds', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('cash_payouts', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('expected_cash', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('expected_mobile_money', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('expected_bank_transfer', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('expected_card', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('variance', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("status = 'OPEN' OR (closed_at IS NOT NULL AND counted_cash IS NOT NULL)", name='ck_cash_shift_closed'),
    sa.CheckConstraint("status IN ('OPEN', 'CLOSED')", name='ck_cash_shift_status'),
    sa.CheckConstraint('opening_float >= 0', name='ck_cash_shift_opening_float'),
    sa.ForeignKeyConstraint(['cashier_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cash_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_shift_cashier_id'), ['cashier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_shift_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_shift_store_id'), ['store_id'], unique=False)
        batch_op.create_index('uq_cash_shift_one_open', ['store_id', 'cashier_id'], unique=True, postgresql_where=sa.text("status = 'OPEN'"), sqlite_where=sa.text("status = 'OPEN'"))

    op.create_table('customer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('tax_id', sa.String(length=64), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_store_id'), ['store_id'], unique=False)

    op.create_table('cash_payout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name='ck_cash_payout_amount'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['cash_shift.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cash_payout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_payout_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cash_payout_store_id'), ['store_id'], unique=False)

    op.create_table('sale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('discount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_paid', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_refunded', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('stock_reserved', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("number IS NOT NULL OR status IN ('DRAFT', 'CANCELLED')", name='ck_sale_number'),
    sa.CheckConstraint("status IN ('DRAFT', 'PENDING_PAYMENT', 'PARTIALLY_PAID', 'PAID', 'CANCELLED', 'REFUNDED')", name='ck_sale_status'),
    sa.CheckConstraint('amount_paid >= 0 AND amount_paid <= total', name='ck_sale_amount_paid'),
    sa.CheckConstraint('amount_refunded >= 0 AND amount_refunded <= amount_paid', name='ck_sale_amount_refunded'),
    sa.CheckConstraint('discount >= 0', name='ck_sale_discount'),
    sa.CheckConstraint('total >= 0', name='ck_sale_total'),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['seller_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('ix_sale_store_status', ['store_id', 'status'], unique=False)

    op.create_table('approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('DISCOUNT', 'PRICE_FLOOR', 'CANCELLATION', 'REFUND')", name='ck_approval_kind'),
    sa.CheckConstraint("status = 'PENDING' OR decided_by_id IS NOT NULL", name='ck_approval_decided_by'),
    sa.CheckConstraint("status IN ('PENDING', 'APPROVED', 'REJECTED')", name='ck_approval_status'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index('ix_approval_store_status', ['store_id', 'status'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tendered', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('change_given', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('operator', sa.String(length=16), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('sale_status_after', sa.String(length=20), nullable=False),
    sa.Column('balance_due_after', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method <> 'MOBILE_MONEY' OR (operator IS NOT NULL AND reference IS NOT NULL)", name='ck_payment_mobile_money'),
    sa.CheckConstraint("method = 'CASH' OR (change_given = 0 AND tendered IS NULL)", name='ck_payment_cash_only'),
    sa.CheckConstraint("method IN ('CASH', 'MOBILE_MONEY', 'BANK_TRANSFER', 'CARD', 'CREDIT')", name='ck_payment_method'),
    sa.CheckConstraint("operator IS NULL OR operator IN ('MTN', 'ORANGE')", name='ck_payment_operator'),
    sa.CheckConstraint('amount > 0', name='ck_payment_amount'),
    sa.CheckConstraint('change_given >= 0', name='ck_payment_change'),
    sa.CheckConstraint('tendered IS NULL OR tendered = amount + change_given', name='ck_payment_tendered'),
    sa.ForeignKeyConstraint(['cashier_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shift_id'], ['cash_shift.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_store_id'), ['store_id'], unique=False)

    op.create_table('refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('is_cancellation', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('restock', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method <> 'CASH' OR shift_id IS NOT NULL", name='ck_refund_cash_shift'),
    sa.CheckConstraint("method IN ('CASH', 'MOBILE_MONEY', 'BANK_TRANSFER', 'CARD', 'CREDIT')", name='ck_refund_method'),
    sa.CheckConstraint('amount > 0', name='ck_refund_amount'),
    sa.ForeignKeyConstraint(['approved_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shift_id'], ['cash_shift.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_store_id'), ['store_id'], unique=False)

    op.create_table('sale_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('discount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('line_total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('refunded_quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('discount >= 0 AND discount <= quantity * unit_price', name='ck_sale_item_discount'),
    sa.CheckConstraint('quantity > 0', name='ck_sale_item_quantity'),
    sa.CheckConstraint('refunded_quantity >= 0 AND refunded_quantity <= quantity', name='ck_sale_item_refunded'),
    sa.CheckConstraint('unit_price >= 0', name='ck_sale_item_unit_price'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sale_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_item_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_item_sale_id'), ['sale_id'], unique=False)

    op.create_table('refund_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('sale_item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('restock', sa.Boolean(), nullable=False),
    sa.CheckConstraint('amount >= 0', name='ck_refund_line_amount'),
    sa.CheckConstraint('quantity > 0', name='ck_refund_line_quantity'),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sale_item_id'], ['sale_item.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_line_refund_id'), ['refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_line_sale_item_id'), ['sale_item_id'], unique=False)

    op.create_table('sale_item_serial',
    sa.Column('sale_item_id', sa.Integer(), nullable=False),
    sa.Column('serial_number_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sale_item_id'], ['sale_item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['serial_number_id'], ['serial_number.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('sale_item_id', 'serial_number_id')
    )
    op.create_table('refund_line_serial',
    sa.Column('refund_line_id', sa.Integer(), nullable=False),
    sa.Column('serial_number_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['refund_line_id'], ['refund_line.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['serial_number_id'], ['serial_number.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('refund_line_id', 'serial_number_id')
    )
    for table in APPEND_ONLY:
        create_append_only_guard(table)
    _create_closed_shift_guard()


def downgrade():
    for table in APPEND_ONLY:
        drop_append_only_guard(table)
    _drop_closed_shift_guard()
    op.drop_table('refund_line_serial')
    op.drop_table('sale_item_serial')
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_line_sale_item_id'))
        batch_op.drop_index(batch_op.f('ix_refund_line_refund_id'))

    op.drop_table('refund_line')
    with op.batch_alter_table('sale_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_item_sale_id'))
        batch_op.drop_index(batch_op.f('ix_sale_item_product_id'))

    op.drop_table('sale_item')
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_store_id'))
        batch_op.drop_index(batch_op.f('ix_refund_shift_id'))
        batch_op.drop_index(batch_op.f('ix_refund_sale_id'))
        batch_op.drop_index(batch_op.f('ix_refund_created_at'))

    op.drop_table('refund')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_store_id'))
        batch_op.drop_index(batch_op.f('ix_payment_shift_id'))
        batch_op.drop_index(batch_op.f('ix_payment_sale_id'))
        batch_op.drop_index(batch_op.f('ix_payment_created_at'))

    op.drop_table('payment')
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_store_status')
        batch_op.drop_index(batch_op.f('ix_approval_sale_id'))

    op.drop_table('approval')
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_store_status')
        batch_op.drop_index(batch_op.f('ix_sale_seller_id'))
        batch_op.drop_index(batch_op.f('ix_sale_customer_id'))
        batch_op.drop_index(batch_op.f('ix_sale_created_at'))

    op.drop_table('sale')
    with op.batch_alter_table('cash_payout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_payout_store_id'))
        batch_op.drop_index(batch_op.f('ix_cash_payout_shift_id'))

    op.drop_table('cash_payout')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_store_id'))
        batch_op.drop_index(batch_op.f('ix_customer_phone'))

    op.drop_table('customer')
    with op.batch_alter_table('cash_shift', schema=None) as batch_op:
        batch_op.drop_index('uq_cash_shift_one_open', postgresql_where=sa.text("status = 'OPEN'"), sqlite_where=sa.text("status = 'OPEN'"))
        batch_op.drop_index(batch_op.f('ix_cash_shift_store_id'))
        batch_op.drop_index(batch_op.f('ix_cash_shift_opened_at'))
        batch_op.drop_index(batch_op.f('ix_cash_shift_cashier_id'))

    op.drop_table('cash_shift')
