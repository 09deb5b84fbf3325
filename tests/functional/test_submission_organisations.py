"""Online: "Cá nhân / Tổ chức" where the procedure accepts organisations."""
from sqlalchemy import select

from congdichvu.eservices.models import Dossier
from tests.functional.test_submission import (REQUIRED, choose_delivery, citizen, fill_applicant, portal,  # noqa: F401
                                              run, start, upload)

MARRIAGE = "1.000894"  # "Nam, nữ … có yêu cầu đăng ký kết hôn": persons only
COPIES = "2.000815"  # "Cá nhân, tổ chức có yêu cầu chứng thực bản sao"


def _kinds(page):
    return [o[0] for fields in page.forms["step"].fields.values() for f in fields
            for o in (getattr(f, "options", None) or [])]


def test_the_choice_is_offered_only_where_organisations_may_apply(portal):  # noqa: F811
    browser = citizen(portal)
    assert "organisation" not in _kinds(start(browser, MARRIAGE))
    page = start(browser)  # Đăng ký khai sinh: "… cá nhân, tổ chức đang nuôi dưỡng trẻ em"
    assert {"person", "organisation"} <= set(_kinds(page)) and "Tổ chức" in page.text


def test_an_organisation_applies_online(portal):  # noqa: F811
    browser = citizen(portal)
    page = start(browser)
    form = page.forms["step"]
    kind = next(name for name, fields in form.fields.items()
                if any("organisation" in [o[0] for o in getattr(f, "options", None) or []] for f in fields))
    form[kind] = "organisation"
    form["organisation_name"] = "Công ty TNHH Ánh Dương"
    form["tax_code"] = "0100109107"
    refused = fill_applicant(page, birth_date="")
    assert refused.status_int == 200 and "số kiểm tra" in refused.text
    assert refused.forms["step"]["organisation_name"].value == "Công ty TNHH Ánh Dương"  # kept
    form = refused.forms["step"]
    form["tax_code"] = "0100109106"
    papers = form.submit("next").follow()
    delivery = upload(papers, REQUIRED).follow().forms["step"]
    choose_delivery(delivery, "counter")
    review = delivery.submit("next").follow()
    assert "Công ty TNHH Ánh Dương" in review.text and "0100109106" in review.text
    assert "Người đại diện theo pháp luật" in review.text
    form = review.forms["step"]
    form["declaration"] = True
    form.submit("submit")

    def latest(db):
        from congdichvu.accounts.models import User

        user_id = db.scalar(select(User.id).where(User.username == browser.username))
        row = db.scalar(select(Dossier).where(Dossier.applicant_id == user_id))
        return (row.applicant_kind, row.applicant_name, row.applicant_tax_code, row.applicant_representative,
                row.data["applicant"]["kind"], row.data["applicant"]["representative"])

    assert run(portal, latest) == ("organisation", "Công ty TNHH Ánh Dương", "0100109106", "Nguyễn Văn An",
                                   "organisation", "Nguyễn Văn An")
