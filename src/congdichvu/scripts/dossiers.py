"""congdichvu-dossiers: synthetic dossiers for development and measurement.

    congdichvu-dossiers generate development.ini --count 3000 --from 2018-01-01 --to 2018-03-31 --seed 2018
    congdichvu-dossiers generate development.ini --count 3000 --last-quarter --seed 2018 --if-empty
    congdichvu-dossiers generate production.ini --count 1000000 --from 2018-01-01 --to 2018-12-31 --workers 4
        (--last-quarter: from the first day of the previous quarter to today;
        --if-empty: nothing when the database holds generated dossiers already;
        --batch: dossiers per transaction, 1,000 by default;
        --workers: processes sharing the desks out, PostgreSQL only;
        --no-files: the results' rows point at no file)

The dossiers go through the code real ones go through (onestop.generate
says what they are and which shares it aims at); the same seed, period and
count on the same database make the same dossiers. Progress goes to the
standard error after every batch.
"""
import argparse
import sys
from datetime import date, datetime, timezone

from ..i18n import _, official_translate
from ..i18n.formatting import format_date, format_number, today_local
from . import script_env, utf8_stdout

#: the most dossiers one run makes
MAX_COUNT = 10_000_000
MAX_BATCH = 100_000
MAX_WORKERS = 64


class Wrong(ValueError):
    """An option is not right; the message says which and why, in Vietnamese."""


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def last_quarter(today):
    """(first, last): the first day of the quarter before ``today``'s, and ``today``."""
    start = quarter_start(today)
    previous = date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)
    return previous, today


def whole(text, option, least, most, say):
    """``text`` as a whole number from ``least`` to ``most``, else Wrong."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = None
    if value is None or not least <= value <= most:
        raise Wrong(say(_("${option} must be a whole number from ${min} to ${max} (got \u201c${value}\u201d).",
                          mapping={"option": option, "min": format_number(least), "max": format_number(most),
                                   "value": str(text)[:40]})))
    return value


def day(text, option, say):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise Wrong(say(_("${option} must be a date written YYYY-MM-DD (got \u201c${value}\u201d).",
                          mapping={"option": option, "value": str(text)[:40]}))) from None


def plan_from(args, say, today):
    """The generate.Plan the options ask for; Wrong says what is not right."""
    from ..onestop.generate import Plan

    if args.last_quarter and (args.first or args.last):
        raise Wrong(say(_("Give either --last-quarter or --from and --to, not both.")))
    if args.last_quarter:
        first, last = last_quarter(today)
    elif args.first and args.last:
        first, last = day(args.first, "--from", say), day(args.last, "--to", say)
    else:
        raise Wrong(say(_("Say which period: --from and --to (YYYY-MM-DD), or --last-quarter.")))
    if first > last:
        raise Wrong(say(_("--from must not be after --to.")))
    count = whole(args.count, "--count", 1, MAX_COUNT, say)
    return Plan(count=count, first=first, last=last, seed=whole(args.seed, "--seed", 0, 2**31 - 1, say))


def report(say, err):
    """The progress callback: made so far, and how fast, on ``err``."""
    def progress(tally):
        print(say(_("Synthetic dossiers made: ${made} (${rate} a second).",
                    mapping={"made": format_number(tally.made), "rate": format_number(round(tally.rate))})),
              file=err, flush=True)
    return progress


def run_generate(env, args, out, err, now=None):
    """The ``generate`` action: 0 when done (or nothing to do with
    --if-empty), 2 for a wrong option or a database without a catalogue,
    1 when a worker process failed (what it made before is kept)."""
    import transaction

    from ..models import get_tm_session
    from ..onestop import generate

    registry, say = env["registry"], official_translate(env["registry"])
    now = now or datetime.now(timezone.utc)
    try:
        plan = plan_from(args, say, today_local(now))
        batch = whole(args.batch, "--batch", 1, MAX_BATCH, say)
        workers = whole(args.workers, "--workers", 1, MAX_WORKERS, say)
        if workers > 1 and registry["dbengine"].dialect.name != "postgresql":
            raise Wrong(say(_("--workers above 1 needs PostgreSQL: SQLite lets one process write at a time.")))
    except Wrong as wrong:
        print(wrong, file=err)
        return 2
    if args.if_empty:
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            there = generate.generated_exist(get_tm_session(registry["dbsession_factory"], manager))
        if there:
            print(say(_("The database holds generated dossiers already: none were made.")), file=out)
            return 0
    try:
        tally = generate.generate(registry, plan, batch=batch, files=not args.no_files, now=now, workers=workers,
                                  progress=report(say, err))
    except generate.Failed as failure:
        print(say(_("The generation stopped: ${error}", mapping={"error": str(failure)})), file=err)
        return 1
    if tally is None:
        print(say(_("The catalogue has no one-stop desk with procedures: load it first "
                    "(congdichvu-catalog load-demo).")), file=err)
        return 2
    print(say(_("Synthetic dossiers made: ${made} from ${first} to ${last}, seed ${seed}, in ${seconds} seconds "
                "(${rate} a second).",
                mapping={"made": format_number(tally.made), "first": format_date(plan.first),
                         "last": format_date(plan.last), "seed": plan.seed,
                         "seconds": format_number(round(tally.seconds)), "rate": format_number(round(tally.rate))})),
          file=out)
    if tally.refused:
        print(say(_("Steps the desk's rules refused (each ended a dossier's story there): ${count}.",
                    mapping={"count": format_number(tally.refused)})), file=err)
    return 0


def parser():
    parser = argparse.ArgumentParser(prog="congdichvu-dossiers", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    making = sub.add_parser("generate", help="synthetic dossiers with their histories")
    making.add_argument("config_uri")
    # numbers and dates read as text and checked here, which says what is wrong in Vietnamese
    making.add_argument("--count", required=True, help="how many dossiers")
    making.add_argument("--from", dest="first", help="first day of the period, YYYY-MM-DD")
    making.add_argument("--to", dest="last", help="last day of the period, YYYY-MM-DD")
    making.add_argument("--last-quarter", action="store_true",
                        help="the period from the first day of the previous quarter to today")
    making.add_argument("--seed", default="2018", help="the random seed (a whole number)")
    making.add_argument("--if-empty", action="store_true", help="do nothing when generated dossiers exist")
    making.add_argument("--batch", default="1000", help="dossiers per transaction")
    making.add_argument("--workers", default="1", help="processes sharing the desks out (PostgreSQL only)")
    making.add_argument("--no-files", action="store_true", help="no file behind the results' rows")
    return parser


def main(argv=None, out=None, err=None):
    utf8_stdout()
    out, err = out or sys.stdout, err or sys.stderr
    args = parser().parse_args(argv)
    env = script_env(args.config_uri)
    try:
        return run_generate(env, args, out, err)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
