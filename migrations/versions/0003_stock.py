"""stock: per-store stock, movement ledger, serials, transfers, counts

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from migrations.helpers import create_append_only_guard, drop_append_only_guard

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validated_by_id', sa.Integer(), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('OPEN', 'VALIDATED', 'CANCELLED')", name='ck_stock_count_status'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['validated_by_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('stock_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_count_store_id'), ['store_id'], unique=False)

    op.create_table('transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('destination_store_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('receipt_note', sa.Text(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('DRAFT', 'SENT', 'RECEIVED', 'CANCELLED')", name='ck_transfer_status'),
    sa.CheckConstraint('store_id <> destination_store_id', name='ck_transfer_two_stores'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['destination_store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_destination_store_id'), ['destination_store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_store_id'), ['store_id'], unique=False)

    op.create_table('inventory_movement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('reference_type', sa.String(length=32), nullable=True),
    sa.Column('reference_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('PURCHASE', 'SALE', 'RETURN', 'ADJUSTMENT', 'TRANSFER_OUT', 'TRANSFER_IN', 'COUNT')", name='ck_inventory_movement_type'),
    sa.CheckConstraint('balance_after >= 0', name='ck_inventory_movement_balance'),
    sa.CheckConstraint('quantity <> 0', name='ck_inventory_movement_quantity'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inventory_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_movement_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_movement_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_inventory_movement_store_product', ['store_id', 'product_id', 'id'], unique=False)

    op.create_table('product_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name='ck_product_stock_quantity'),
    sa.CheckConstraint('reserved >= 0 AND reserved <= quantity', name='ck_product_stock_reserved'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('store_id', 'product_id', name='uq_product_stock_store_product')
    )
    with op.batch_alter_table('product_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_stock_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_stock_store_id'), ['store_id'], unique=False)

    op.create_table('serial_number',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('IN_STOCK', 'SOLD', 'RETURNED', 'DEFECTIVE', 'IN_TRANSIT', 'MISSING')", name='ck_serial_number_status'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'serial', name='uq_serial_number_product_serial')
    )
    with op.batch_alter_table('serial_number', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_serial_number_serial'), ['serial'], unique=False)
        batch_op.create_index('ix_serial_number_store_product_status', ['store_id', 'product_id', 'status'], unique=False)

    op.create_table('stock_count_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('expected_quantity', sa.Integer(), nullable=False),
    sa.Column('counted_quantity', sa.Integer(), nullable=True),
    sa.Column('book_quantity', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counted_serials', sa.JSON(), nullable=True),
    sa.Column('missing_serials', sa.JSON(), nullable=True),
    sa.Column('unexpected_serials', sa.JSON(), nullable=True),
    sa.CheckConstraint('book_quantity IS NULL OR book_quantity >= 0', name='ck_stock_count_line_book'),
    sa.CheckConstraint('counted_quantity IS NULL OR counted_quantity >= 0', name='ck_stock_count_line_counted'),
    sa.CheckConstraint('expected_quantity >= 0', name='ck_stock_count_line_expected'),
    sa.ForeignKeyConstraint(['count_id'], ['stock_count.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('count_id', 'product_id', name='uq_stock_count_line_product')
    )
    with op.batch_alter_table('stock_count_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_count_line_count_id'), ['count_id'], unique=False)

    op.create_table('transfer_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received_quantity', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity > 0', name='ck_transfer_line_quantity'),
    sa.CheckConstraint('received_quantity IS NULL OR received_quantity >= 0', name='ck_transfer_line_received'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transfer_id', 'product_id', name='uq_transfer_line_product')
    )
    with op.batch_alter_table('transfer_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_line_transfer_id'), ['transfer_id'], unique=False)

    op.create_table('transfer_line_serial',
    sa.Column('transfer_line_id', sa.Integer(), nullable=False),
    sa.Column('serial_number_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['serial_number_id'], ['serial_number.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transfer_line_id'], ['transfer_line.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transfer_line_id', 'serial_number_id')
    )
    create_append_only_guard("inventory_movement")


def downgrade():
    drop_append_only_guard("inventory_movement")
    op.drop_table('transfer_line_serial')
    with op.batch_alter_table('transfer_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_line_transfer_id'))

    op.drop_table('transfer_line')
    with op.batch_alter_table('stock_count_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_count_line_count_id'))

    op.drop_table('stock_count_line')
    with op.batch_alter_table('serial_number', schema=None) as batch_op:
        batch_op.drop_index('ix_serial_number_store_product_status')
        batch_op.drop_index(batch_op.f('ix_serial_number_serial'))

    op.drop_table('serial_number')
    with op.batch_alter_table('product_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_stock_store_id'))
        batch_op.drop_index(batch_op.f('ix_product_stock_product_id'))

    op.drop_table('product_stock')
    with op.batch_alter_table('inventory_movement', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_movement_store_product')
        batch_op.drop_index(batch_op.f('ix_inventory_movement_product_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_movement_created_at'))

    op.drop_table('inventory_movement')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_store_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_destination_store_id'))

    op.drop_table('transfer')
    with op.batch_alter_table('stock_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_count_store_id'))

    op.drop_table('stock_count')
