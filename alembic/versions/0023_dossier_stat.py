"""each dossier's statistics summary (stats.models.DossierStat)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 12:30:00.000000

One narrow row per dossier, rewritten with each of its events; the figures
aggregate it; and the daily counts per agency (stat_day) kept with them. Rows of dossiers that exist before this revision are
computed by ``congdichvu-stats rebuild INI`` (``make run`` runs it), which
needs the working calendar the application uses.
"""
import sqlalchemy as sa
from alembic import op

INSTANT = sa.DateTime(timezone=True)
#: stats.models.DAY_COUNTS as of this revision
DAY_COUNTS = (
    "new", "in_person", "postal", "online", "digitised",
    "early", "on_time", "late", "refused", "withdrawn",
    "paid", "paid_online", "returned", "returned_by_post", "returned_online",
    "very_satisfied", "satisfied", "dissatisfied",
    "waiting_in", "waiting_out", "overdue_in", "overdue_out",
)

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dossier_stat',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(40), nullable=False),
        sa.Column('sector_code', sa.String(40), nullable=True),
        sa.Column('procedure_code', sa.String(40), nullable=False),
        sa.Column('channel', sa.String(20), nullable=False),
        sa.Column('submitted_at', INSTANT, nullable=False),
        sa.Column('received_at', INSTANT, nullable=True),
        sa.Column('first_due_at', INSTANT, nullable=True),
        sa.Column('due_at', INSTANT, nullable=True),
        sa.Column('paused_from', INSTANT, nullable=True),
        sa.Column('paused_until', INSTANT, nullable=True),
        sa.Column('supplements', sa.Integer(), server_default='0', nullable=False),
        sa.Column('finished_at', INSTANT, nullable=True),
        sa.Column('ending', sa.String(10), nullable=True),
        sa.Column('outcome', sa.String(10), nullable=True),
        sa.Column('working_minutes', sa.Integer(), nullable=True),
        sa.Column('settled_at', INSTANT, nullable=True),
        sa.Column('digitised', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('paid_at', INSTANT, nullable=True),
        sa.Column('paid_online', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('returned_at', INSTANT, nullable=True),
        sa.Column('returned_by', sa.String(20), nullable=True),
        sa.Column('rating', sa.String(20), nullable=True),
        sa.Column('rated_at', INSTANT, nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_stat_dossier_id_dossier'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_dossier_stat')),
    )
    op.create_index('ix_dossier_stat_agency_window', 'dossier_stat', ['agency_code', 'submitted_at', 'settled_at'])
    op.create_index('ix_dossier_stat_procedure_finished', 'dossier_stat', ['procedure_code', 'finished_at'])
    op.create_table(
        'stat_day',
        sa.Column('agency_code', sa.String(40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        *[sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in DAY_COUNTS],
        sa.PrimaryKeyConstraint('agency_code', 'day', name=op.f('pk_stat_day')),
    )


def downgrade():
    op.drop_table('stat_day')
    op.drop_table('dossier_stat')
