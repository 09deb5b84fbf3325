"""typed input kept across an expired session

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'typed_input',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('path', sa.String(length=2000), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_typed_input')),
    )
    op.create_index('ix_typed_input_created_at', 'typed_input', ['created_at'], unique=False)
    op.create_index('ix_typed_input_address_created_at', 'typed_input', ['address', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_typed_input_address_created_at', table_name='typed_input')
    op.drop_index('ix_typed_input_created_at', table_name='typed_input')
    op.drop_table('typed_input')
