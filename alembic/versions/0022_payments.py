"""payment orders and attempts (level 4: fees paid online)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 09:00:00.000000

An order per request to pay a dossier's fees; an attempt per trip to the
gateway, with its never-reused TxnRef (unique) and what the gateway said.
"""
import sqlalchemy as sa
from alembic import op

INSTANT = sa.DateTime(timezone=True)

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payment_order',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(40), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=True),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('resume_state', sa.Integer(), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.Column('updated_at', INSTANT, nullable=False),
        sa.Column('paid_at', INSTANT, nullable=True),
        sa.Column('closed_at', INSTANT, nullable=True),
        sa.Column('paid_attempt_id', sa.Integer(), nullable=True),
        sa.Column('receipt_symbol', sa.String(40), nullable=True),
        sa.Column('receipt_number', sa.Integer(), nullable=True),
        sa.Column('receipt_file_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name='fk_payment_order_dossier_id_dossier',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['receipt_file_id'], ['dossier_file.id'],
                                name='fk_payment_order_receipt_file_id_dossier_file', ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_payment_order'),
    )
    op.create_index('ix_payment_order_dossier_id', 'payment_order', ['dossier_id'])
    op.create_index('ix_payment_order_state', 'payment_order', ['state'])
    op.create_index('ix_payment_order_agency_created', 'payment_order', ['agency_code', 'created_at'])
    op.create_table(
        'payment_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('gateway', sa.String(20), nullable=False),
        sa.Column('txn_ref', sa.String(40), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('state', sa.String(20), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.Column('expires_at', INSTANT, nullable=False),
        sa.Column('reported_at', INSTANT, nullable=True),
        sa.Column('reported_by', sa.String(20), nullable=True),
        sa.Column('response_code', sa.String(10), nullable=True),
        sa.Column('transaction_status', sa.String(10), nullable=True),
        sa.Column('transaction_number', sa.String(40), nullable=True),
        sa.Column('bank_code', sa.String(40), nullable=True),
        sa.Column('paid_at', INSTANT, nullable=True),
        sa.Column('gateway_state', sa.String(20), nullable=True),
        sa.Column('gateway_amount', sa.BigInteger(), nullable=True),
        sa.Column('checked_at', INSTANT, nullable=True),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('refund_due', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('refunded_at', INSTANT, nullable=True),
        sa.Column('refunded_by', sa.String(100), nullable=True),
        sa.Column('refund_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['payment_order.id'], name='fk_payment_attempt_order_id_payment_order',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_payment_attempt'),
        sa.UniqueConstraint('txn_ref', name='uq_payment_attempt_txn_ref'),
    )
    op.create_index('ix_payment_attempt_order_id', 'payment_attempt', ['order_id'])
    op.create_index('ix_payment_attempt_state_created', 'payment_attempt', ['state', 'created_at'])


def downgrade():
    op.drop_table('payment_attempt')
    op.drop_table('payment_order')
