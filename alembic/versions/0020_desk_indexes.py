"""desk indexes: an agency's dossiers counted from an index, pending sign-offs found by action

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 09:00:00.000000

benchmarks/desk.py (100,000 dossiers on PostgreSQL): counting every
dossier a city leader may read read the whole dossier_agency table and
hashed it (80 ms); from (agency_code, dossier_id) it is an index-only
scan (35 ms), and a ward's 3,000 a few milliseconds. The "waiting for
sign-off" queue looked for sign-off requests among every event (400,000,
45 ms); by ``action`` it finds the few there are.
"""
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dossier_agency_agency_dossier', 'dossier_agency', ['agency_code', 'dossier_id'])
    op.create_index('ix_dossier_event_action', 'dossier_event', ['action'])


def downgrade():
    op.drop_index('ix_dossier_event_action', table_name='dossier_event')
    op.drop_index('ix_dossier_agency_agency_dossier', table_name='dossier_agency')
