"""The applicant's timeline: plain words, internal steps left out, notes only on their own page."""
from datetime import datetime, timezone
from types import SimpleNamespace

from pyramid.i18n import TranslationString

from congdichvu.eservices import timeline

AT = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def event(action, to_state=4, from_state=4, note=None, details=None, to_agency_code=None):
    return SimpleNamespace(action=action, to_state=to_state, from_state=from_state, note=note, details=details,
                           to_agency_code=to_agency_code, at=AT)


def dossier(*events, channel="online"):
    return SimpleNamespace(events=list(events), channel=channel)


def words(lines):
    return [str(line.words) if not isinstance(line.words, TranslationString) else line.words.interpolate()
            for line in lines]


def test_internal_steps_are_left_out_and_hand_overs_read_once():
    lines = timeline.lines(dossier(
        event("submit", 1, None), event("receive", 2, 1), event("start", 4, 2), event("hand_over"),
        event("hand_over"), event("sign_off_requested"), event("processed", 9)), str)
    assert words(lines) == ["The dossier was submitted online", "The one-stop desk received the dossier",
                            "The dossier is being processed", "The result is ready"]


def test_a_transfer_names_the_agency():
    lines = timeline.lines(dossier(event("transfer", to_agency_code="H56.01")), {"H56.01": "UBND thành phố"}.get)
    assert words(lines) == ["The dossier was sent to UBND thành phố to be processed"]


def test_notes_only_on_the_applicants_own_page():
    asked = event("request_supplement", 5, 4, note="Tờ khai: thiếu chữ ký\nMang bản gốc",
                  details={"missing": [{"paper": "Tờ khai", "reason": "thiếu chữ ký"}], "note": "Mang bản gốc"})
    assert timeline.lines(dossier(asked), str)[0].note == "Tờ khai: thiếu chữ ký\nMang bản gốc"
    assert timeline.lines(dossier(asked), str, with_notes=False)[0].note is None


def test_events_from_before_actions_had_names_read_as_their_state():
    lines = timeline.lines(dossier(event(None, 1, None), event(None, 7, 1, note="Nộp nhầm")), str)
    assert words(lines)[0] == "The dossier was submitted online"
    assert words(lines)[1] == "Withdrawn by the applicant"
    assert lines[1].note is None  # a legacy note could be anything: not shown as a reason


def test_a_rating_reads_in_the_applicants_words_and_the_comment_only_on_their_own_page():
    from pyramid.i18n import make_localizer

    from congdichvu.i18n import translate_with
    from tests.conftest import ROOT

    rated = event("rate", 10, 10, note="Nhanh, đúng hẹn", details={"level": "very_satisfied",
                                                                   "comment": "Nhanh, đúng hẹn"})
    own, public = timeline.lines(dossier(rated), str)[0], timeline.lines(dossier(rated), str, with_notes=False)[0]
    vietnamese = make_localizer("vi", [str(ROOT / "locales")])
    assert translate_with(vietnamese, own.words) == "Người nộp đã đánh giá mức độ hài lòng: Rất hài lòng"
    assert own.note == "Nhanh, đúng hẹn" and public.note is None
