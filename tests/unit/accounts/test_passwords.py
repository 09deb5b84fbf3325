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
