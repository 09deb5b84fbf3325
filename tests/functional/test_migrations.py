"""Migrations that move data, checked on a database written the old way."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import transaction
from alembic import command
from pyramid.scripting import prepare

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.config import configure
from congdichvu.eservices.models import Dossier
from congdichvu.models import get_tm_session
from congdichvu.scripts import db as db_script
from tests.conftest import INI, make_settings

SUBMITTED = datetime(2026, 3, 6, 11, 40, 5, 123456, tzinfo=timezone.utc)  # Friday 18:40 in Thái Nguyên
RECEIVED = datetime(2026, 3, 9, 0, 0, tzinfo=timezone.utc)  # the next session: Monday 07:00 local
DUE = datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc)  # same-day procedure: Monday 17:00 local


def _old_dossier_table():
    """``dossier`` as revision 0009's code wrote it: plain DateTime(timezone=True)."""
    return sa.table(
        "dossier", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("procedure_code", sa.String),
        sa.column("procedure_snapshot", sa.JSON), sa.column("agency_code", sa.String), sa.column("state", sa.Integer),
        sa.column("channel", sa.String), sa.column("data", sa.JSON),
        *(sa.column(name, sa.DateTime(timezone=True)) for name in ("submitted_at", "received_at", "appointment_at")))


def _write_the_old_way(engine):
    calendar = WorkingCalendar()
    # what create_dossier gave the columns: the submission's UTC now, the calendar's local answers
    received, due = calendar.reception(SUBMITTED), calendar.appointment(SUBMITTED, 0, "working_day")
    assert received == RECEIVED and due == DUE and received.utcoffset() == timedelta(hours=7)
    rows = [dict(code="H56.01.P05-260309-0001", submitted_at=SUBMITTED, received_at=received, appointment_at=due),
            dict(code="H56.01.P05-260309-0002", submitted_at=SUBMITTED, received_at=None, appointment_at=None)]
    with engine.begin() as connection:
        connection.execute(sa.insert(_old_dossier_table()), [
            dict(row, procedure_code="1.001193", procedure_snapshot={}, agency_code="H56.01.P05", state=1,
                 channel="online", data={}) for row in rows])
        connection.execute(sa.text("INSERT INTO dossier_event (dossier_id, at, actor, to_state) "
                                   "SELECT id, submitted_at, 'an', 1 FROM dossier"))


def _raw(engine):
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT code, submitted_at, received_at, appointment_at FROM dossier "
                                          "ORDER BY code")).all()


def _read_with_the_app(settings):
    app = configure(settings).make_wsgi_app()
    env = prepare(registry=app.registry)
    try:
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            session = get_tm_session(app.registry["dbsession_factory"], manager)
            return [(d.code, d.submitted_at, d.received_at, d.appointment_at, [e.at for e in d.events])
                    for d in session.scalars(sa.select(Dossier).order_by(Dossier.code))]
    finally:
        env["closer"]()
        app.registry["dbengine"].dispose()


def test_0010_moves_local_reception_and_appointment_times_to_utc(databases, tmp_path_factory):
    settings = make_settings(databases.new_url(), tmp_path_factory.mktemp("data"))
    db_script.upgrade(INI, settings, revision="0009")
    engine = sa.create_engine(settings["sqlalchemy.url"])
    try:
        _write_the_old_way(engine)
        before = _raw(engine)
        if databases.backend == "sqlite":  # the bug: Monday 07:00 and 17:00 stored as wall clocks
            assert before[0][1:] == ("2026-03-06 11:40:05.123456", "2026-03-09 07:00:00.000000",
                                     "2026-03-09 17:00:00.000000")
        db_script.upgrade(INI, settings)  # to head: the app's models read the result
        assert _read_with_the_app(settings) == [
            ("H56.01.P05-260309-0001", SUBMITTED, RECEIVED, DUE, [SUBMITTED]),
            ("H56.01.P05-260309-0002", SUBMITTED, None, None, [SUBMITTED]),
        ]
        after = _raw(engine)
        if databases.backend == "sqlite":
            assert after[0][1:] == ("2026-03-06 11:40:05.123456", "2026-03-09 00:00:00.000000",
                                    "2026-03-09 10:00:00.000000")
        else:  # timestamptz was right all along: nothing moves
            assert after == before
        command.downgrade(db_script.alembic_config(INI, settings), "0009")  # 0010 gives the old values back
        assert _raw(engine) == before
    finally:
        engine.dispose()


def _accounts_the_old_way(engine, *rows):
    """Accounts as revision 0016 stored them: names as typed, a phone as typed, no keys."""
    users = sa.table("user_account", *(sa.column(name) for name in (
        "id", "username", "email", "phone", "full_name", "password_hash", "active", "email_verified")),
        sa.column("created_at", sa.DateTime(timezone=True)))
    with engine.begin() as connection:
        connection.execute(sa.insert(users), [
            dict(id=id_, username=username, email=email, phone=phone, full_name="x", password_hash="x", active=True,
                 email_verified=True, created_at=SUBMITTED + timedelta(days=id_))
            for id_, username, email, phone in rows])


def _scalar(engine, sql):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


def test_0017_refuses_accounts_that_differ_only_by_case_and_names_them(databases, tmp_path_factory):
    settings = make_settings(databases.new_url(), tmp_path_factory.mktemp("data"))
    db_script.upgrade(INI, settings, revision="0016")
    engine = sa.create_engine(settings["sqlalchemy.url"])
    try:
        _accounts_the_old_way(engine, (1, "Admin", "admin@example.invalid", None), (2, "admin", None, None),
                              (3, "an", "an@example.invalid", "+84912345678"), (4, "binh", None, "0912 345 678"),
                              (5, "Chi", "chi@example.invalid", "0987654321"))
        with pytest.raises(RuntimeError) as refused:
            db_script.upgrade(INI, settings)
        message = str(refused.value)
        assert "username 'admin': #1 'Admin' (created 2026-03-07" in message and "#2 'admin'" in message
        assert "phone '0912345678': #3 '+84912345678'" in message and "#4 '0912 345 678'" in message
        assert "Chi" not in message and "nothing was changed" in message
        assert _scalar(engine, "SELECT version_num FROM alembic_version") == "0016"
        # an administrator decides who is who, then upgrades
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE user_account SET username = 'admin.2' WHERE id = 2"))
            connection.execute(sa.text("UPDATE user_account SET phone = NULL WHERE id = 4"))
        db_script.upgrade(INI, settings)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT username, username_key, email_key, phone FROM user_account "
                                              "ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("Admin", "admin", "admin@example.invalid", None), ("admin.2", "admin.2", None, None),
            ("an", "an", "an@example.invalid", "0912345678"), ("binh", "binh", None, None),
            ("Chi", "chi", "chi@example.invalid", "0987654321")]
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:  # the database refuses another
            connection.execute(sa.text(  # "ADMIN", as the app would write it
                "INSERT INTO user_account (id, username, username_key, full_name, password_hash, active, "
                "email_verified, created_at, session_generation) "
                "VALUES (6, 'ADMIN', 'admin', 'x', 'x', true, true, '2026-03-06 00:00:00', 0)"))
        # going back keeps every account and its roles (no table copied: with foreign keys on, SQLite
        # would delete the roles along with the old table)
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO user_role (user_id, role) VALUES (1, 'admin')"))
        command.downgrade(db_script.alembic_config(INI, settings), "0016")
        assert _scalar(engine, "SELECT count(*) FROM user_role") == 1
        assert _scalar(engine, "SELECT count(*) FROM user_account") == 5
    finally:
        engine.dispose()


def test_models_and_migrations_agree(databases, tmp_path_factory):
    """The schema the migrations build is the one the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from congdichvu.models.meta import Base

    settings = make_settings(databases.new_url(), tmp_path_factory.mktemp("data"))
    db_script.upgrade(INI, settings)
    engine = sa.create_engine(settings["sqlalchemy.url"])
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_0019_fills_who_applied_and_keeps_the_history_both_ways(databases, tmp_path_factory):
    """Existing dossiers get their applicant's columns from their answers;
    altering the dossier table (SQLite copies it) deletes none of its
    events, on the way up or down."""
    settings = make_settings(databases.new_url(), tmp_path_factory.mktemp("data"))
    db_script.upgrade(INI, settings, revision="0018")
    engine = sa.create_engine(settings["sqlalchemy.url"])
    try:
        _write_the_old_way(engine)
        with engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE dossier SET data = :data, procedure_snapshot = :snapshot"), {
                "data": '{"applicant": {"full_name": "Nguyễn Thị Hoà", "id_number": "019190000123", '
                        '"phone": "0912345678", "email": "hoa@example.vn", "address": "Tổ 5"}, '
                        '"delivery": {"delivery": "postal", "postal_address": "Tổ 5, Gia Sàng"}}',
                "snapshot": '{"sector": "HT"}'})
        db_script.upgrade(INI, settings)
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT applicant_name, applicant_name_folded, applicant_id_number, applicant_phone, "
                "handling_agency_code, sector_code, result_channel, postal_address FROM dossier ORDER BY code")).all()
            assert rows[0] == ("Nguyễn Thị Hoà", "nguyen thi hoa", "019190000123", "0912345678", "H56.01.P05",
                               "HT", "postal", "Tổ 5, Gia Sàng")
            assert _scalar(engine, "SELECT count(*) FROM dossier_event") == 2
            assert _scalar(engine, "SELECT count(*) FROM dossier_agency") == 2
        command.downgrade(db_script.alembic_config(INI, settings), "0018")
        assert _scalar(engine, "SELECT count(*) FROM dossier_event") == 2
    finally:
        engine.dispose()
