"""The rules of onestop.actions that need no database: Form 05's lines,
a step's status, open sign-off requests, where a transfer goes back to,
which actions the page offers."""
from datetime import datetime
from types import SimpleNamespace

from congdichvu.i18n.formatting import TIMEZONE
from congdichvu.onestop import actions
from congdichvu.security import Permissions


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=TIMEZONE)


def event(action, when, **extra):
    values = dict(action=action, at=when, to_agency_code=None, department=None, step_due_at=None,
                  agency_code="H56.01.P08", details=None, id=None, note=None)
    values.update(extra)
    return SimpleNamespace(**values)


def dossier(*events, state=4, **extra):
    values = dict(events=list(events), state=state, due_at=at(5, 17), handling_agency_code="H56.01.P08",
                  agency_code="H56.01.P08")
    values.update(extra)
    return SimpleNamespace(**values)


def test_step_status_compares_the_end_with_the_due_day_and_time():
    due = at(5, 17)
    assert actions.step_status(at(4, 16), due) == actions.EARLY
    assert actions.step_status(at(5, 8), due) == actions.ON_TIME
    assert actions.step_status(at(5, 17), due) == actions.ON_TIME
    assert actions.step_status(at(5, 17, 1), due) == actions.LATE
    assert actions.step_status(None, due, now=at(6, 8)) == actions.LATE
    assert actions.step_status(None, due, now=at(4, 8)) is None
    assert actions.step_status(at(4, 8), None) is None


def test_each_hand_over_begins_a_line_that_the_next_ends():
    found = dossier(
        event("submit", at(2, 8)),
        event("receive", at(2, 9)),
        event("start", at(2, 9)),
        event("hand_over", at(3, 8), department="Tư pháp", step_due_at=at(3, 14), to_agency_code="H56.01.P08"),
        event("sign_off_requested", at(3, 9)),
        event("transfer", at(3, 15), to_agency_code="H56.01", step_due_at=at(5, 17)),
        event("transfer_back", at(4, 10), to_agency_code="H56.01.P08", step_due_at=at(5, 17)),
        event("processed", at(6, 9), to_agency_code="H56.01.P08"),
    )
    lines = actions.process_lines(found, now=at(6, 10))
    assert [line.action for line in lines] == ["receive", "hand_over", "transfer", "transfer_back", "processed"]
    assert [line.status for line in lines] == [actions.EARLY, actions.LATE, actions.EARLY, actions.LATE, None]
    assert lines[0].from_agency is None and lines[0].to_agency == "H56.01.P08"
    assert (lines[2].from_agency, lines[2].from_department, lines[2].to_agency) == ("H56.01.P08", "Tư pháp", "H56.01")
    assert lines[1].finished_at == at(3, 15) and lines[-1].finished_at is None
    assert [line.number for line in lines] == [1, 2, 3, 4, 5]


def test_an_open_step_past_due_is_late():
    found = dossier(event("receive", at(2, 9)), event("hand_over", at(3, 8), department="A", step_due_at=at(3, 14)))
    assert actions.process_lines(found, now=at(3, 15))[-1].status == actions.LATE
    assert actions.process_lines(found, now=at(3, 9))[-1].status is None


def test_a_sign_off_request_stays_open_until_done_or_declined():
    asked = event("sign_off_requested", at(3, 9), details={"what": "apology"}, id=7)
    assert actions.pending_sign_off(dossier(asked), "apology") is asked
    assert actions.pending_sign_off(dossier(asked), "transfer") is None
    assert actions.pending_sign_off(dossier(asked, event("apology", at(3, 10))), "apology") is None
    declined = event("sign_off_declined", at(3, 10), details={"what": "apology"})
    assert actions.pending_sign_off(dossier(asked, declined), "apology") is None
    other = event("sign_off_declined", at(3, 10), details={"what": "transfer"})
    assert actions.pending_sign_off(dossier(asked, other), "apology") is asked


def test_transfers_go_back_the_way_they_came():
    ward_to_city = event("transfer", at(3, 9), details={"from_agency": "H56.01.P08"}, to_agency_code="H56.01")
    city_to_province = event("transfer", at(3, 10), details={"from_agency": "H56.01"}, to_agency_code="H56.STP")
    back = event("transfer_back", at(3, 11))
    assert actions.transferred_from(dossier()) is None
    assert actions.transferred_from(dossier(ward_to_city)) == "H56.01.P08"
    assert actions.transferred_from(dossier(ward_to_city, city_to_province)) == "H56.01"
    assert actions.transferred_from(dossier(ward_to_city, city_to_province, back)) == "H56.01.P08"
    assert actions.transferred_from(dossier(ward_to_city, city_to_province, back, back)) is None


class FakeRequest:
    def __init__(self, *permissions):
        self.context, self.permissions = object(), set(permissions)

    def has_permission(self, permission, context):
        return permission in self.permissions


def test_the_page_offers_what_the_state_history_and_permission_allow():
    officer, leader = FakeRequest(Permissions.HANDLE_DOSSIER), FakeRequest(Permissions.SIGN_OFF)
    assert actions.available(dossier(state=1), officer) == ["receive", "request_supplement", "refuse"]
    assert actions.available(dossier(state=1), leader) == []
    processing = actions.available(dossier(state=4), officer)
    assert "request_apology" in processing and "transfer_back" not in processing and "apology" not in processing
    assert actions.available(dossier(state=4), leader) == ["transfer", "apology"]
    asked = event("request_supplement", at(2, 10))
    assert "request_supplement" not in actions.available(dossier(asked, state=4), officer)
    pending = event("sign_off_requested", at(2, 10), details={"what": "apology"})
    assert "request_apology" not in actions.available(dossier(pending, state=4), officer)
    assert "sign_off_declined" in actions.available(dossier(pending, state=4), leader)
    assert actions.available(dossier(state=9), officer) == ["return_result"]
    assert actions.available(dossier(state=10), officer) == []
