"""papers shown for comparison, not handed in

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # existing papers are handed in, as before; catalogue files that say
    # otherwise set the flag when they are imported again
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presented_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_column('presented_only')
