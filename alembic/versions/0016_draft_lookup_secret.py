"""a submitted draft keeps the lookup secret until it is shown once

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:00:00.000000

The receipt page shows the lookup secret once. It waited in the signed
session cookie of the request that submitted, so after a double click the
browser, which follows the second answer, never saw it. The submitted
draft now keeps it (the receipt PDF holds it too) until the receipt page
shows it; the sweep clears any left after a day.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lookup_secret', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier_draft', schema=None) as batch_op:
        batch_op.drop_column('lookup_secret')
