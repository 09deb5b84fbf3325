"""congdichvu-stats: the statistics' summary rows.

    congdichvu-stats rebuild production.ini [--missing]

Computes every dossier's summary row (stats.summary) again from its events
and the working calendar — after an upgrade (migration 0023), or after an
administrator changed the calendar's days off. ``--missing``: only the
dossiers that have none (what ``make run`` does, quickly, every start).
"""
import argparse
import sys

from ..i18n import _, official_translate
from ..stats import summary
from . import script_env, utf8_stdout


def run_rebuild(env, only_missing, out):
    request, say = env["request"], official_translate(env["registry"])
    with request.tm:
        count = summary.rebuild(request.dbsession, only_missing=only_missing)
    print(say(_("Dossiers whose statistics were computed again: ${count}.", mapping={"count": count})), file=out)
    return 0


def main(argv=None, out=None):
    utf8_stdout()
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="congdichvu-stats", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    rebuilding = sub.add_parser("rebuild", help="compute every dossier's summary row again")
    rebuilding.add_argument("config_uri")
    rebuilding.add_argument("--missing", action="store_true", help="only dossiers without one")
    args = parser.parse_args(argv)
    env = script_env(args.config_uri)
    try:
        return run_rebuild(env, args.missing, out)
    finally:
        env["closer"]()
