import unicodedata

from argon2 import PasswordHasher

from congdichvu.accounts import passwords


def test_passwords_are_stored_as_argon2_hashes():
    stored = passwords.hash_password("mật khẩu đủ dài")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "mật khẩu đủ dài") == (True, None)
    assert passwords.verify(stored, "sai rồi")[0] is False
    assert passwords.verify("not a hash", "x") == (False, None)


def test_a_hash_with_old_parameters_is_renewed_on_success():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("mật khẩu cũ")
    matches, renewed = passwords.verify(weak, "mật khẩu cũ")
    assert matches and renewed is not None and renewed != weak


def test_a_password_is_hashed_and_checked_as_the_web_reads_it():
    composed = "mật khẩu đủ dài"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert passwords.verify(passwords.hash_password(decomposed), composed) == (True, None)
    assert passwords.verify(passwords.hash_password(composed), decomposed) == (True, None)
    assert passwords.verify(passwords.hash_password("mật\x00khẩu\x7fđủ dài"), "mậtkhẩuđủ dài")[0]  # as ingress strips
