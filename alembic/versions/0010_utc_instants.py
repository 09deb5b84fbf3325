"""instants in UTC: dossier reception and appointment times moved from local time

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:00:00

Until this revision every instant column was a plain ``DateTime(timezone=True)``.
SQLite has no time-zone type: SQLAlchemy wrote an aware value's wall clock and
dropped its offset. Values made in UTC (``datetime.now(timezone.utc)``) were
therefore stored right; the two columns filled from the working calendar,
which answers in Asia/Ho_Chi_Minh, were stored as local wall clocks (UTC+7)
and shown 7 hours late:

- ``dossier.received_at`` (``calendar.reception``)
- ``dossier.appointment_at`` (``calendar.appointment``)

Every other instant was written in UTC: ``dossier.submitted_at``,
``dossier_event.at`` and ``dossier_file.uploaded_at`` (the submission's
``now``), ``article.publish_at`` (converted from local time by the article
form), and the ``created_at``/``updated_at``/``at`` columns (all
``datetime.now(timezone.utc)``). This revision moves the two local columns to
UTC on SQLite (minus 7 hours: Vietnam has kept UTC+7 without daylight saving
since 1975); from now on the app's ``UTCDateTime`` column type stores UTC.

PostgreSQL's ``timestamptz`` kept the offset, so its rows are right and
nothing is done there. The schema does not change.
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: the offset the local values carry (Asia/Ho_Chi_Minh), kept here as of this
#: revision: a migration must not change when the app does
LOCAL_OFFSET = timedelta(hours=7)
LOCAL_COLUMNS = ("received_at", "appointment_at")


def _shift(delta):
    """Add ``delta`` to the local columns of every dossier row (SQLite only)."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    # a naive DateTime reads and writes SQLite's stored text as it is
    # ("YYYY-MM-DD HH:MM:SS.ffffff"); an unreadable value stops the migration
    # rather than being lost
    dossier = sa.table("dossier", sa.column("id", sa.Integer),
                       *(sa.column(name, sa.DateTime()) for name in LOCAL_COLUMNS))
    changes = []
    for row in connection.execute(sa.select(dossier)).mappings():
        change = {"row_id": row["id"]}
        for name in LOCAL_COLUMNS:
            change[f"new_{name}"] = None if row[name] is None else row[name] + delta
        changes.append(change)
    if changes:
        connection.execute(
            dossier.update().where(dossier.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(f"new_{name}") for name in LOCAL_COLUMNS}),
            changes,
        )


def upgrade():
    _shift(-LOCAL_OFFSET)


def downgrade():
    _shift(LOCAL_OFFSET)
