"""results opened from a search; the thesaurus kept by editors

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 09:00:00.000000

``search_open``: which procedure a citizen opened from which logged
search (the editors' report of queries whose results nobody opened);
``search_query.shown``: the codes that search showed, the only ones an
open may name.
``thesaurus_entry`` and ``thesaurus_revision``: the thesaurus, until now
only the shipped file ``search/synonyms.txt``. The tables start empty:
``congdichvu-db upgrade`` fills an empty thesaurus from the shipped file
once the schema is at head (search.thesaurus.seed), with the application's
own reading of the file; while it is empty, search uses the file itself.
"""
import sqlalchemy as sa
from alembic import op

INSTANT = sa.DateTime(timezone=True)

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    # the codes a logged search showed: an open is recorded only for one of them
    op.add_column('search_query', sa.Column('shown', sa.String(600), nullable=False, server_default=''))
    op.create_table(
        'search_open',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('query_id', sa.Integer(), nullable=False),
        sa.Column('procedure_code', sa.String(40), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.ForeignKeyConstraint(['query_id'], ['search_query.id'], name='fk_search_open_query_id_search_query',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_search_open'),
    )
    op.create_index('ix_search_open_query_id', 'search_open', ['query_id'])
    op.create_table(
        'thesaurus_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('typed', sa.JSON(), nullable=False),
        sa.Column('expansions', sa.JSON(), nullable=False),
        sa.Column('concept', sa.String(100), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.Column('updated_by', sa.String(100), nullable=False),
        sa.Column('updated_at', INSTANT, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_thesaurus_entry'),
    )
    op.create_index('ix_thesaurus_entry_deleted', 'thesaurus_entry', ['deleted'])
    op.create_table(
        'thesaurus_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(20), nullable=False),
        sa.Column('typed', sa.JSON(), nullable=False),
        sa.Column('expansions', sa.JSON(), nullable=False),
        sa.Column('concept', sa.String(100), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('author', sa.String(100), nullable=False),
        sa.Column('created_at', INSTANT, nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['thesaurus_entry.id'],
                                name='fk_thesaurus_revision_entry_id_thesaurus_entry'),
        sa.PrimaryKeyConstraint('id', name='pk_thesaurus_revision'),
        sa.UniqueConstraint('entry_id', 'number', name='uq_thesaurus_revision_entry_id'),
    )
    op.create_index('ix_thesaurus_revision_entry_id', 'thesaurus_revision', ['entry_id'])


def downgrade():
    op.drop_index('ix_thesaurus_revision_entry_id', table_name='thesaurus_revision')
    op.drop_table('thesaurus_revision')
    op.drop_index('ix_thesaurus_entry_deleted', table_name='thesaurus_entry')
    op.drop_table('thesaurus_entry')
    op.drop_index('ix_search_open_query_id', table_name='search_open')
    op.drop_table('search_open')
    with op.batch_alter_table('search_query') as batch:
        batch.drop_column('shown')
