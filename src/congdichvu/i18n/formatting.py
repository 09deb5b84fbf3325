"""Vietnamese formatting: money ``1.500.000 ₫``, dates ``31/03/2018``,
date-times ``31/03/2018 14:05`` in Asia/Ho_Chi_Minh, and the sort key that
puts "Đăng ký" among the D's instead of after Z.

The formats stay Vietnamese in the English interface too: the fees, dates
and documents they describe are Vietnamese.

Instants are aware UTC everywhere else (the database's ``UTCDateTime``
columns return nothing else); this module is the one place that turns them
into the city's local time for people (``to_local``, ``format_datetime``,
``format_date``, ``format_iso``), and local times people typed into
instants (``from_local``).
"""
import unicodedata
from decimal import Decimal
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CURRENCY_SIGN = "₫"


def format_number(value):
    """Group thousands with dots and write decimals with a comma:
    1500000 → ``1.500.000``, 1.5 → ``1,5`` (floats to two decimals,
    Decimals as precise as they are)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return format_number(int(value))
        sign = "-" if value < 0 else ""
        whole, _, fraction = f"{abs(value):f}".partition(".")
        return f"{sign}{format_number(int(whole))},{fraction.rstrip('0')}"
    if isinstance(value, float) and not value.is_integer():
        whole, _, fraction = f"{value:.2f}".rstrip("0").partition(".")
        if not fraction:  # rounds to a whole number (0.001 → "0", never "0,")
            return format_number(int(whole))
        return f"{format_number(int(whole))},{fraction}"
    return f"{int(value):,}".replace(",", ".")


def format_money(amount):
    """Whole đồng: 1500000 → ``1.500.000 ₫``."""
    if amount is None:
        return ""
    return f"{format_number(amount)} {CURRENCY_SIGN}"


def format_filesize(size):
    """``850 KB``, ``1,5 MB`` (decimal comma, 1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_number(round(size / 1024))} KB"
    return f"{format_number(round(size / (1024 * 1024), 1))} MB"


def _aware(moment):
    if moment.utcoffset() is None:
        # a naive value's zone is a guess, and a wrong guess shows times 7 hours off
        raise TypeError(f"an instant must carry its time zone, not the naive datetime {moment!r}")
    return moment


def to_local(moment):
    """The aware ``moment`` in the city's time zone (Asia/Ho_Chi_Minh).
    Raises TypeError for a naive datetime."""
    return _aware(moment).astimezone(TIMEZONE)


def from_local(moment):
    """The aware UTC instant of a local date-time a person typed: a naive
    value is a wall clock in Asia/Ho_Chi_Minh (which has kept UTC+7 without
    daylight saving since 1975); an aware one keeps its own offset."""
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(timezone.utc)


def format_iso(moment):
    """ISO 8601 with the local offset, ``2018-03-31T14:05:00+07:00``: for
    machines (``<time datetime>``, feeds, JSON), reading like the page."""
    if moment is None:
        return ""
    return to_local(moment).isoformat(timespec="seconds")


def format_iso_utc(moment):
    """ISO 8601 in UTC, ``2018-03-31T07:05:00Z`` (the exchange format's
    ``generated``)."""
    return _aware(moment).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_date(value):
    """``31/03/2018``; an aware datetime is first moved to the city's time
    zone (its local date); TypeError for a naive one."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value):
    """``31/03/2018 14:05`` in Asia/Ho_Chi_Minh; TypeError for a naive datetime."""
    if value is None:
        return ""
    return to_local(value).strftime("%d/%m/%Y %H:%M")


# -- Vietnamese alphabetical order -----------------------------------------

# Letters in the order of the Vietnamese alphabet; f, j, w, z (loan words)
# take their Latin places.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k",
    "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w",
    "x", "y", "z",
]
_SPACE_RANK = 1
_PUNCTUATION_RANK = 2
_DIGIT_BASE = 3  # ten digits: 3..12
_LETTER_BASE = 13
_UNKNOWN_RANK = 0xFE
_LETTER_RANK = {letter: _LETTER_BASE + i for i, letter in enumerate(_ALPHABET)}
# Tone marks in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SORT_KEY_LIMIT = 1900


def _split_tone(char):
    """Return (letter without tone, tone rank) for one NFC character."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = 0
    kept = []
    for part in decomposed:
        if part in _TONE_RANK:
            tone = _TONE_RANK[part]
        else:
            kept.append(part)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _primary_rank(letter):
    if letter in _LETTER_RANK:
        return _LETTER_RANK[letter]
    if letter.isspace():
        return _SPACE_RANK
    if letter.isdigit() and len(letter) == 1 and "0" <= letter <= "9":
        return _DIGIT_BASE + int(letter)
    if unicodedata.category(letter).startswith(("P", "S")):
        return _PUNCTUATION_RANK
    return _UNKNOWN_RANK


def vietnamese_sort_key(text):
    """A string that sorts like Vietnamese words under any collation.

    Only the characters 0-9 and a-f are used, so PostgreSQL's locale
    collations and SQLite's byte order agree. Letters compare first, tones
    break ties (so "ba" < "bà" < "bả" < "bã" < "bá" < "bạ" < "bác").
    """
    text = " ".join(unicodedata.normalize("NFC", text or "").lower().split())
    primary, tones = [], []
    for char in text:
        letter, tone = _split_tone(char)
        primary.append(f"{_primary_rank(letter):02x}")
        tones.append(f"{tone:x}")
    key = "".join(primary) + "00" + "".join(tones)
    return key[:_SORT_KEY_LIMIT]


def today_local(now=None):
    """The city's date at ``now`` (default: the present moment)."""
    return to_local(now or datetime.now(timezone.utc)).date()

