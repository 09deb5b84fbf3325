"""congdichvu-db: create or upgrade the database schema (Alembic).

    congdichvu-db upgrade development.ini      # to the newest revision

Upgraded to the newest revision, the database also gets the data the
portal starts from: an empty thesaurus is filled from the shipped
``search/synonyms.txt`` (search.thesaurus.seed).
    congdichvu-db current development.ini      # which revision is applied
"""
import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from . import app_settings, utf8_stdout


def alembic_config(config_uri, settings=None):
    """An Alembic Config reading ``config_uri``; ``settings`` (already
    resolved) override the URL, as tests and scripts need."""
    config = Config(str(Path(config_uri).resolve()), ini_section="alembic")
    config.attributes["settings"] = settings or app_settings(config_uri)
    config.attributes["configure_logging"] = False
    return config


def upgrade(config_uri, settings=None, revision="head"):
    config = alembic_config(config_uri, settings)
    command.upgrade(config, revision)
    if revision == "head":
        seed(config.attributes["settings"])


def seed(settings):
    """Fill what a migrated database starts from (an empty thesaurus);
    nothing when it is there already. The application's models are read
    here, not in a migration: the schema is at head."""
    from sqlalchemy.orm import Session

    from ..models import get_engine
    from ..search import thesaurus

    engine = get_engine(settings)
    try:
        with Session(engine) as session, session.begin():
            thesaurus.seed(session)
    finally:
        engine.dispose()


def main(argv=None):
    utf8_stdout()
    parser = argparse.ArgumentParser(prog="congdichvu-db", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["upgrade", "current", "history"])
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    parser.add_argument("--revision", default="head", help="target revision for upgrade")
    args = parser.parse_args(argv)
    config = alembic_config(args.config_uri)
    if args.action == "upgrade":
        upgrade(args.config_uri, config.attributes["settings"], args.revision)
    elif args.action == "current":
        command.current(config, verbose=True)
    else:
        command.history(config)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
