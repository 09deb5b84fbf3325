"""addresses published articles had before, leading to where they are now

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 12:00:00.000000

An article's address (slug) and publish time now belong to its revisions
and change only when a reviewer publishes one; the address it leaves keeps
working as a permanent redirect.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'article_redirect',
        sa.Column('slug', sa.String(length=200), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_redirect_article_id_article')),
        sa.PrimaryKeyConstraint('slug', name=op.f('pk_article_redirect')),
    )
    with op.batch_alter_table('article_redirect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_redirect_article_id'), ['article_id'], unique=False)


def downgrade():
    with op.batch_alter_table('article_redirect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_redirect_article_id'))
    op.drop_table('article_redirect')
