"""Console commands; each uses bootstrap() and the services the web uses."""
import sys

from pyramid.paster import bootstrap, get_appsettings

from ..settings import resolve


def app_settings(config_uri):
    """The application's settings from an ini file plus the environment."""
    return resolve(get_appsettings(config_uri, name="main"))


def utf8_stdout():
    """Vietnamese messages on a terminal or pipe whose locale is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8")


def script_env(config_uri):
    """``bootstrap(config_uri)`` for every console command: its request's
    URLs (``request.route_url``, the links printed on slips and in
    messages) begin with ``congdichvu.public_url``, as the web's do
    (ingress.PublicURL), not with the ``http://localhost`` of a blank
    request."""
    from ..ingress import PublicURL

    env = bootstrap(config_uri)
    PublicURL(env["registry"].settings.get("congdichvu.public_url")).apply(env["request"].environ)
    return env


def console_env(config_uri):
    """``script_env(config_uri)`` for a command that may fork: a change to
    many procedures (an import) has its search index built on every core
    (search.index)."""
    from ..search.index import WRITER_PROCESSES

    env = script_env(config_uri)
    env["registry"]["search_index"].processes = WRITER_PROCESSES
    return env



#: seconds between two runs of a worker's ``--loop``
MIN_INTERVAL, MAX_INTERVAL = 1, 3600


def interval(text, say):
    """``--interval`` as whole seconds; ValueError with the reason in Vietnamese."""
    from ..i18n import _

    try:
        seconds = int(text)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(say(_("--interval must be a whole number of seconds from ${min} to ${max} "
                               "(got \u201c${value}\u201d).",
                               mapping={"min": MIN_INTERVAL, "max": MAX_INTERVAL, "value": str(text)[:40]})))
    return seconds


def work(env, args, err, once, failure, stop=None):
    """A worker command's action: ``once()`` a single time, or every
    ``--interval`` seconds with ``--loop`` until ``stop`` is set (SIGTERM,
    SIGINT), a failing run reported with ``failure`` (a message taking
    ``${error}`` and ``${seconds}``) and the loop going on. 0 when done, 2 for a
    wrong interval."""
    import signal
    import threading

    from ..i18n import _, official_translate

    say = official_translate(env["registry"])
    try:
        seconds = interval(args.interval, say)
    except ValueError as wrong:
        print(wrong, file=err)
        return 2
    if not args.loop:
        once()
        return 0
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
    while not stop.is_set():
        try:
            once()
        except Exception as error:  # noqa: BLE001 - e.g. the database restarting: the worker waits and goes on
            said = {"error": f"{type(error).__name__}: {error}"[:200], "seconds": seconds}
            print(say(_(failure, mapping=said)), file=err, flush=True)
        stop.wait(seconds)
    return 0
