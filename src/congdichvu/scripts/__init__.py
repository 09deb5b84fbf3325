"""Console commands; each uses bootstrap() and the services the web uses."""
import sys

from pyramid.paster import get_appsettings

from ..settings import resolve


def app_settings(config_uri):
    """The application's settings from an ini file plus the environment."""
    return resolve(get_appsettings(config_uri, name="main"))


def utf8_stdout():
    """Vietnamese messages on a terminal or pipe whose locale is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8")
