"""Alembic environment: the database URL comes from the same settings the
application reads (the ini file, then CONGDICHVU_DATABASE_URL and
CONGDICHVU_DATA_DIR), so ``alembic -c development.ini upgrade head`` and
``congdichvu-db upgrade development.ini`` migrate the same database."""
from alembic import context
from pyramid.paster import get_appsettings, setup_logging

from congdichvu.models import get_engine
from congdichvu.models.meta import Base
from congdichvu.settings import resolve

config = context.config
if config.config_file_name and config.attributes.get("configure_logging", True):
    setup_logging(config.config_file_name)


def _settings():
    # a caller (tests, congdichvu-db) may pass resolved settings directly
    settings = config.attributes.get("settings")
    if settings is None:
        settings = resolve(get_appsettings(config.config_file_name, name="main"))
    return settings


def run_migrations_offline():
    context.configure(url=_settings()["sqlalchemy.url"], target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys_off(connection):
    """On SQLite, no foreign-key actions while migrating. SQLite alters a
    table by copying it and dropping the old one, and with foreign keys on
    that DROP deletes, as ON DELETE CASCADE says, every row pointing at it
    (a dossier's events and files, a user's roles). The pragma only takes
    effect outside a transaction, so it is set before the migration's
    transaction begins; ``_check_foreign_keys`` checks the result after."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()


def _check_foreign_keys(connection):
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")


def run_migrations_online():
    engine = get_engine(_settings())
    with engine.connect() as connection:
        _foreign_keys_off(connection)
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite alters tables by copying them
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
            _check_foreign_keys(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
