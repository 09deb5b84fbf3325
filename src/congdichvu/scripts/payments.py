"""congdichvu-payments: ask the gateway about payments whose report never came.

    congdichvu-payments reconcile production.ini            # once
    congdichvu-payments reconcile production.ini --loop --interval 300
        (a worker, e.g. a systemd service with Restart=always; --interval in
        seconds, from 1 to 3600)

Every attempt still pending 15 minutes after it began is asked about with
the gateway's transaction query (payments.reconcile): paid there → paid
here, with its receipt, once; unknown there after its time ran out →
expired. Several workers and web processes may run it at once.
"""
import argparse
import sys

from ..i18n import _, official_translate
from ..payments.reconcile import run_once
from . import MAX_INTERVAL, MIN_INTERVAL, script_env, utf8_stdout, work


def reconcile_once(env, out):
    say = official_translate(env["registry"])
    tally = run_once(env["registry"])
    if tally.busy:
        print(say(_("Another pass of this process is asking the gateway; nothing was asked.")), file=out, flush=True)
        return tally
    print(say(_("Payments asked about: ${asked}; found paid: ${paid}; paid but to be refunded: ${refund}; found "
                "failed or cancelled: ${closed}; expired: ${expired}; the gateway did not answer for: "
                "${unanswered}.",
                mapping={"asked": tally.asked, "paid": tally.paid, "refund": tally.refund, "closed": tally.closed,
                         "expired": tally.expired, "unanswered": len(tally.unanswered)})), file=out, flush=True)
    return tally


def run(env, args, out, err, stop=None):
    """The ``reconcile`` action; 0 when done, 2 for a wrong interval."""
    return work(env, args, err, lambda: reconcile_once(env, out),
                _("Could not reconcile the payments (${error}); trying again in ${seconds} seconds."), stop)


def main(argv=None, out=None, err=None):
    utf8_stdout()
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="congdichvu-payments", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    checking = sub.add_parser("reconcile", help="ask the gateway about pending payments")
    checking.add_argument("config_uri")
    checking.add_argument("--loop", action="store_true", help="keep checking, every --interval seconds")
    checking.add_argument("--interval", default="300",
                          help=f"seconds between two runs of --loop ({MIN_INTERVAL} to {MAX_INTERVAL})")
    args = parser.parse_args(argv)
    env = script_env(args.config_uri)
    try:
        return run(env, args, out, err)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
