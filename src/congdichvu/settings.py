"""Settings: the ini file first, then the environment on top of it.

Secrets and anything that differs between instances come from environment
variables, so several instances can run side by side from one checkout and
production keeps no secret in a file.
"""
import os
from pathlib import Path

#: environment variable -> setting it overrides
ENVIRONMENT_OVERRIDES = {
    "CONGDICHVU_DATABASE_URL": "sqlalchemy.url",
    "CONGDICHVU_DATA_DIR": "congdichvu.data_dir",
    "CONGDICHVU_SECRET": "congdichvu.secret",
    "CONGDICHVU_MAIL_PASSWORD": "mail.password",
    "CONGDICHVU_PUBLIC_URL": "congdichvu.public_url",
    "CONGDICHVU_VNPAY_TMN_CODE": "congdichvu.vnpay.tmn_code",
    "CONGDICHVU_VNPAY_HASH_SECRET": "congdichvu.vnpay.hash_secret",
    # how long a browser or the proxy keeps a public page (seconds): shorter
    # on a proxy tested against the clock (tests/deploy), longer behind a CDN
    "CONGDICHVU_HTTP_MAX_AGE": "congdichvu.http_max_age",
}

#: written in an ini's database URL, replaced by the data directory
DATA_DIR_TOKEN = "{data_dir}"


def resolve(settings, environ=None):
    """Return a copy of ``settings`` with environment overrides applied.

    The database URL may mention ``{data_dir}`` so the SQLite file follows
    ``CONGDICHVU_DATA_DIR``; the data directory is created when missing.
    """
    environ = os.environ if environ is None else environ
    resolved = dict(settings)
    for variable, key in ENVIRONMENT_OVERRIDES.items():
        if environ.get(variable):
            resolved[key] = environ[variable]
    data_dir = Path(resolved.get("congdichvu.data_dir") or "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    resolved["congdichvu.data_dir"] = str(data_dir)
    url = resolved.get("sqlalchemy.url", "")
    resolved["sqlalchemy.url"] = url.replace(DATA_DIR_TOKEN, str(data_dir))
    return resolved


def asbool(value):
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


#: the city or province named in the date line of official slips
#: ("Thái Nguyên, ngày … tháng … năm …"), unless ``congdichvu.place_name`` says otherwise
DEFAULT_PLACE_NAME = "Thái Nguyên"


def place_name(settings):
    return (settings.get("congdichvu.place_name") or "").strip() or DEFAULT_PLACE_NAME
