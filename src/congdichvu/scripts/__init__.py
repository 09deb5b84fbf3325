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


def repeat(work, seconds, stop, on_failure):
    """Run ``work()`` every ``seconds`` until ``stop`` (a threading.Event,
    set by SIGTERM or SIGINT when this is the main thread) is set: a
    worker's loop (``--loop``). A failing run (the database restarting)
    is reported with ``on_failure(error)`` and the loop goes on."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
    while not stop.is_set():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - the worker waits and goes on
            on_failure(error)
        stop.wait(seconds)
