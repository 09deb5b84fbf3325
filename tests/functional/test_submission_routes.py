"""What the paths of online submission name is checked by each route's
factory (eservices.resources), once, before any view: anything that is not
a procedure open to drafts, a draft or a dossier of the visitor is a 404,
whoever asks and however."""
import pytest
from sqlalchemy import select, update

from congdichvu.catalog.models import Procedure
from congdichvu.eservices import flow
from congdichvu.eservices.models import DossierDraft
from tests.factories import sign_in

OPEN = "1.001193"  # online level 4
LEVEL_2 = "1.004746"  # Đăng ký lại kết hôn: forms online, dossier at the office
NOT_OPEN = [
    "1.999999",  # no such procedure
    LEVEL_2,
    "1.0011931", "1.001193'", "x" * 600, "..%2F..%2Fetc", "1.001193%20", "%D9%A1.001193", "1.001193."
    + "a" * 40,
]


def _csrf(testapp):
    return testapp.get(f"/thu-tuc/{OPEN}/nop-truc-tuyen").forms["start"]["csrf_token"].value


@pytest.mark.parametrize("code", NOT_OPEN)
def test_submitting_online_to_a_procedure_not_open_to_it_is_not_found(testapp, people, code):
    path = f"/thu-tuc/{code}/nop-truc-tuyen"
    # anonymous: no such page, rather than "sign in" to find out
    assert testapp.get(path, expect_errors=True).status_int == 404
    assert testapp.post(path, expect_errors=True).status_int == 404
    sign_in(testapp, "citizen")
    assert testapp.get(path, expect_errors=True).status_int == 404
    for fields in ({}, {"csrf_token": _csrf(testapp)}):  # before the CSRF check too
        assert testapp.post(path, fields, expect_errors=True).status_int == 404


def test_a_procedure_archived_or_lowered_below_level_3_is_not_found(testapp, dbsession, people):
    sign_in(testapp, "citizen")
    path = f"/thu-tuc/{OPEN}/nop-truc-tuyen"
    csrf = _csrf(testapp)
    for change in ({"status": "archived"}, {"online_level": 2}, {"online_level": None}):
        before = dbsession.execute(select(Procedure.status, Procedure.online_level).where(
            Procedure.code == OPEN)).one()
        dbsession.execute(update(Procedure).where(Procedure.code == OPEN).values(**change))
        try:
            assert testapp.get(path, expect_errors=True).status_int == 404, change
            assert testapp.post(path, {"csrf_token": csrf}, expect_errors=True).status_int == 404, change
        finally:
            dbsession.execute(update(Procedure).where(Procedure.code == OPEN).values(
                status=before.status, online_level=before.online_level))
    assert testapp.get(path).status_int == 200
    assert not dbsession.scalars(select(DossierDraft)).all()  # no draft was begun


@pytest.mark.parametrize("token", ["0" * 31, "A" * 32, "g" * 32, "0" * 33, "%D9%A1" * 32, "x" * 600])
def test_a_draft_token_that_cannot_be_one_is_not_found(testapp, people, token):
    sign_in(testapp, "citizen")
    csrf = _csrf(testapp)
    for path in (f"/ho-so-cua-toi/nhap/{token}/nguoi-nop", f"/ho-so-cua-toi/nhap/{token}/xoa"):
        assert testapp.post(path, {"csrf_token": csrf}, expect_errors=True).status_int == 404
    assert testapp.get(f"/ho-so-cua-toi/nhap/{token}/nguoi-nop", expect_errors=True).status_int == 404


@pytest.mark.parametrize("code", ["H56.01.P05-261130-001", "H56.01.P05-2611300-0001", "-261130-0001",
                                  "H56.01.P05_261130_0001", "H" * 60 + "-261130-0001", "x" * 600])
def test_a_dossier_code_that_cannot_be_one_is_not_found(testapp, people, code):
    sign_in(testapp, "citizen")
    assert testapp.get(f"/ho-so-cua-toi/{code}", expect_errors=True).status_int == 404
    assert testapp.post(f"/ho-so-cua-toi/{code}/rut", {"csrf_token": _csrf(testapp), "reason": "Nộp nhầm"},
                        expect_errors=True).status_int == 404


def test_a_stranger_s_post_to_a_draft_is_not_found_and_takes_nothing(testapp, dbsession, people):
    """Another account's draft is a 404 for every method, before the draft
    is taken for a change."""
    procedure = dbsession.scalar(select(Procedure).where(Procedure.code == OPEN))
    draft = flow.new_draft(dbsession, people["citizen"], procedure)
    before = draft.updated_at
    sign_in(testapp, "officer")
    for method in ("get", "post"):
        answer = getattr(testapp, method)(f"/ho-so-cua-toi/nhap/{draft.token}/nguoi-nop", expect_errors=True)
        assert answer.status_int == 404
    dbsession.refresh(draft)
    assert draft.updated_at == before and draft.data == {}
