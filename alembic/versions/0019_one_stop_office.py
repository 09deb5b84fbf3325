"""one-stop office: who applied, which agency handles a dossier, its
deadline and clock, the steps of its history, and the notification outbox

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 06:00:00.000000

Dossiers gain the applicant's identity in indexed columns (the desk
searches them), the handling agency (a transfer changes it; every agency
the dossier passed through may read it: ``dossier_agency``), a version
raised by every change, the legal deadline ``due_at`` and the stopped
clock, and what Forms 01 and 06 print (number of sets, ledger line,
result channel, postal fee). Events gain the action, the actor's agency,
where a hand-over went and its time budget, the slip issued, details.

Existing dossiers are filled from their answers: the applicant step's
name, card number, phone, email; ``handling_agency_code`` = the agency
that received them, ``due_at`` = their appointment.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

INSTANT = sa.DateTime(timezone=True)


def _fold(text):
    from congdichvu.search.analysis import fold

    return " ".join(fold(text or "").split())[:255]


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch:
        batch.add_column(sa.Column('sector_code', sa.String(40), nullable=True))
        batch.add_column(sa.Column('handling_agency_code', sa.String(40), nullable=True))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('applicant_kind', sa.String(20), nullable=False, server_default='person'))
        batch.add_column(sa.Column('applicant_name', sa.String(255), nullable=False, server_default=''))
        batch.add_column(sa.Column('applicant_name_folded', sa.String(255), nullable=False, server_default=''))
        batch.add_column(sa.Column('applicant_id_number', sa.String(20), nullable=True))
        batch.add_column(sa.Column('applicant_tax_code', sa.String(14), nullable=True))
        batch.add_column(sa.Column('applicant_representative', sa.String(255), nullable=True))
        batch.add_column(sa.Column('applicant_phone', sa.String(20), nullable=True))
        batch.add_column(sa.Column('applicant_email', sa.String(255), nullable=True))
        batch.add_column(sa.Column('applicant_address', sa.Text(), nullable=True))
        batch.add_column(sa.Column('submitter_name', sa.String(255), nullable=True))
        batch.add_column(sa.Column('submitter_id_number', sa.String(20), nullable=True))
        batch.add_column(sa.Column('submitter_phone', sa.String(20), nullable=True))
        batch.add_column(sa.Column('due_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('clock_stopped_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('finished_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('returned_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('updated_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('dossier_count', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('ledger_number', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('result_channel', sa.String(20), nullable=False, server_default='counter'))
        batch.add_column(sa.Column('postal_address', sa.Text(), nullable=True))
        batch.add_column(sa.Column('postal_fee', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('fee_due', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('digitised', sa.Boolean(), nullable=False, server_default=sa.false()))
    _fill_dossiers()
    with op.batch_alter_table('dossier', schema=None) as batch:
        batch.alter_column('handling_agency_code', existing_type=sa.String(40), nullable=False)
        for column in ('sector_code', 'handling_agency_code', 'applicant_name', 'applicant_name_folded',
                       'applicant_id_number', 'applicant_tax_code', 'applicant_phone'):
            batch.create_index(f'ix_dossier_{column}', [column])
        batch.create_index('ix_dossier_handling_state_due', ['handling_agency_code', 'state', 'due_at'])
        batch.create_index('ix_dossier_handling_submitted', ['handling_agency_code', 'submitted_at'])
        batch.create_index('ix_dossier_agency_submitted', ['agency_code', 'submitted_at'])

    op.create_table(
        'dossier_agency',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_agency_dossier_id_dossier'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', 'agency_code', name=op.f('pk_dossier_agency')),
    )
    op.create_index('ix_dossier_agency_agency_code', 'dossier_agency', ['agency_code'])
    op.execute("INSERT INTO dossier_agency (dossier_id, agency_code) SELECT id, agency_code FROM dossier")

    with op.batch_alter_table('dossier_event', schema=None) as batch:
        batch.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('action', sa.String(30), nullable=True))
        batch.add_column(sa.Column('agency_code', sa.String(40), nullable=True))
        batch.add_column(sa.Column('to_agency_code', sa.String(40), nullable=True))
        batch.add_column(sa.Column('department', sa.Text(), nullable=True))
        batch.add_column(sa.Column('step_due_at', INSTANT, nullable=True))
        batch.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('slip_file_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_dossier_event_slip_file_id_dossier_file', 'dossier_file',
                                 ['slip_file_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('dossier_file', schema=None) as batch:
        batch.add_column(sa.Column('slip', sa.String(10), nullable=True))

    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('channel', sa.String(10), nullable=False),
        sa.Column('recipient', sa.String(255), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('next_attempt_at', INSTANT, nullable=False),
        sa.Column('claimed_until', INSTANT, nullable=True),
        sa.Column('sent_at', INSTANT, nullable=True),
        sa.Column('failed_at', INSTANT, nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_notification_dossier_id_dossier'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_dossier_id', 'notification', ['dossier_id'])
    op.create_index('ix_notification_pending', 'notification', ['sent_at', 'failed_at', 'next_attempt_at'])


def _fill_dossiers():
    """The new columns of existing dossiers, from what they already hold."""
    bind = op.get_bind()
    dossier = sa.table('dossier', sa.column('id', sa.Integer), sa.column('agency_code', sa.String),
                       sa.column('data', sa.JSON), sa.column('procedure_snapshot', sa.JSON),
                       sa.column('appointment_at', INSTANT), sa.column('submitted_at', INSTANT),
                       sa.column('handling_agency_code', sa.String), sa.column('sector_code', sa.String),
                       sa.column('applicant_name', sa.String), sa.column('applicant_name_folded', sa.String),
                       sa.column('applicant_id_number', sa.String), sa.column('applicant_phone', sa.String),
                       sa.column('applicant_email', sa.String), sa.column('applicant_address', sa.String),
                       sa.column('due_at', INSTANT), sa.column('updated_at', INSTANT),
                       sa.column('result_channel', sa.String), sa.column('postal_address', sa.String))
    rows = bind.execute(sa.select(dossier.c.id, dossier.c.data, dossier.c.procedure_snapshot)).all()
    for row in rows:
        data = row.data or {}
        applicant = data.get("applicant") or {}
        delivery = data.get("delivery") or {}
        name = (applicant.get("full_name") or "")[:255]
        bind.execute(dossier.update().where(dossier.c.id == row.id).values(
            handling_agency_code=dossier.c.agency_code,
            sector_code=((row.procedure_snapshot or {}).get("sector") or None),
            applicant_name=name, applicant_name_folded=_fold(name),
            applicant_id_number=applicant.get("id_number") or None,
            applicant_phone=(applicant.get("phone") or None),
            applicant_email=(applicant.get("email") or None),
            applicant_address=applicant.get("address") or None,
            due_at=dossier.c.appointment_at, updated_at=dossier.c.submitted_at,
            result_channel=delivery.get("delivery") if delivery.get("delivery") in ("counter", "postal", "online")
            else "counter",
            postal_address=delivery.get("postal_address") or None))


def downgrade():
    op.drop_index('ix_notification_pending', table_name='notification')
    op.drop_index('ix_notification_dossier_id', table_name='notification')
    op.drop_table('notification')
    with op.batch_alter_table('dossier_file', schema=None) as batch:
        batch.drop_column('slip')
    with op.batch_alter_table('dossier_event', schema=None) as batch:
        batch.drop_constraint('fk_dossier_event_slip_file_id_dossier_file', type_='foreignkey')
        for column in ('slip_file_id', 'details', 'step_due_at', 'department', 'to_agency_code', 'agency_code',
                       'action', 'actor_id'):
            batch.drop_column(column)
    op.drop_index('ix_dossier_agency_agency_code', table_name='dossier_agency')
    op.drop_table('dossier_agency')
    with op.batch_alter_table('dossier', schema=None) as batch:
        for name in ('ix_dossier_agency_submitted', 'ix_dossier_handling_submitted', 'ix_dossier_handling_state_due'):
            batch.drop_index(name)
        for column in ('sector_code', 'handling_agency_code', 'applicant_name', 'applicant_name_folded',
                       'applicant_id_number', 'applicant_tax_code', 'applicant_phone'):
            batch.drop_index(f'ix_dossier_{column}')
        for column in ('digitised', 'fee_due', 'postal_fee', 'postal_address', 'result_channel', 'ledger_number',
                       'dossier_count', 'updated_at', 'returned_at', 'finished_at', 'clock_stopped_at', 'due_at',
                       'submitter_phone', 'submitter_id_number', 'submitter_name', 'applicant_address',
                       'applicant_email', 'applicant_phone', 'applicant_representative', 'applicant_tax_code',
                       'applicant_id_number', 'applicant_name_folded', 'applicant_name', 'applicant_kind',
                       'version', 'handling_agency_code', 'sector_code'):
            batch.drop_column(column)
