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
from datetime import date, datetime, time
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


# Characters that show nothing, or only turn the text around: the "format"
# characters (zero-width spaces and joiners, the byte-order mark, the soft
# hyphen, the bidirectional controls, tag characters …), and marks and
# letters that are blank by design (variation selectors, the combining
# grapheme joiner, the Hangul fillers, Khmer and Mongolian invisibles).
# U+202E shows "Hoàng\u202eTEST" as "HoàngTSET" on the page, in the mail and in
# the PDF; pasted from web pages or planted on purpose, they make a name that
# looks right unfindable and unprintable. None is used in Vietnamese.
# The format characters are Unicode 14's (Python 3.11), written out rather
# than found by scanning every code point at each start (80 ms);
# tests/unit/test_inputs.py checks the running Python has no other.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]")
# spaces of other widths (no-break, em, ideographic …) are typed or pasted as spaces
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Unicode's line and paragraph separators are line breaks
_LINE_BREAKS = re.compile(r"[\u2028\u2029\u0085]")


def has_control(text):
    """Whether ``text`` holds a control character other than tab and newlines."""
    return _CONTROL.search(text) is not None


def normalise_text(text):
    """``text`` in NFC without control or invisible characters, other
    spaces made plain spaces (tab and newlines kept)."""
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text)))
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
#: a date, then a time of day: ``09:30``, ``09.30``, ``9:30:00``, ``9h30``,
#: ``9H30``, ``9h``, ``9 giờ 30`` (Vietnamese write hours with "h" or
#: "giờ"), or ISO's ``T09:30:00.000`` (fractions of a second are dropped)
_DATETIME = re.compile(r"(\S+?)(?:\s+|T)([0-9]{1,2})"
                       r"(?:[:.]([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?"
                       r"|\s*(?:[hH]|[gG]iờ)\s*(?:([0-9]{2})(?:\s*phút)?)?)")


class NotOnCalendar(ValueError):
    """A date written the right way that names no day: 29/02/2023,
    31/04/2026. ``written`` is that date as day/month/year (two-digit day
    and month), to tell the person which one."""

    def __init__(self, day, month, year):
        self.written = f"{day:02d}/{month:02d}/{year}"
        super().__init__(self.written)


def _date_parts(text):
    """(year, month, day) of a date written day/month/year or ISO, or None."""
    found = _ISO.fullmatch(text)
    if found:
        return tuple(int(part) for part in found.groups())
    found = _DMY.fullmatch(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return year, month, day
    return None


def read_date(raw):
    """The date written in ``raw`` as day/month/year (``15/08/1990``,
    ``15-08-1990``, ``15.08.1990``, one-digit day and month allowed) or as
    ISO 8601 (``1990-08-15``); None when it is written neither way or its
    year lies outside MIN_YEAR..MAX_YEAR, or its month is not 1..12 or
    its day not 1..31. Raises NotOnCalendar for a date written the right
    way that does not exist (``29/02/2023``, ``31/04/2026``): a different
    mistake from the wrong format, and told differently."""
    if not isinstance(raw, str):
        return None
    parts = _date_parts(raw.strip())
    if parts is None or not MIN_YEAR <= parts[0] <= MAX_YEAR:
        return None
    year, month, day = parts
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= month <= 12 and 1 <= day <= 31:  # 31/04, 29/02 of a common year
            raise NotOnCalendar(day, month, year) from None
        return None  # month 15 (08/15/1990 is month/day/year): not written day/month/year


def parse_date(raw):
    """As ``read_date``, with None also for a date that does not exist."""
    try:
        return read_date(raw)
    except NotOnCalendar:
        return None


def read_datetime(raw):
    """The wall-clock time written in ``raw`` as a date (``read_date``'s
    ways) followed by a time of day: ``30/11/2026 09:30``,
    ``30/11/2026 9h30``, ``2026-11-30T09:30`` (what a browser's
    datetime-local field sends), seconds allowed. A naive datetime (whose
    time zone the caller knows), or None when it is not written so or the
    time does not exist (``25:00``). Raises NotOnCalendar as ``read_date``."""
    if not isinstance(raw, str):
        return None
    found = _DATETIME.fullmatch(raw.strip())
    if found is None:
        return None
    day = read_date(found.group(1))
    if day is None:
        return None
    hour, minute, second, minute_h = (int(part or 0) for part in found.groups()[1:])
    try:
        return datetime.combine(day, time(hour, minute or minute_h, second))
    except ValueError:
        return None


# -- identifiers written in digits ------------------------------------------

#: what people group the digits of a card or phone number with
_GROUPING = re.compile(r"[\s.\-()]")


def ungrouped(value):
    """A number that identifies (a citizen identity card number, a phone
    number) as typed, without the spaces, dots, dashes and brackets people
    group its digits with (``019.090.123.456``, ``0912 345 678``); what
    else it holds is left for its validator to refuse. A colander
    preparer: anything but text passes through."""
    return _GROUPING.sub("", value) if isinstance(value, str) else value


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
