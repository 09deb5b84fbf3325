"""Error pages on an app whose transactions really commit: a request that
loses a race is sent through again and answers as if it came second; a
page drawn after the transaction failed still reaches the visitor in
Vietnamese, signed in or not; a form sent after the session ended keeps
what was typed."""
import threading
import uuid

import pytest
import webtest
from pyramid.view import view_config  # noqa: F401 - documents what add_view does below
from sqlalchemy import func, select

from congdichvu.accounts import services as accounts
from congdichvu.accounts.models import User
from congdichvu.config import configure
from congdichvu.security import Permissions
from tests.conftest import load_demo_catalogue, migrated_settings
from tests.functional.test_submission import run


def _clash(request):
    """A view that breaks its transaction the way a lost race does: it adds
    a user whose username exists (IntegrityError at flush)."""
    existing = request.dbsession.scalar(select(User).limit(1))
    request.dbsession.add(User(username=existing.username, full_name="x", password_hash="x", active=True,
                               email_verified=False, created_at=existing.created_at))
    request.dbsession.flush()
    return {}


def _too_long(request):
    """A view that sends the database a value too long for its column."""
    request.dbsession.add(User(username="x" * 5000, full_name="x", password_hash="x", active=True,
                               email_verified=False, created_at=request.dbsession.scalar(select(User.created_at))))
    request.dbsession.flush()
    return {}


def _broken(request):
    """A view with a bug."""
    raise RuntimeError("a bug in a view")


@pytest.fixture(scope="module")
def committing(databases, tmp_path_factory):
    settings = migrated_settings(databases, tmp_path_factory)
    config = configure(settings)
    config.add_route("test_clash", "/thu-nghiem/xung-dot")
    config.add_view(_clash, route_name="test_clash", renderer="json", permission=Permissions.ACCOUNT)
    config.add_route("test_too_long", "/thu-nghiem/qua-dai")
    config.add_view(_too_long, route_name="test_too_long", renderer="json", permission=Permissions.ACCOUNT)
    # the same failures under /api/, where every answer is JSON (congdichvu.api)
    config.add_route("test_api_clash", "/api/v1/thu-nghiem/xung-dot")
    config.add_view(_clash, route_name="test_api_clash", renderer="json", permission=Permissions.VIEW_PUBLIC)
    config.add_route("test_api_broken", "/api/v1/thu-nghiem/loi")
    config.add_view(_broken, route_name="test_api_broken", renderer="json", permission=Permissions.VIEW_PUBLIC)
    app = load_demo_catalogue(config.make_wsgi_app())
    yield app
    app.registry["dbengine"].dispose()


def _browser(app, role="citizen"):
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    run(app, lambda db: accounts.create_user(db, name, "mật-khẩu-dài-lắm", "Trần Thị Mai", [role],
                                             email=f"{name}@example.invalid", verified=True))
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "example.com"})
    form = browser.get("/dang-nhap").forms["deform"]
    form["login"], form["password"] = name, "mật-khẩu-dài-lắm"
    form.submit("submit")
    return browser


def test_a_lost_race_on_every_attempt_is_a_vietnamese_409_for_a_signed_in_visitor(committing):
    browser = _browser(committing)
    page = browser.get("/thu-nghiem/xung-dot", status=409)
    assert "Có một yêu cầu khác thay đổi cùng nội dung này" in page.text
    assert "Trần Thị Mai" in page.text  # drawn with the layout, the visitor still named


def test_a_value_the_database_refuses_is_a_vietnamese_400_for_a_signed_in_visitor(committing):
    browser = _browser(committing)
    page = browser.get("/thu-nghiem/qua-dai", status="*")
    assert page.status_int < 500 and "Internal Server Error" not in page.text
    if committing.registry["dbengine"].dialect.name == "postgresql":  # SQLite keeps any length
        assert page.status_int == 400 and "quá dài" in page.text and "Trần Thị Mai" in page.text


def test_the_api_answers_a_lost_race_and_a_bug_in_json(committing):
    _browser(committing)  # a user the clash can copy
    client = webtest.TestApp(committing, extra_environ={"HTTP_HOST": "example.com"})
    lost = client.get("/api/v1/thu-nghiem/xung-dot", status=409)
    assert lost.content_type == "application/json"
    assert "Có một yêu cầu khác thay đổi cùng nội dung này" in lost.json["error"]
    broken = client.get("/api/v1/thu-nghiem/loi", status=500)
    assert broken.content_type == "application/json" and list(broken.json) == ["error"]
    assert "Internal Server Error" not in broken.text


def test_two_registrations_with_one_email_at_once_make_one_account_and_equal_answers(committing):
    email = f"song-song-{uuid.uuid4().hex[:6]}@example.invalid"
    answers, barrier = [], threading.Barrier(4)

    def register():
        browser = webtest.TestApp(committing, extra_environ={"HTTP_HOST": "example.com"})
        form = browser.get("/dang-ky").forms["deform"]
        form["full_name"], form["email"] = "Lê Văn Sáu", email
        form["password"] = form["password-confirm"] = "mật-khẩu-sáu-2026"
        barrier.wait(timeout=60)  # a thread that failed before here breaks the barrier, not the suite
        answer = form.submit("submit", status="*")
        answers.append((answer.status_int, answer.html.select_one("main h1").text if answer.html.select_one("main h1")
                        else ""))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [status for status, _heading in answers] == [200] * 4, answers
    assert len({heading for _status, heading in answers}) == 1
    assert run(committing, lambda db: db.scalar(select(func.count(User.id)).where(User.email == email))) == 1


def test_a_new_password_is_never_kept_when_the_form_expired(committing):
    from congdichvu.typed_input import TypedInput

    browser = _browser(committing)
    form = browser.get("/tai-khoan/mat-khau").forms["deform"]
    form["current_password"] = "mật-khẩu-dài-lắm"
    form["new_password"] = form["new_password-confirm"] = "Mật-Khẩu-Mới-Bí-Mật"
    form["csrf_token"] = "expired"
    form.submit("submit", headers={"Origin": "http://example.com"}, status=302)
    kept = run(committing, lambda db: [row.fields for row in db.scalars(select(TypedInput))])
    assert not any("Bí-Mật" in value for fields in kept for _name, value in fields)
    assert not any("mật-khẩu-dài-lắm" in value for fields in kept for _name, value in fields)
