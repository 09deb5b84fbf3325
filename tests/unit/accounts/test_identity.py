import sys
import unicodedata

from congdichvu.accounts import identity
from congdichvu.accounts.models import User


def test_names_that_differ_only_by_case_have_one_key():
    assert len({identity.name_key(name) for name in ("Admin", "ADMIN", "admin", " aDmIn ")}) == 1
    assert identity.name_key("STRAẞE") == identity.name_key("strasse")  # full case folding, not lower()
    assert identity.name_key(unicodedata.normalize("NFD", "Nguyễn")) == identity.name_key("NGUYỄN")
    assert identity.name_key("an.nguyen") != identity.name_key("an-nguyen")
    assert identity.name_key(None) == identity.name_key("   ") == ""


def test_a_key_is_its_own_key_and_fits_its_column():
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        key = identity.name_key(chr(code) * 2)
        assert identity.name_key(key) == key, hex(code)
        assert len(key) <= 2 * identity.KEY_GROWTH, hex(code)
    columns = User.__table__.c
    assert columns.username_key.type.length == columns.username.type.length * identity.KEY_GROWTH
    assert columns.email_key.type.length == columns.email.type.length * identity.KEY_GROWTH


def test_every_way_of_writing_a_number_has_one_stored_form():
    forms = ("0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "+84912345678", "(0912) 345-678")
    assert {identity.canonical_phone(form) for form in forms} == {"0912345678"}
    assert identity.canonical_phone("987654321") == "987654321"  # no trunk or country prefix: as typed
    assert identity.canonical_phone("an.nguyen") is None and identity.canonical_phone("") is None


def test_a_login_is_looked_up_as_a_phone_or_else_by_its_key():
    assert identity.login_key("+84 987.654.321") == "0987654321"
    assert identity.login_key(" Ai.Do@Example.Invalid ") == "ai.do@example.invalid"


def test_the_account_keeps_its_keys_with_its_names():
    user = User(username="Quản.Trị", email=" An@Example.Invalid ", phone="+84 912 345 678")
    assert (user.username_key, user.email, user.email_key, user.phone) == (
        "quản.trị", "an@example.invalid", "an@example.invalid", "0912345678")
    user.username, user.email = "QUẢN.TRỊ", ""
    assert user.username_key == "quản.trị" and user.email is None and user.email_key is None
