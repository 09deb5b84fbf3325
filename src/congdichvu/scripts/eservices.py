"""congdichvu-eservices: keep the online submission's temporary store small.

    congdichvu-eservices sweep development.ini [--days 90]
        (e.g. nightly from cron or a systemd timer)

Removes the uploaded papers of drafts nobody touched for ``--days`` days
(default: the ``congdichvu.abandoned_draft_days`` setting, 90), the upload
folders no open draft names, and lookup secrets no receipt page took; a
file a dossier records whose move after commit was interrupted is moved
into place instead.
"""
import argparse
import sys
from datetime import timedelta

from pyramid.paster import bootstrap

from ..eservices import sweep
from ..eservices.storage import file_store
from ..i18n import _, official_translate
from . import utf8_stdout


def run_sweep(env, days, out):
    request, say = env["request"], official_translate(env["registry"])
    after = timedelta(days=days) if days is not None else sweep.abandoned_after(request.registry.settings)
    with request.tm:
        swept = sweep.sweep(request.dbsession, file_store(request), request.tm.get(), after)
    print(say(_("Drafts untouched for ${days} days whose papers were removed: ${count}.",
                mapping={"days": after.days, "count": len(swept.drafts)})), file=out)
    print(say(_("Upload folders that belonged to no open draft, removed: ${count}.",
                mapping={"count": len(swept.folders)})), file=out)
    for key in swept.recovered:
        print(say(_("A dossier's file left in the temporary store was moved into place: ${key}",
                    mapping={"key": key})), file=out)
    return 0


def main(argv=None, out=None):
    utf8_stdout()
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="congdichvu-eservices", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sweeping = sub.add_parser("sweep", help="remove abandoned uploads")
    sweeping.add_argument("config_uri")
    sweeping.add_argument("--days", type=int, help="a draft untouched this many days loses its papers")
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 1:
        parser.error("--days must be at least 1")
    env = bootstrap(args.config_uri)
    try:
        return run_sweep(env, args.days, out)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
