"""Pages with personal data are never kept by a cache; public pages still are."""
from datetime import datetime

import pytest

from congdichvu.calendar.service import WorkingCalendar
from congdichvu.catalog.services import catalog_for
from congdichvu.eservices import services
from congdichvu.i18n.formatting import TIMEZONE
from tests.factories import sign_in


APPLICANT = {"full_name": "Nguyễn Thị Riêng Tư", "birth_date": "1990-05-17", "id_number": "001190012345",
             "phone": "0912345678", "email": "rieng.tu@example.invalid", "address": "Số 5, đường Quang Trung"}


@pytest.fixture
def dossier(dbsession, app, people):
    procedure = catalog_for(dbsession).procedure("1.001193")
    created, secret = services.create_dossier(
        dbsession, procedure, "H56.01.P05", people["citizen"], {"applicant": APPLICANT},
        WorkingCalendar(), "online", app.registry.settings["congdichvu.secret"],
        now=datetime(2026, 10, 16, 16, 30, tzinfo=TIMEZONE),
    )
    return created, secret


def _cache_control(response):
    return response.headers.get("Cache-Control", "")


def test_a_signed_in_visitor_gets_no_store_on_every_page(testapp, people, dossier):
    created, _secret = dossier
    sign_in(testapp, "citizen")
    for path in ("/tai-khoan", "/tai-khoan/mat-khau", "/ho-so-cua-toi", f"/ho-so-cua-toi/{created.code}",
                 f"/ho-so-cua-toi/{created.code}?moi=1", "/thu-tuc/1.001193/nop-truc-tuyen", "/thu-tuc/1.001193", "/"):
        assert _cache_control(testapp.get(path)) == "private, no-store", path
    assert _cache_control(testapp.get("/ho-so-cua-toi/KHONG-CO", status=404)) == "private, no-store"


def test_static_files_keep_their_caching_for_signed_in_visitors(testapp, people):
    sign_in(testapp, "citizen")
    stylesheet = next(link["href"] for link in testapp.get("/").html.select("link[rel=stylesheet]"))
    response = testapp.get(stylesheet)
    assert "max-age=3600" in _cache_control(response) and "no-store" not in _cache_control(response)


def test_answers_to_forms_are_not_stored(testapp, dossier):
    created, secret = dossier
    form = testapp.get("/tra-cuu-ho-so").forms["lookup"]
    form["code"], form["secret"] = created.code, secret
    result = form.submit()
    assert "Đã nộp, chờ tiếp nhận" in result.text and _cache_control(result) == "private, no-store"
    form = testapp.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = "ai.do@example.invalid", "sai"
    assert _cache_control(form.submit("submit")) == "private, no-store"  # it shows the login typed


def test_a_dossier_page_is_personal_even_to_a_visitor_who_is_not_signed_in(testapp, dossier):
    created, _secret = dossier
    response = testapp.get(f"/ho-so-cua-toi/{created.code}")
    assert response.status_int == 302 and _cache_control(response) == "private, no-store"


def test_anonymous_public_pages_stay_cacheable(testapp):
    for _ in range(3):  # the page cache keeps and serves it
        page = testapp.get("/thu-tuc/1.001193")
        assert "no-store" not in _cache_control(page)
