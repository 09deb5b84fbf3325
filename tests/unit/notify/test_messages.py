"""What the applicant is told at each change of their dossier: Vietnamese,
with the code, the state in plain words, the amounts and dates written the
Vietnamese way; the HTML escapes what people typed; the text is short."""
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pyramid.i18n import make_localizer

from congdichvu.eservices.models import Dossier, DossierEvent
from congdichvu.notify import messages
from congdichvu.notify.senders import TEXT_LIMIT

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
PUBLIC = "https://dichvucong.example.vn"
# 31/03/2018 14:05 in Hà Nội
APPOINTMENT = datetime(2018, 3, 31, 7, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def translate():
    return make_localizer("vi", [str(ROOT / "locales")]).translate


def dossier(**changes):
    values = dict(id=7, code="H56.01.P05-180320-0012", procedure_code="1.001193",
                  procedure_snapshot={"name": "Đăng ký khai sinh"}, agency_code="H56.01.P05",
                  handling_agency_code="H56.01.P05", state=4, channel="online", applicant_id=3,
                  applicant_name="Nguyễn Văn An", submitted_at=datetime(2018, 3, 20, 2, 0, tzinfo=timezone.utc),
                  received_at=datetime(2018, 3, 20, 3, 30, tzinfo=timezone.utc), appointment_at=APPOINTMENT,
                  result_channel="counter", data={})
    values.update(changes)
    return Dossier(**values)


def event(action, note=None, details=None):
    return DossierEvent(action=action, note=note, details=details, at=datetime(2018, 3, 21, 1, tzinfo=timezone.utc),
                        actor="officer", to_state=4)


def compose(translate, the_dossier, the_event, **kw):
    return messages.compose(the_dossier, the_event, translate=translate, agency_name="UBND phường Gia Sàng",
                            public_url=PUBLIC, lookup_path="/tra-cuu-ho-so",
                            own_path=f"/ho-so-cua-toi/{the_dossier.code}", **kw)


@pytest.mark.parametrize("action", sorted(messages.APPLICANT_ACTIONS))
def test_every_message_names_the_code_and_the_state_in_vietnamese(translate, action):
    composed = compose(translate, dossier(), event(action, note="Ghi chú của cán bộ"))
    text = composed.text()
    assert "H56.01.P05-180320-0012" in composed.subject and "H56.01.P05-180320-0012" in text
    assert "Kính gửi Ông/Bà Nguyễn Văn An," in text
    assert "Trạng thái: Đang giải quyết" in text and "Đăng ký khai sinh" in text
    assert f"{PUBLIC}/ho-so-cua-toi/H56.01.P05-180320-0012" in text
    assert "Dossier" not in text and "Dossier" not in composed.subject  # no English left untranslated
    assert composed.kind == f"dossier.{action}"
    assert composed.sms.startswith("Hồ sơ H56.01.P05-180320-0012: Đang giải quyết.")
    assert len(composed.sms) <= TEXT_LIMIT
    # the lookup, with the code filled in, when the address is of a usual length
    assert composed.sms.endswith(f"Tra cứu: {PUBLIC}/tra-cuu-ho-so?ma=H56.01.P05-180320-0012")
    # the office writes "Ông/Bà", as Vietnamese administrations do, never "bạn"
    html = messages.render_html(composed, TEMPLATES)
    for words in (text, html, composed.sms, composed.subject):
        assert not re.search(r"\bbạn\b", words, re.IGNORECASE), words


def test_the_submission_gives_the_secret_and_the_time_of_submission_never_of_reception(translate):
    composed = compose(translate, dossier(state=1, received_at=None), event("submit"), secret="AB12CD34")
    text = composed.text()
    assert composed.subject == "Đã nộp hồ sơ H56.01.P05-180320-0012"
    assert "Mã bí mật để tra cứu: AB12CD34" in text and "Thời điểm nộp: 20/03/2018 09:00" in text
    assert "Trạng thái: Đã nộp, chờ tiếp nhận" in text and "Thời điểm tiếp nhận" not in text
    assert "Ngày hẹn trả kết quả (dự kiến): 31/03/2018 14:05" in text


def test_reception_gives_the_appointment(translate):
    text = compose(translate, dossier(), event("receive")).text()
    assert "đã được UBND phường Gia Sàng tiếp nhận" in text
    assert "Thời điểm tiếp nhận: 20/03/2018 10:30" in text and "Ngày hẹn trả kết quả: 31/03/2018 14:05" in text


def test_a_supplement_request_lists_the_papers(translate):
    composed = compose(translate, dossier(state=5), event(
        "request_supplement", note="Giấy chứng sinh\nTờ khai: thiếu chữ ký\nBản sao không rõ",
        details={"missing": [{"paper": "Giấy chứng sinh", "reason": ""}, {"paper": "Tờ khai", "reason": "thiếu chữ ký"}],
                 "note": "Bản sao không rõ"}))
    text = composed.text()
    assert "Giấy tờ cần bổ sung:\n- Giấy chứng sinh\n- Tờ khai: thiếu chữ ký" in text
    assert "Ghi chú: Bản sao không rõ" in text and "Chờ bổ sung" in text
    assert "Giấy tờ cần bổ sung" in composed.sms


def test_a_refusal_gives_the_reason(translate):
    text = compose(translate, dossier(state=3), event("refuse", note="Không thuộc thẩm quyền")).text()
    assert "không được tiếp nhận" in text and "Lý do: Không thuộc thẩm quyền" in text


def test_a_payment_request_writes_the_amount_the_vietnamese_way(translate):
    composed = compose(translate, dossier(state=6, fee_due=1500000), event("request_payment"))
    assert "Số tiền phải nộp: 1.500.000 ₫" in composed.text()
    assert "1.500.000 ₫" in composed.sms
    # an amount in the event wins over the dossier's
    assert "Số tiền phải nộp: 25.000 ₫" in compose(translate, dossier(state=6, fee_due=1500000),
                                                     event("request_payment", details={"amount": 25000})).text()


def test_an_apology_gives_the_new_date(translate):
    composed = compose(translate, dossier(), event("apology", note="Chờ ý kiến của Sở Tư pháp"))
    assert "Ngày hẹn trả kết quả mới: 31/03/2018 14:05" in composed.text()
    assert "Lý do: Chờ ý kiến của Sở Tư pháp" in composed.text()
    assert "Cơ quan xin lỗi Ông/Bà" in composed.text()
    assert "Cơ quan xin lỗi Ông/Bà vì trả kết quả chậm; hẹn trả kết quả vào 31/03/2018 14:05." in composed.sms


def test_an_organisation_is_greeted_by_its_name():
    composed = messages.compose(dossier(applicant_kind="organisation", applicant_name="Công ty TNHH Hoàng Long"),
                                event("receive"), translate=make_localizer("vi", [str(ROOT / "locales")]).translate,
                                agency_name="UBND phường Gia Sàng", public_url=PUBLIC, lookup_path="/tra-cuu-ho-so")
    assert composed.text().startswith("Kính gửi Công ty TNHH Hoàng Long,")


@pytest.mark.parametrize("channel, words", [
    ("counter", "Tại Bộ phận tiếp nhận và trả kết quả của UBND phường Gia Sàng"),
    ("postal", "Gửi qua dịch vụ bưu chính công ích đến địa chỉ Số 5, đường Quang Trung"),
    ("online", "Tải về tại mục “Hồ sơ của tôi”"),
])
def test_a_ready_result_says_where_to_get_it(translate, channel, words):
    text = compose(translate, dossier(state=9, result_channel=channel, postal_address="Số 5, đường Quang Trung"),
                   event("processed")).text()
    assert "Nơi nhận kết quả: " + words in text and "Đã giải quyết" in text


def test_a_result_sent_by_post_gives_its_tracking_number(translate):
    text = compose(translate, dossier(state=10, result_channel="postal"),
                   event("return_result", details={"tracking": "EB123456789VN"})).text()
    assert "Số hiệu bưu gửi: EB123456789VN" in text


def test_a_dossier_without_an_account_is_looked_up_with_its_secret(translate):
    composed = messages.compose(dossier(applicant_id=None, channel="in_person"), event("receive"), translate=translate,
                                agency_name="UBND phường Gia Sàng", public_url=PUBLIC, lookup_path="/tra-cuu-ho-so")
    assert f"mã bí mật in trên giấy tiếp nhận: {PUBLIC}/tra-cuu-ho-so?ma=H56.01.P05-180320-0012" in composed.text()
    assert "Hồ sơ của tôi" not in composed.text()


def test_an_internal_action_is_no_message(translate):
    for action in ("hand_over", "transfer", "transfer_back", "sign_off_requested", "sign_off_declined", "start"):
        assert action not in messages.APPLICANT_ACTIONS
        with pytest.raises(KeyError):
            compose(translate, dossier(), event(action))


def test_the_html_escapes_what_people_typed(translate):
    composed = compose(translate, dossier(applicant_name="<b>An</b> & Co"),
                       event("refuse", note='<script>alert("x")</script>'))
    html = messages.render_html(composed, TEMPLATES)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;An&lt;/b&gt; &amp; Co" in html
    assert '<html lang="vi">' in html and "Lý do" in html and "H56.01.P05-180320-0012" in html
    assert "http" not in html.replace(PUBLIC, "")  # no external assets


def test_the_text_keeps_within_its_limit_with_a_long_address(translate):
    composed = messages.compose(dossier(), event("receive"), translate=translate, agency_name="x",
                                public_url="https://" + "a" * 150 + ".vn", lookup_path="/tra-cuu-ho-so")
    assert len(composed.sms) <= TEXT_LIMIT and "31/03/2018 14:05" in composed.sms
    assert "Tra cứu" not in composed.sms  # the link does not fit: left out, not cut


def test_the_text_limit_is_what_four_parts_with_diacritics_carry():
    assert TEXT_LIMIT == 4 * 67  # UCS-2: 67 characters in each part of a concatenated text


@pytest.mark.parametrize("phone, usable", [("0912 345 678", "0912345678"), ("+84.912.345.678", "+84912345678"),
                                           ("12", None), ("abc", None), ("", None), (None, None)])
def test_only_a_phone_number_gets_a_text(phone, usable):
    assert messages.usable_phone(phone) == usable


def test_only_an_email_address_gets_a_mail():
    assert messages.usable_email("An <an@example.invalid>") == "an@example.invalid"
    assert messages.usable_email("không có") is None and messages.usable_email(None) is None


def test_the_return_of_the_result_asks_for_a_rating_with_a_link_that_works_signed_out(translate):
    rate_path = "/ho-so-cua-toi/H56.01.P05-180320-0012/danh-gia"
    composed = compose(translate, dossier(state=10), event("return_result"), rate_path=rate_path)
    text, html = composed.text(), messages.render_html(composed, TEMPLATES)
    assert f"Mời Ông/Bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ: {PUBLIC}{rate_path}" in text
    assert f'href="{PUBLIC}{rate_path}"' in html
    assert not re.search(r"\bbạn\b", text + html, re.IGNORECASE)
    # no rating asked without the page's path (a dossier without an account), nor in other messages
    assert "đánh giá" not in compose(translate, dossier(state=10), event("return_result")).text()
    assert "đánh giá" not in compose(translate, dossier(), event("receive")).text()
