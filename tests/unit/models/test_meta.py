"""UTCDateTime: every instant is stored in UTC and read back aware, in UTC,
on SQLite and PostgreSQL; a naive datetime never reaches the database."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from congdichvu.models.meta import Base, UTCDateTime
from congdichvu.search.models import SearchQuery

INSTANT = datetime(2026, 3, 3, 2, 15, 30, 250000, tzinfo=timezone.utc)  # 09:15:30 in Thái Nguyên
OFFSETS = (timezone.utc, ZoneInfo("Asia/Ho_Chi_Minh"), timezone(timedelta(hours=-5)),
           timezone(timedelta(hours=5, minutes=45)))


def _python_type(column_type):
    try:
        return column_type.python_type
    except NotImplementedError:
        return None


def test_every_instant_column_of_every_model_is_utc():
    instants = [(table.name, column) for table in Base.metadata.tables.values() for column in table.columns
                if isinstance(column.type, DateTime) or _python_type(column.type) is datetime]
    assert len(instants) > 20
    for table_name, column in instants:
        assert isinstance(column.type, UTCDateTime), f"{table_name}.{column.name} is {column.type!r}"


def test_naive_and_non_datetime_values_are_refused_before_the_driver():
    column_type = UTCDateTime()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(TypeError, match="naive"):
            column_type.process_bind_param(datetime(2026, 3, 3, 9, 15), dialect)
        with pytest.raises(TypeError, match="date"):
            column_type.process_bind_param(date(2026, 3, 3), dialect)
        assert column_type.process_bind_param(None, dialect) is None


def test_any_offset_binds_as_the_utc_instant():
    column_type = UTCDateTime()
    for zone in OFFSETS:
        local = INSTANT.astimezone(zone)
        # SQLite has no zone type: the UTC wall clock is stored
        assert column_type.process_bind_param(local, sqlite.dialect()) == INSTANT.replace(tzinfo=None)
        stored = column_type.process_bind_param(local, postgresql.dialect())
        assert stored == INSTANT and stored.utcoffset() == timedelta(0)


def test_results_are_aware_utc_whatever_the_driver_returns():
    column_type = UTCDateTime()
    from_sqlite = column_type.process_result_value(INSTANT.replace(tzinfo=None), sqlite.dialect())
    from_postgresql = column_type.process_result_value(INSTANT.astimezone(ZoneInfo("Europe/Paris")),
                                                       postgresql.dialect())
    for value in (from_sqlite, from_postgresql):
        assert value == INSTANT and value.tzinfo is timezone.utc
    assert column_type.process_result_value(None, sqlite.dialect()) is None


def _row(dbsession, moment):
    row = SearchQuery(query="khai sinh", folded="khai sinh", results=1, created_at=moment)
    dbsession.add(row)
    dbsession.flush()
    return row


@pytest.mark.parametrize("zone", OFFSETS, ids=str)
def test_an_instant_round_trips_as_aware_utc(dbsession, zone):
    row = _row(dbsession, INSTANT.astimezone(zone))
    dbsession.expire(row)
    assert row.created_at == INSTANT and row.created_at.tzinfo is timezone.utc
    # what the database holds is the UTC instant (SQLite: its wall clock as text)
    raw = dbsession.execute(text("SELECT created_at FROM search_query WHERE id = :id"), {"id": row.id}).scalar()
    if dbsession.get_bind().dialect.name == "sqlite":
        assert raw == "2026-03-03 02:15:30.250000"
    else:
        assert raw == INSTANT


def test_a_naive_value_is_refused_on_flush_and_in_queries(dbsession):
    with pytest.raises(StatementError, match="naive"):
        _row(dbsession, datetime(2026, 3, 3, 9, 15))
    dbsession.rollback()
    with pytest.raises(StatementError, match="naive"):
        dbsession.scalar(select(SearchQuery).where(SearchQuery.created_at >= datetime(2026, 3, 3)))


def test_queries_compare_instants_given_in_any_offset(dbsession):
    rows = [_row(dbsession, INSTANT + timedelta(hours=hours)) for hours in (-8, 0, 8)]
    ids = [row.id for row in rows]

    def found(*conditions):
        return list(dbsession.scalars(select(SearchQuery.id).where(SearchQuery.id.in_(ids), *conditions)
                                      .order_by(SearchQuery.id)))

    for zone in OFFSETS:
        at = INSTANT.astimezone(zone)
        assert found(SearchQuery.created_at == at) == [ids[1]]
        assert found(SearchQuery.created_at >= at) == ids[1:]
        assert found(SearchQuery.created_at < at) == ids[:1]
        assert found(SearchQuery.created_at.between(at - timedelta(hours=1), at + timedelta(hours=9))) == ids[1:]
    # the latest, computed by the database, comes back as an aware UTC value too
    latest = dbsession.scalar(select(func.max(SearchQuery.created_at)).where(SearchQuery.id.in_(ids)))
    assert latest == INSTANT + timedelta(hours=8) and latest.tzinfo is timezone.utc
