"""Absolute links come from ``congdichvu.public_url``, never from the Host
header a client sends; and what people type reaches the database composed."""
import unicodedata

from sqlalchemy import select

from congdichvu.accounts import services
from congdichvu.accounts.models import User

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def test_api_links_ignore_a_forged_host_and_never_poison_the_cache(testapp):
    poisoned = testapp.get("/api/v1/procedures", headers=EVIL)
    assert "evil.example" not in poisoned.text
    assert "http://example.com/" in poisoned.text
    later = testapp.get("/api/v1/procedures")  # served from the page cache
    assert "evil.example" not in later.text and later.text == poisoned.text


def test_the_reset_mail_links_to_the_portal_not_to_the_forged_host(testapp, outbox, dbsession):
    services.create_user(dbsession, "an", "mật-khẩu-cũ-2026", "An", ["citizen"], email="an@example.invalid")
    form = testapp.get("/quen-mat-khau", headers=EVIL).forms["deform"]
    # the test client files cookies under the host it was answered for: send the form's token cookie explicitly
    cookie = f"congdichvu_csrf={testapp.cookies['congdichvu_csrf']}"
    testapp.post("/quen-mat-khau", {"login": "an@example.invalid", "csrf_token": form["csrf_token"].value,
                                    "__formid__": "deform", "submit": "submit"},
                 headers=dict(EVIL, Cookie=cookie), status=200)
    (_to, _subject, body), = outbox
    assert "evil.example" not in body and "http://example.com/dat-lai-mat-khau/" in body


def test_redirects_point_at_the_portal(testapp):
    response = testapp.get("/tai-khoan", headers=EVIL, status=302)
    assert response.location.startswith("http://example.com/dang-nhap")


def test_an_odd_came_from_still_signs_in_and_redirects_safely(testapp, dbsession):
    services.create_user(dbsession, "an", "mật-khẩu-an-2026", "An", ["citizen"], email="an@example.invalid")
    for came_from, expected in (("/\r\nSet-Cookie: x=1", "http://example.com/"),
                                ("/đăng-ký", "http://example.com/%C4%91%C4%83ng-k%C3%BD"),
                                ("//evil.example/x", "http://example.com/")):
        testapp.reset()
        form = testapp.get("/dang-nhap").forms["deform"]
        form["login"], form["password"], form["came_from"] = "an", "mật-khẩu-an-2026", came_from
        response = form.submit("submit", status=302)
        assert response.location == expected
        assert "Set-Cookie: x" not in str(response.headers)
        assert testapp.get("/tai-khoan").status_int == 200


def test_the_language_switch_survives_odd_next_values(testapp):
    for raw in ("/%0d%0aSet-Cookie:x=1", "/đăng-ký", "https://evil.example"):
        response = testapp.get("/ngon-ngu/en", {"next": raw}, status=302)
        assert response.location.startswith("http://example.com/")
        assert "\r" not in response.location and "\n" not in response.location


def test_a_name_typed_decomposed_is_stored_composed(testapp, outbox, dbsession):
    form = testapp.get("/dang-ky").forms["deform"]
    form["full_name"] = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    form["email"] = "thuy@example.invalid"
    form["phone"] = "0912.345 678"  # as people write it: spaces and dots
    form["password"] = form["password-confirm"] = "mật-khẩu-thuỷ-2026"
    form.submit("submit", status=200)
    user = dbsession.scalar(select(User).where(User.email == "thuy@example.invalid"))
    assert user.full_name == "Nguyễn Thị Thuỷ" and unicodedata.is_normalized("NFC", user.full_name)
    assert user.contact_phone == "0912345678"
