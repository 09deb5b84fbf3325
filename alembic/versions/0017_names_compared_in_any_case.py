"""usernames and emails compared in any case; one form per phone; known browsers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:00:00.000000

"Admin" could register beside "admin", and signing in with another case
failed or reached another account. Each account now stores the key its
username and its email are compared by (NFC, case-folded: the code's
``accounts.identity.name_key``), each under a unique index, and its sign-in
phone in one form ("0…", not "+84…"), so the existing unique constraint
on ``phone`` holds for a number however it was written.

Existing accounts whose usernames, emails or phones differ only by case
or by the way the number is written: this migration REFUSES to run and
names them (ids, names, creation times), changing nothing. It does not
pick a winner itself: renaming, merging or deleting an account decides
who signs in as whom, which is for an administrator to decide (e.g.
``UPDATE user_account SET username = 'admin.2' WHERE id = 7``), after
which the upgrade is run again.

Also: ``contact_phone`` keeps the number typed at registration (for
dossiers; never a sign-in name), and ``login_attempt.browser`` the digest
of the browser's token (accounts.browsers), so a browser the owner signed
in with is not paused by others' failures.
"""
import re
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# Frozen copies of accounts.identity as of this revision: a migration must
# keep doing what it did when the code it was written with changes.


def _name_key(value):
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value or "").strip().casefold())


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"\+?[0-9]{6,15}")


def _canonical_phone(value):
    digits = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE.fullmatch(digits):  # no phone number: kept as it is
        return value
    return "0" + digits[3:] if digits.startswith("+84") else digits


_users = sa.table(
    "user_account", sa.column("id", sa.Integer), sa.column("username", sa.String), sa.column("email", sa.String),
    sa.column("phone", sa.String), sa.column("created_at", sa.String), sa.column("username_key", sa.String),
    sa.column("email_key", sa.String),
)


class SameNameAccounts(RuntimeError):
    """Accounts that would share a name once case is ignored."""


def _clashes(rows):
    """["username 'admin': #3 'Admin' (created …), #7 'admin' (…)", …] for
    every key that more than one account would have."""
    groups = defaultdict(list)
    for row in rows:
        groups[("username", _name_key(row.username))].append(row)
        if row.email:
            groups[("email", _name_key(row.email))].append(row)
        if row.phone:
            groups[("phone", _canonical_phone(row.phone))].append(row)
    return [f"{kind} {key!r}: " + ", ".join(f"#{row.id} {getattr(row, kind)!r} (created {row.created_at})"
                                            for row in members)
            for (kind, key), members in sorted(groups.items()) if len(members) > 1]


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(_users.c.id, _users.c.username, _users.c.email, _users.c.phone,
                                  _users.c.created_at).order_by(_users.c.id)).all()
    clashes = _clashes(rows)
    if clashes:  # before any change: nothing to undo
        raise SameNameAccounts(
            "Some accounts differ only by the case of their username or email, or by how their phone number is "
            "written; sign-in could not tell them apart. Rename, merge or delete all but one of each group, then "
            "run the upgrade again (nothing was changed):\n  " + "\n  ".join(clashes))

    op.add_column('user_account', sa.Column('username_key', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('user_account', sa.Column('email_key', sa.String(length=765), nullable=True))
    op.add_column('user_account', sa.Column('contact_phone', sa.String(length=20), nullable=True))
    op.add_column('login_attempt', sa.Column('browser', sa.String(length=32), nullable=True))
    for row in rows:
        bind.execute(_users.update().where(_users.c.id == row.id).values(
            username_key=_name_key(row.username), email_key=_name_key(row.email) if row.email else None,
            phone=_canonical_phone(row.phone) if row.phone else None))
    if bind.dialect.name == "postgresql":  # SQLite cannot drop a default without copying the table
        op.alter_column('user_account', 'username_key', server_default=None)
    op.create_index('ix_user_account_username_key', 'user_account', ['username_key'], unique=True)
    op.create_index('ix_user_account_email_key', 'user_account', ['email_key'], unique=True)


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not batch mode: copying
    # user_account would drop the old table, and with foreign keys on that
    # deletes every user_role row (ON DELETE CASCADE)
    op.drop_index('ix_user_account_email_key', table_name='user_account')
    op.drop_index('ix_user_account_username_key', table_name='user_account')
    op.drop_column('login_attempt', 'browser')
    for column in ('contact_phone', 'email_key', 'username_key'):
        op.drop_column('user_account', column)
