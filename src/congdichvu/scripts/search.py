"""congdichvu-search: keep the search index true and read the query log.

    congdichvu-search reindex development.ini     # rebuild from the database
    congdichvu-search process development.ini     # apply the outbox once (e.g. from cron)
    congdichvu-search process production.ini --loop --interval 15
        (a worker, e.g. a systemd service with Restart=on-failure; --interval
        in seconds, from 1 to 3600)
    congdichvu-search queries development.ini [--zero]   # most frequent queries

Each web process applies the rows its own requests wrote right after their
commit; the worker applies what none could (a process that stopped first,
an index busy at that moment), so a change reaches the shared index within
an interval whatever happened to the process that made it.
"""
import argparse
import sys

from ..i18n import _
from ..search.interfaces import ISearchService
from . import MAX_INTERVAL, MIN_INTERVAL, console_env, utf8_stdout, work

#: the exit status of ``process`` (once) when another writer held the index
#: (EX_TEMPFAIL: try again later)
BUSY = 75


def process_once(manager, out):
    """Apply the outbox once; print what was done. Returns the number of
    rows applied, or None when another writer held the index."""
    applied = manager.apply_outbox()
    print("index busy: nothing applied" if applied is None else f"{applied} outbox rows applied", file=out,
          flush=True)
    return applied


def process(env, args, out, err, stop=None):
    """The ``process`` action: once (0, or BUSY when the index was held), or
    with ``--loop`` every ``--interval`` seconds until ``stop`` is set
    (SIGTERM, SIGINT); 2 for a wrong interval."""
    manager = env["registry"]["search_index"]
    outcomes = []
    status = work(env, args, err, lambda: outcomes.append(process_once(manager, out)),
                  _("Could not apply the search index's outbox (${error}); trying again in ${seconds} seconds."),
                  stop)
    if status == 0 and not args.loop and outcomes and outcomes[-1] is None:
        return BUSY
    return status


def main(argv=None, out=None, err=None):
    utf8_stdout()
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="congdichvu-search", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["reindex", "process", "queries"])
    parser.add_argument("config_uri")
    parser.add_argument("--zero", action="store_true", help="only queries that found nothing")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--loop", action="store_true", help="process: keep applying, every --interval seconds")
    # read as text and checked by scripts.interval(), which says what is wrong in Vietnamese
    parser.add_argument("--interval", default="60",
                        help=f"process: seconds between two runs of --loop ({MIN_INTERVAL} to {MAX_INTERVAL})")
    args = parser.parse_args(argv)

    env = console_env(args.config_uri)
    try:
        manager = env["registry"]["search_index"]
        if args.action == "reindex":
            print(f"{manager.rebuild()} procedures indexed", file=out)
        elif args.action == "process":
            return process(env, args, out, err)
        else:
            request = env["request"]
            with request.tm:
                rows = request.find_service(ISearchService).popular_queries(limit=args.limit, zero_results=args.zero)
            for text, times in rows:
                print(f"{times:>6}  {text}", file=out)
        return 0
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
