"""kept typed input belongs to whoever typed it

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 18:00:00.000000

Input kept after a session expired went to whoever signed in next on that
browser. Each kept form now holds the visitor key of the person who typed
it (typed_input.visitor_key) and is given back only to that key. Rows kept
before have no owner: they are given back only to a visitor without one,
and they are gone within a day anyway.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('typed_input', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('typed_input', schema=None) as batch_op:
        batch_op.drop_column('owner')
