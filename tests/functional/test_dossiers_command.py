"""congdichvu-dossiers generate, as ``make run`` and the benchmark run it:
on a migrated database with the demo catalogue, once with --if-empty,
and its options checked in Vietnamese."""
from datetime import date, datetime, timezone
from io import StringIO

import pytest
import transaction
from sqlalchemy import func, select

from congdichvu.eservices.models import Dossier
from congdichvu.models import get_tm_session
from congdichvu.scripts import catalog as catalog_command
from congdichvu.scripts import dossiers as dossiers_command
from tests.conftest import INI

PERIOD = ["--from", "2018-01-01", "--to", "2018-01-31"]


def count(registry):
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(registry["dbsession_factory"], manager)
        return db.scalar(select(func.count(Dossier.id)).where(Dossier.data["generated"].as_integer().is_not(None)))


def generate(*options):
    out, err = StringIO(), StringIO()
    status = dossiers_command.main(["generate", INI, *options], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def catalogue(command_registry):
    assert catalog_command.main(["load-demo", INI]) == 0
    return command_registry


def test_generate_makes_the_dossiers_and_says_so(catalogue):
    status, out, err = generate("--count", "25", *PERIOD, "--seed", "3", "--batch", "10")
    assert status == 0, err
    assert count(catalogue) == 25
    assert "Đã tạo 25 hồ sơ mô phỏng từ 01/01/2018 đến 31/01/2018" in out
    assert err.count("Đã tạo") == 3  # a line a batch: 10, 20, 25


def test_if_empty_makes_nothing_when_generated_dossiers_are_there(catalogue):
    assert generate("--count", "5", *PERIOD, "--if-empty")[0] == 0
    status, out, _err = generate("--count", "5", *PERIOD, "--if-empty")
    assert status == 0 and count(catalogue) == 5
    assert "không tạo thêm" in out


@pytest.mark.parametrize("options, said", [
    (["--count", "0", *PERIOD], "--count phải là số nguyên từ 1 đến 10.000.000"),
    (["--count", "mười", *PERIOD], "--count phải là số nguyên"),
    (["--count", "5", "--from", "2018-02-30", "--to", "2018-03-01"], "--from phải là ngày viết theo dạng YYYY-MM-DD"),
    (["--count", "5", "--from", "2018-03-01", "--to", "2018-02-01"], "--from không được sau --to"),
    (["--count", "5"], "--from và --to"),
    (["--count", "5", "--last-quarter", *PERIOD], "không dùng cả hai"),
    (["--count", "5", *PERIOD, "--seed", "-1"], "--seed phải là số nguyên"),
    (["--count", "5", *PERIOD, "--batch", "0"], "--batch phải là số nguyên"),
])
def test_wrong_options_are_said_in_vietnamese_and_nothing_is_made(command_registry, options, said):
    status, _out, err = generate(*options)
    assert status == 2 and said in err
    assert count(command_registry) == 0


def test_a_database_without_a_catalogue_is_told_to_load_it(command_registry):
    status, _out, err = generate("--count", "5", *PERIOD)
    assert status == 2 and "congdichvu-catalog load-demo" in err


def test_several_workers_need_postgresql(catalogue):
    status, _out, err = generate("--count", "5", *PERIOD, "--workers", "2")
    if catalogue["dbengine"].dialect.name == "sqlite":
        assert status == 2 and "PostgreSQL" in err
    else:
        assert status == 0 and count(catalogue) == 5


def test_last_quarter_runs_from_the_first_day_of_the_previous_quarter_to_today():
    assert dossiers_command.last_quarter(date(2026, 11, 29)) == (date(2026, 7, 1), date(2026, 11, 29))
    assert dossiers_command.last_quarter(date(2026, 2, 10)) == (date(2025, 10, 1), date(2026, 2, 10))
    assert dossiers_command.last_quarter(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 4, 1))


def test_last_quarter_stops_at_the_present(catalogue):
    env = {"registry": catalogue}
    args = dossiers_command.parser().parse_args(["generate", INI, "--count", "30", "--last-quarter"])
    now = datetime(2018, 2, 6, 4, 0, tzinfo=timezone.utc)
    out, err = StringIO(), StringIO()
    assert dossiers_command.run_generate(env, args, out, err, now=now) == 0, err.getvalue()
    assert "từ 01/10/2017 đến 06/02/2018" in out.getvalue()
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(catalogue["dbsession_factory"], manager)
        assert db.scalar(select(func.max(Dossier.submitted_at))) <= now
