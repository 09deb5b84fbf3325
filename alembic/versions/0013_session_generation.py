"""session generation; sign-in failures counted per account

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:00:00.000000

A user's session generation is raised to end all their sessions (signing
out, a changed or reset password); a session remembers the generation it
began in. Sign-in attempts remember the account the login named, so the
limit counts per account whatever was typed.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_login_attempt_user_id_at', ['user_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_user_id_at')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
