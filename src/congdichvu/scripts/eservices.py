"""congdichvu-eservices: keep the online submission's temporary store small; demo dossiers.

    congdichvu-eservices demo development.ini     # demo dossiers, development only, into a database without any
    congdichvu-eservices sweep development.ini [--days 90]
        (e.g. nightly from cron or a systemd timer; --days from 1 to 3650,
        anything else exits with status 2 and removes nothing)

Removes the uploaded papers of drafts nobody touched for ``--days`` days
(default: the ``congdichvu.abandoned_draft_days`` setting, 90), the upload
folders no open draft names, and lookup secrets no receipt page took; a
file a dossier records whose move after commit was interrupted is moved
into place instead.
"""
import argparse
import sys

from ..eservices import sweep
from ..eservices.storage import file_store
from ..i18n import _, official_translate
from . import script_env, utf8_stdout


def run_sweep(env, days, out, err=None):
    """Sweep once; ``days`` is the text given to ``--days``, or None for
    the setting. 0 when done; 2, with the reason on ``err`` and nothing
    touched, when the number of days is not one (negative, zero, huge, not
    a number)."""
    request, say = env["request"], official_translate(env["registry"])
    try:
        after = sweep.days(days) if days is not None else sweep.abandoned_after(request.registry.settings)
    except sweep.BadDays as bad:
        source = "--days" if days is not None else "congdichvu.abandoned_draft_days"
        print(say(_("${source} must be a whole number of days from ${min} to ${max} (got \u201c${value}\u201d); "
                    "nothing was removed.", mapping={"source": source, "min": sweep.MIN_DAYS,
                                                     "max": sweep.MAX_DAYS, "value": str(bad)[:40]})),
              file=err or sys.stderr)
        return 2
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


def run_demo(env, out):
    """The demo dossiers (onestop.demo), once."""
    from ..onestop import demo

    request, say = env["request"], official_translate(env["registry"])
    with request.tm:
        made = demo.make(request)
    print(say(_("Demo dossiers made: ${count}.", mapping={"count": made})), file=out)
    return 0


def main(argv=None, out=None, err=None):
    utf8_stdout()
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="congdichvu-eservices", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sweeping = sub.add_parser("sweep", help="remove abandoned uploads")
    sweeping.add_argument("config_uri")
    # read as text and checked by sweep.days, which says what is wrong in Vietnamese
    sweeping.add_argument("--days", help=f"a draft untouched this many days loses its papers "
                                         f"({sweep.MIN_DAYS} to {sweep.MAX_DAYS})")
    demo = sub.add_parser("demo", help="demo dossiers in every state (development only)")
    demo.add_argument("config_uri")
    args = parser.parse_args(argv)
    env = script_env(args.config_uri)
    try:
        if args.action == "demo":
            return run_demo(env, out)
        return run_sweep(env, args.days, out, err)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
