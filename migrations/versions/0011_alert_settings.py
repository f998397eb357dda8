"""alert settings: a store's pending payment limit defaults to 30 minutes (issue 16), in the
database too, so that a store inserted without it gets the limit the alerts expect

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('store') as batch:
        batch.alter_column('pending_payment_limit_minutes', existing_type=sa.Integer(), existing_nullable=False,
                           server_default='30')


def downgrade():
    with op.batch_alter_table('store') as batch:
        batch.alter_column('pending_payment_limit_minutes', existing_type=sa.Integer(), existing_nullable=False,
                           server_default=None)
