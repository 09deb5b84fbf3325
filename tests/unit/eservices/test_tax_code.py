"""Mã số thuế: 10 digits with a check digit, or 13 for a branch."""
import pytest

from congdichvu.eservices.schemas import normalise_tax_code, tax_code_check_digit, tax_code_problem

#: published codes of real enterprises (Viettel 0100109106, and those of
#: python-stdnum's examples), each checked against the weighted rule
PUBLISHED = ["0100109106", "0100100079", "0100233488", "0314409058", "0312687878", "0100112437"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert tax_code_problem(code) is None
    assert tax_code_check_digit(code[:9]) == int(code[9])


@pytest.mark.parametrize("code", PUBLISHED)
def test_any_other_last_digit_is_refused(code):
    for digit in set("0123456789") - {code[9]}:
        assert "check digit" in str(tax_code_problem(code[:9] + digit))


def test_a_remainder_of_zero_gives_no_check_digit():
    nine = next(f"{n:09d}" for n in range(100000000, 100100000) if tax_code_check_digit(f"{n:09d}") is None)
    assert all(tax_code_problem(nine + digit) is not None for digit in "0123456789")


@pytest.mark.parametrize("typed, stored", [
    ("0100109106-001", "0100109106-001"),
    ("0100109106001", "0100109106-001"),
    ("0100 109 106", "0100109106"),
    ("01.00.109.106", "0100109106"),
    ("0314409058-999", "0314409058-999"),
])
def test_branches_and_grouped_digits(typed, stored):
    assert normalise_tax_code(typed) == stored
    assert tax_code_problem(normalise_tax_code(typed)) is None


@pytest.mark.parametrize("typed", ["", "abc", "010010910", "01001091061", "0100109106-01", "0100109106-1234",
                                   "0100109106-000", "0100000000", "0100109107", "0100109106-00A", "-0100109106"])
def test_wrong_codes_are_refused(typed):
    assert tax_code_problem(normalise_tax_code(typed)) is not None


def test_messages_say_what_is_wrong():
    assert "10" in tax_code_problem("123") and "13" in tax_code_problem("123")
    assert "check digit" in tax_code_problem("0100109107")
    assert "001" in tax_code_problem("0100109106-000")
