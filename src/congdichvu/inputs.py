"""Reading what people and browsers send: text, whole numbers, decimals,
dates and redirect targets, each parsed in one place.

Plain functions: the request guard (``ingress.py``), the form types
(``forms.py``) and the views all call these, so a kind of bad input is
refused the same way everywhere.

Why each rule exists:

- ``str.isdigit()`` and ``int()`` accept far more than ASCII digits
  (``"²".isdigit()`` is true, ``int("٣")`` is 3, ``int("1_000")`` is 1000,
  ``int(" 7 ")`` is 7); a number typed on a form or written in a URL is
  ``[0-9]+`` and nothing else.
- Database integer columns hold 64-bit signed values; a larger number
  reaching SQLite or PostgreSQL is an error, not a lookup that finds nothing.
- Vietnamese writes ``1.500.000`` for a million and a half and ``1,5`` for
  one and a half; dates ``31/12/1990`` (Circular 01/2011/TT-BNV on the
  presentation of administrative documents, day/month/year).
- Some phone keyboards send decomposed Unicode (NFD); text is stored NFC so
  that what looks the same compares, sorts and prints the same.
"""
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

from pyramid.httpexceptions import HTTPNotFound

#: the largest value of a 64-bit signed integer column (SQLite INTEGER,
#: PostgreSQL BIGINT)
MAX_INT64 = 2**63 - 1
#: the largest row id: ids are INTEGER columns, 32 bits on PostgreSQL
MAX_ID = 2**31 - 1

_DIGITS = re.compile(r"[0-9]+")
# C0 and C1 control characters except tab, line feed and carriage return:
# never typed on purpose, and NUL is refused by PostgreSQL text columns
# (and the Unicode noncharacters, which XML such as the news feed may not hold)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


# Characters that show nothing, or only turn the text around: zero-width
# spaces and joiners, the byte-order mark, the soft hyphen, and the
# bidirectional controls (U+202E shows "Hoàng\u202eTEST" as "HoàngTSET" on the
# page, in the mail and in the PDF). Pasted from web pages or planted on
# purpose, they make a name that looks right unfindable and unprintable.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
# spaces of other widths (no-break, em, ideographic …) are typed or pasted as spaces
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def has_control(text):
    """Whether ``text`` holds a control character other than tab and newlines."""
    return _CONTROL.search(text) is not None


def normalise_text(text):
    """``text`` in NFC without control or invisible characters, other
    spaces made plain spaces (tab and newlines kept)."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))


def parse_int(raw, minimum=0, maximum=MAX_INT64):
    """The whole number written in ``raw`` (ASCII digits only, no sign, no
    spaces, no separators), or None when ``raw`` is not one or lies outside
    ``minimum``..``maximum`` (inclusive)."""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw) or len(raw) > 30:
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def id_or_404(raw):
    """The row id written in a path (or a form naming a row): a whole number
    an id column can hold, else 404 — no such page, whatever was typed."""
    value = parse_int(raw, minimum=1, maximum=MAX_ID)
    if value is None:
        raise HTTPNotFound()
    return value


# -- numbers as Vietnamese write them -------------------------------------

_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")  # 1.500.000 or 1.500,25
_COMMA = re.compile(r"[0-9]+(?:,[0-9]+)?")  # 1500 or 1,5
_POINT = re.compile(r"[0-9]*\.[0-9]+")  # 1.5 or .5 (a phone's English keyboard)
#: digits a decimal answer may carry before and after the separator
MAX_WHOLE_DIGITS, MAX_FRACTION_DIGITS = 15, 6


def parse_decimal(raw):
    """The number written in ``raw`` the Vietnamese way, as a Decimal, or
    None. ``1.500.000`` → 1500000, ``1,5`` → 1.5, ``1.500,25`` → 1500.25;
    a single point followed by other than three digits (``1.5``) is taken
    as a decimal point. A leading minus is allowed; spaces are ignored."""
    if not isinstance(raw, str):
        return None
    text = re.sub(r"\s", "", raw)
    negative = text.startswith("-")
    text = text[1:] if negative else text
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _COMMA.fullmatch(text):
        text = text.replace(",", ".")
    elif not _POINT.fullmatch(text):
        return None
    whole, _dot, fraction = text.partition(".")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        return None
    return -value if negative else value


# -- dates as Vietnamese write them ----------------------------------------

_DMY = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
#: the years a date typed on a form may have: papers from the 19th century
#: to long appointments; beyond, it is a slip (and year 1 prints as "1")
MIN_YEAR, MAX_YEAR = 1800, 2200
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_date(raw):
    """The date written in ``raw`` as day/month/year (``15/08/1990``,
    ``15-08-1990``, ``15.08.1990``, one-digit day and month allowed) or as
    ISO 8601 (``1990-08-15``, what a browser's date picker sends); None when
    it is neither or names no real day."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    found = _ISO.fullmatch(text)
    if found:
        year, month, day = (int(part) for part in found.groups())
    else:
        found = _DMY.fullmatch(text)
        if not found:
            return None
        day, month, year = (int(part) for part in found.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -- where to go after signing in, switching language … --------------------

#: characters kept as they are in a redirect target; the rest is
#: percent-encoded (UTF-8), so the Location header is plain ASCII
_SAFE_PATH = "/-._~!$&'()*+,;=:@%"


def safe_next(value, default="/"):
    """A local path to send the browser to, or ``default``.

    Only a path on this site (never an open redirect: no scheme, no host,
    no ``//`` or backslash tricks, no control characters such as CR/LF that
    could split a header). Non-ASCII characters (``/đăng-ký``) are
    percent-encoded rather than refused, so an odd but harmless target still
    works."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if _CONTROL.search(value) or any(ch in value for ch in "\r\n\t\\"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    path = quote(unicodedata.normalize("NFC", parts.path), safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_PATH + "?/") if parts.query else ""
    target = path + ("?" + query if query else "")
    return target if target.startswith("/") and not target.startswith("//") else default
