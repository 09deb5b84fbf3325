"""How the names a person signs in with are compared: one home for it.

A username or an email is compared through its key (``name_key``): the
text composed (NFC, as the web reads forms), case-folded ("Admin", "ADMIN"
and "admin" are one name; "ß" folds to "ss"), without surrounding space. The account stores the key
beside what was typed (``User.username_key``, ``User.email_key``, each with
a unique index), so two accounts can never differ only by case, and
registration, sign-in, its limits, password reset and the console all
find the same account whatever case was typed.

A phone number has one stored form (``canonical_phone``): digits only, in
the national "0…" form, so "+84 912 345 678", "0912.345.678" and
"0912345678" are one number to the unique index as to the sign-in.
"""
import re
import unicodedata

from ..inputs import ungrouped

#: a phone number once its grouping ("0912 345 678", "0912.345.678") is gone
PHONE = re.compile(r"\+?[0-9]{6,15}")
#: case folding may lengthen a name ("ß" → "ss", "ﬃ" → "ffi"), at most threefold
#: (Unicode's full case folding; NFC never lengthens): a key column is this many
#: times its name's column
KEY_GROWTH = 3


def name_key(value):
    """The key a username or email is compared by: NFC, case-folded,
    stripped ("" for None or blank); at most KEY_GROWTH times as long as
    ``value``. Idempotent: name_key(name_key(x)) == name_key(x)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value or "").strip().casefold())


def phone_forms(value):
    """The ways the phone number typed as ``value`` may be written: without
    separators, and with "0" or "+84" in front; () when it is no phone."""
    digits = ungrouped(value or "")
    if not PHONE.fullmatch(digits):
        return ()
    if digits.startswith("+84"):
        return (digits, "0" + digits[3:])
    if digits.startswith("0"):
        return (digits, "+84" + digits[1:])
    return (digits,)


def canonical_phone(value):
    """``value`` as a phone number is stored and compared: without
    separators, "+84…" written "0…" ("+84 912 345 678" → "0912345678");
    None when it is no phone number."""
    forms = phone_forms(value)
    if not forms:
        return None
    return next((form for form in forms if form.startswith("0")), forms[0])


def login_key(login):
    """What a typed login is counted and looked up under: a phone number in
    its stored form, anything else by its ``name_key``."""
    return canonical_phone(login) or name_key(login)
