"""congdichvu-search: keep the search index true and read the query log.

    congdichvu-search reindex development.ini     # rebuild from the database
    congdichvu-search process development.ini     # apply the outbox (e.g. from cron)
    congdichvu-search queries development.ini [--zero]   # most frequent queries
"""
import argparse
import sys

from ..search.interfaces import ISearchService
from . import console_env, utf8_stdout


def main(argv=None, out=None):
    utf8_stdout()
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="congdichvu-search", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["reindex", "process", "queries"])
    parser.add_argument("config_uri")
    parser.add_argument("--zero", action="store_true", help="only queries that found nothing")
    parser.add_argument("--limit", type=int, default=30)
    args = parser.parse_args(argv)

    env = console_env(args.config_uri)
    try:
        manager = env["registry"]["search_index"]
        if args.action == "reindex":
            print(f"{manager.rebuild()} procedures indexed", file=out)
        elif args.action == "process":
            applied = manager.apply_outbox()
            print("index busy: nothing applied" if applied is None else f"{applied} outbox rows applied", file=out)
            return 0 if applied is not None else 75  # EX_TEMPFAIL: try again later
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
