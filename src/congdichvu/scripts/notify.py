"""congdichvu-notify: send the notifications the web could not send.

    congdichvu-notify process production.ini            # every due message, once
    congdichvu-notify process production.ini --loop --interval 60
        (a worker, e.g. a systemd service with Restart=always; --interval in
        seconds, from 1 to 3600)

The web sends what a request wrote right after its commit; this sends the
rest: messages whose mail server was down (retried after 1, 5, 15, 60
minutes, 6, 12 and 24 hours, then given up: ``failed_at``), and those of a
process that stopped before sending. Several workers may run at once:
each message is claimed by one of them before it is sent.
"""
import argparse
import sys

from ..i18n import _, official_translate
from ..notify import outbox as outbox_module
from . import MAX_INTERVAL, MIN_INTERVAL, script_env, utf8_stdout, work

def process_once(env, out):
    """Send every due message once; print the counts in Vietnamese.
    Returns the Counter of outcomes (notify.outbox.Outbox.process_due)."""
    say = official_translate(env["registry"])
    outcomes = env["registry"]["notify_outbox"].process_due()
    print(say(_("Notifications sent: ${sent}; not sent, to try again later: ${retry}; given up after "
                "${max} attempts: ${failed}.",
                mapping={"sent": outcomes[outbox_module.SENT], "retry": outcomes[outbox_module.RETRY],
                         "failed": outcomes[outbox_module.FAILED], "max": outbox_module.MAX_ATTEMPTS})),
          file=out, flush=True)
    return outcomes


def run(env, args, out, err, stop=None):
    """The ``process`` action; 0 when done, 2 for a wrong interval."""
    return work(env, args, err, lambda: process_once(env, out),
                _("Could not read the notifications (${error}); trying again in ${seconds} seconds."), stop)


def main(argv=None, out=None, err=None):
    utf8_stdout()
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="congdichvu-notify", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    processing = sub.add_parser("process", help="send the notifications that are due")
    processing.add_argument("config_uri")
    once = processing.add_mutually_exclusive_group()
    once.add_argument("--once", action="store_true", help="send what is due, then stop (the default)")
    once.add_argument("--loop", action="store_true", help="keep sending, every --interval seconds")
    # read as text and checked by interval(), which says what is wrong in Vietnamese
    processing.add_argument("--interval", default="60",
                            help=f"seconds between two runs of --loop ({MIN_INTERVAL} to {MAX_INTERVAL})")
    args = parser.parse_args(argv)
    env = script_env(args.config_uri)
    try:
        return run(env, args, out, err)
    finally:
        env["registry"]["notify_outbox"].wait()
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
