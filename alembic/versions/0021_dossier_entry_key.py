"""a dossier entered at the desk keeps the one-time key of its form

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 14:00:00.000000

The counter's form carries a key made when it is shown; the dossier it
creates keeps it under a unique index, so a double click, a replayed POST
or the same form sent twice at once creates one dossier (one ledger line,
one receipt, one message), and the second answer leads to it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch:
        batch.add_column(sa.Column('entry_key', sa.String(32), nullable=True))
        batch.create_index('ix_dossier_entry_key', ['entry_key'], unique=True)


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch:
        batch.drop_index('ix_dossier_entry_key')
        batch.drop_column('entry_key')
