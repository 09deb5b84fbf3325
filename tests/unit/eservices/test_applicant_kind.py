"""A person or an organisation applies (issue 10, "Reception")."""
from types import SimpleNamespace

import colander
import pytest
from pyramid import testing

from congdichvu.eservices import flow, schemas


@pytest.mark.parametrize("applicants, expected", [
    ("Cá nhân, tổ chức có yêu cầu chứng thực bản sao", True),
    ("Doanh nghiệp, hộ kinh doanh", True),
    ("THƯƠNG NHÂN (DOANH NGHIỆP, HỘ KINH DOANH)", True),
    ("ca nhan, to chuc", True),
    ("Hợp tác xã nông nghiệp", True),
    ("Công dân Việt Nam cư trú ở trong nước", False),
    ("Nam, nữ có yêu cầu đăng ký kết hôn", False),
    (None, False),
])
def test_accepts_organisations_reads_the_applicants_text(applicants, expected):
    assert schemas.accepts_organisations(SimpleNamespace(applicants=applicants)) is expected
    assert schemas.accepts_organisations({"applicants": applicants}) is expected


@pytest.fixture
def applicant():
    """``applicant(**kw)``: the applicant step's schema bound with ``kw``."""
    testing.setUp()
    request = testing.DummyRequest()
    yield lambda **kw: schemas.ApplicantSchema().bind(request=request, **KW, **kw)
    testing.tearDown()


KW = {"wards": [("H56.01.P08", "Phường Phan Đình Phùng")], "agencies": [], "online": False,
      "postal_fee": 25000}
PERSON = {"full_name": "Nguyễn Văn An", "birth_date": "17/05/1990", "id_number": "019090001234",
          "phone": "0912345678", "email": "an@example.com", "ward": "H56.01.P08", "address": "Số 1",
          "csrf_token": "-"}


def test_without_organisations_the_step_is_a_persons_as_before(applicant):
    schema = applicant(organisations=False)
    assert "kind" not in schema and "tax_code" not in schema
    with pytest.raises(colander.Invalid):
        schema.deserialize(dict(PERSON, birth_date=""))


def test_an_old_draft_without_kind_is_a_person(applicant):
    schema = applicant(organisations=True)
    appstruct = schema.deserialize(PERSON)
    record = schemas.applicant_record(flow.stored_answers(schema, appstruct))
    assert record["kind"] == "person" and record["tax_code"] == "" and record["representative"] == ""
    assert schemas.applicant_record({"full_name": "An"})["kind"] == "person"


def test_an_organisation_needs_its_name_and_a_right_tax_code_not_a_birth_date(applicant):
    schema = applicant(organisations=True)
    with pytest.raises(colander.Invalid) as refused:
        schema.deserialize(dict(PERSON, kind="organisation", birth_date=""))
    assert set(refused.value.asdict()) == {"organisation_name", "tax_code"}
    with pytest.raises(colander.Invalid) as refused:
        schema.deserialize(dict(PERSON, kind="organisation", organisation_name="Công ty Ánh Dương",
                                tax_code="0100109107"))
    assert set(refused.value.asdict()) == {"tax_code"}
    appstruct = schema.deserialize(dict(PERSON, kind="organisation", birth_date="",
                                        organisation_name="Công ty Ánh Dương", tax_code="0100109106 001"))
    record = schemas.applicant_record(flow.stored_answers(schema, appstruct))
    assert record["tax_code"] == "0100109106-001" and record["representative"] == "Nguyễn Văn An"
    assert schemas.applicant_name(record) == "Công ty Ánh Dương"
    labels = [label for label, _value in flow.applicant_rows(record, "Phường Phan Đình Phùng")]
    assert "Tax code" in labels and "Legal representative" in labels


def test_a_person_still_needs_a_birth_date_when_organisations_may_apply(applicant):
    schema = applicant(organisations=True)
    with pytest.raises(colander.Invalid) as refused:
        schema.deserialize(dict(PERSON, birth_date=""))
    assert set(refused.value.asdict()) == {"birth_date"}


def test_at_the_counter_the_email_is_optional(applicant):
    schema = applicant(organisations=False, counter=True)
    assert schema.deserialize(dict(PERSON, email=""))["email"] == ""
