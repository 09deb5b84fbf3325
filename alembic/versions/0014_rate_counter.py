"""rate counters: limits that every app server counts together

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00.000000

One row per limit, key (a SHA-256 digest) and fixed window
(congdichvu.ratelimit): mail to an account, registrations and password
reset requests per address, and audit rows about refused sign-ins are
bounded by it.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_counter',
        sa.Column('bucket', sa.String(length=50), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'key', 'window_start', name=op.f('pk_rate_counter')),
    )
    op.create_index('ix_rate_counter_bucket_window_start', 'rate_counter', ['bucket', 'window_start'], unique=False)


def downgrade():
    op.drop_index('ix_rate_counter_bucket_window_start', table_name='rate_counter')
    op.drop_table('rate_counter')
