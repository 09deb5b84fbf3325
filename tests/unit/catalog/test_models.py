import pytest

from congdichvu.catalog.models import Procedure


@pytest.mark.parametrize("steps, in_text", [
    (["Bước 1: Nộp hồ sơ", "Bước 2: Nhận kết quả"], True),
    (["1. Nộp hồ sơ", "2) Nhận kết quả"], True),
    (["bước 1 - Nộp hồ sơ", "Bước 2a: Bổ sung"], True),
    (["Nộp hồ sơ", "Bước 2: Nhận kết quả"], False),  # some, not all: the list numbers them
    (["1.500.000 đồng nộp tại quầy"], False),  # an amount, not a step number
    ([], False),
])
def test_steps_that_carry_their_own_number(steps, in_text):
    assert Procedure(steps=steps).steps_numbered_in_text is in_text
