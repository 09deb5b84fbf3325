"""Each slip's text, read back from the PDF: the official wording and the
values of the dossier (Circular 01/2018/TT-VPCP, Mẫu 01-05)."""
from dataclasses import replace

import pytest
import segno
from pypdf.generic import ContentStream

from congdichvu.documents import forms
from congdichvu.documents.slips import Paper
from tests.unit.documents import samples
from tests.unit.documents.samples import CODE, PROCEDURE, TRANSLATE, URL, text_of

LETTERHEAD = ("UBND THÀNH PHỐ THÁI NGUYÊN", "UBND PHƯỜNG GIA SÀNG", f"Số: {CODE}",
              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
ORGANISATION = ("Công ty TNHH Xây dựng Hoàng Long (mã số thuế: 4600123456)", "Người đại diện: Trần Văn Bình",
                "Người nộp thay: Lê Thị Ngọc Ánh", "Địa chỉ: Số 5, đường Quang Trung, phường Gia Sàng",
                "Số điện thoại: 0208 3855 123", "Email: hoanglong@example.vn")


def _assert_says(text, *expected):
    missing = [line for line in expected if line not in text]
    assert missing == [], text


def _qr_matrix(reader):
    """The QR code drawn on the pages, read back from the filled
    rectangles (in module units) of its path."""
    for page in reader.pages:
        rects, found = [], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"re":
                rects.append([float(value) for value in operands])
            elif operator in (b"f", b"f*"):
                found, rects = found + rects, []
            elif operator in (b"S", b"n", b"B", b"b"):
                rects = []
        if found:
            size = int(max(y for _x, y, _w, _h in found)) + 1
            matrix = [[0] * size for _ in range(size)]
            for x, y, width, _height in found:
                for column in range(int(x), int(x + width)):
                    matrix[size - 1 - int(y)][column] = 1
            return matrix
    return None


def test_the_receipt_follows_form_01():
    text, reader = text_of(forms.receipt_pdf(samples.receipt(), TRANSLATE))
    _assert_says(text, *LETTERHEAD, *ORGANISATION, "Thái Nguyên, ngày 31 tháng 03 năm 2018",
                 "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {CODE}",
                 "Bộ phận tiếp nhận và trả kết quả UBND phường Gia Sàng",
                 "Tiếp nhận hồ sơ của: Công ty TNHH Xây dựng Hoàng Long", f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
                 "1. Thành phần hồ sơ nộp gồm:", "Bản chính", "Bản sao", "2. Số lượng hồ sơ: 01 bộ",
                 "3. Thời gian giải quyết hồ sơ theo quy định: 05 ngày làm việc",
                 "4. Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 31 tháng 03 năm 2018",
                 "5. Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 06 tháng 04 năm 2018",
                 "6. Nhận kết quả: Qua dịch vụ bưu chính công ích (cước phí: 25.000 ₫)",
                 "Vào Sổ theo dõi hồ sơ, Quyển số: 2018, Số thứ tự: 123",
                 "Mã bí mật để tra cứu hồ sơ: K7P2QX9M", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
                 "(Ký và ghi rõ họ tên)", "Phạm Thu Hà")
    for number in (1, 17, 30):  # every paper, on whichever page it fell
        assert f"Bản vẽ thiết kế số {number}, kèm theo" in text
    assert len(reader.pages) >= 2
    second = " ".join(reader.pages[1].extract_text().split())
    assert "STT Tên giấy tờ Bản chính Bản sao" in second  # the table's heading starts the next page too
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert all("DejaVuSans" in name for name in fonts)  # embedded: no font needed on the reader's machine


def test_the_receipt_s_qr_code_is_segno_s_matrix_of_the_lookup_url():
    _text, reader = text_of(forms.receipt_pdf(samples.receipt(), TRANSLATE))
    expected = [list(row) for row in segno.make(URL, error="m", micro=False).matrix]
    assert _qr_matrix(reader) == expected
    other = [list(row) for row in segno.make(URL + "x", error="m", micro=False).matrix]
    assert _qr_matrix(reader) != other


def test_a_receipt_without_lookup_url_has_no_qr_code_and_a_person_has_no_organisation_lines():
    slip = samples.receipt(lookup_url="", applicant=samples.PERSON, papers=(), result_channel="counter", secret="")
    text, reader = text_of(forms.receipt_pdf(slip, TRANSLATE))
    assert _qr_matrix(reader) is None
    _assert_says(text, "Tiếp nhận hồ sơ của: Nguyễn Thị Hằng", "6. Nhận kết quả: Tại Bộ phận tiếp nhận và trả kết quả")
    for absent in ("mã số thuế", "Người đại diện", "Người nộp thay", "cước phí", "Mã bí mật"):
        assert absent not in text


def test_an_online_submission_not_yet_received_is_acknowledged_not_receipted():
    slip = samples.receipt(received_at=None, submitted_at=samples.utc(2018, 3, 30, 14, 40), processing_days=None)
    text, _reader = text_of(forms.receipt_pdf(slip, TRANSLATE))
    _assert_says(text, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "cơ quan chưa tiếp nhận hồ sơ",
                 "Người nộp hồ sơ: Công ty TNHH Xây dựng Hoàng Long",
                 "Thời gian nộp hồ sơ: 21 giờ 40 phút, ngày 30 tháng 03 năm 2018",
                 "Thời gian trả kết quả dự kiến: 16 giờ 00 phút, ngày 06 tháng 04 năm 2018")
    for claim in ("Tiếp nhận hồ sơ của", "Thời gian nhận hồ sơ", "Vào Sổ theo dõi", "NGƯỜI TIẾP NHẬN HỒ SƠ",
                  "Thời gian giải quyết hồ sơ theo quy định"):
        assert claim not in text


def test_the_supplement_request_follows_form_02():
    text, _reader = text_of(forms.supplement_request_pdf(samples.supplement(), TRANSLATE))
    _assert_says(text, *LETTERHEAD, "Thái Nguyên, ngày 02 tháng 04 năm 2018",
                 "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Mã hồ sơ: {CODE}",
                 "Vào lúc 14 giờ 05 phút, ngày 31 tháng 03 năm 2018, Bộ phận tiếp nhận và trả kết quả UBND phường "
                 "Gia Sàng đã tiếp nhận hồ sơ của: Nguyễn Thị Hằng", "Số điện thoại: 0912 345 678",
                 f"Nội dung yêu cầu giải quyết: {PROCEDURE}", "Nội dung cần bổ sung, hoàn thiện", "Lý do",
                 "Bản sao giấy chứng nhận quyền sử dụng đất", "Bản sao chưa được chứng thực",
                 "Tờ khai đề nghị cấp giấy phép xây dựng", "Thiếu chữ ký của chủ đầu tư",
                 "liên hệ với Phạm Thu Hà, số điện thoại 0208 3855 999 để được hướng dẫn",
                 "NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)")
    assert "Hồ sơ của:" not in text  # the applicant is named once, in the sentence
    assert "Hướng dẫn khác" not in text


def test_a_supplement_asked_before_reception_does_not_say_the_dossier_was_received():
    slip = replace(samples.supplement(), received=False, received_at=samples.utc(2018, 3, 30, 14, 40))
    text, _reader = text_of(forms.supplement_request_pdf(slip, TRANSLATE))
    _assert_says(text, "Hồ sơ của Nguyễn Thị Hằng, nộp vào lúc 21 giờ 40 phút, ngày 30 tháng 03 năm 2018, chưa được "
                       "tiếp nhận: Bộ phận tiếp nhận và trả kết quả UBND phường Gia Sàng đề nghị bổ sung, hoàn thiện "
                       "hồ sơ trước khi tiếp nhận.")
    assert "đã tiếp nhận" not in text and "Hồ sơ của:" not in text


def test_the_supplement_request_s_other_guidance_is_a_paragraph_not_a_paper():
    slip = replace(samples.supplement(), guidance="Mang bản chính giấy chứng nhận để đối chiếu.", officer_phone="")
    text, _reader = text_of(forms.supplement_request_pdf(slip, TRANSLATE))
    _assert_says(text, "Hướng dẫn khác: Mang bản chính giấy chứng nhận để đối chiếu.",
                 "liên hệ với Phạm Thu Hà để được hướng dẫn")
    assert "3 Mang bản chính" not in text  # not a third row of the table
    assert "số điện thoại" not in text.replace("Số điện thoại: 0912 345 678", "")  # no number, no empty phone


def test_a_paper_only_shown_for_comparison_has_no_counts():
    papers = (Paper("Tờ khai đăng ký khai sinh", 1, 0), Paper("Căn cước công dân của người yêu cầu",
                                                                presented_only=True))
    text, _reader = text_of(forms.receipt_pdf(samples.receipt(papers=papers), TRANSLATE))
    _assert_says(text, "Tờ khai đăng ký khai sinh 01 00",
                 "Căn cước công dân của người yêu cầu (xuất trình bản chính để đối chiếu)")
    assert "đối chiếu) 00" not in text and text.count("00 00") == 0


def test_a_receipt_without_papers_says_none_instead_of_an_empty_table():
    text, _reader = text_of(forms.receipt_pdf(samples.receipt(papers=()), TRANSLATE))
    _assert_says(text, "1. Thành phần hồ sơ nộp gồm: (không có)")
    assert "Tên giấy tờ" not in text


def test_the_refusal_follows_form_03():
    text, _reader = text_of(forms.refusal_pdf(samples.refusal(), TRANSLATE))
    _assert_says(text, *LETTERHEAD, *ORGANISATION, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                 "Thái Nguyên, ngày 02 tháng 04 năm 2018", f"Nội dung yêu cầu giải quyết: {PROCEDURE}",
                 "từ chối tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
                 "Thửa đất nằm trong quy hoạch đường giao thông đã được phê duyệt.",
                 "Xin thông báo cho Ông/Bà được biết và thực hiện./.", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Phạm Thu Hà")


def test_the_apology_follows_form_04():
    text, _reader = text_of(forms.apology_pdf(samples.apology(), TRANSLATE))
    _assert_says(text, *LETTERHEAD, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Kính gửi: Nguyễn Thị Hằng",
                 "Thái Nguyên, ngày 05 tháng 04 năm 2018",
                 "Vào lúc 14 giờ 05 phút, ngày 31 tháng 03 năm 2018, UBND phường Gia Sàng tiếp nhận giải quyết hồ sơ "
                 f"đề nghị {PROCEDURE} của Ông/Bà. Mã hồ sơ: {CODE}.",
                 "Thời hạn trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 06 tháng 04 năm 2018.",
                 "Lý do: Cần lấy ý kiến của Phòng Quản lý đô thị thành phố.",
                 "UBND phường Gia Sàng xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc "
                 "09 giờ 30 phút, ngày 12 tháng 04 năm 2018.", "Xin trân trọng cảm ơn!", "CHỦ TỊCH",
                 "(Ký, ghi rõ họ tên và đóng dấu)", "Đỗ Quang Vinh")


def test_the_process_control_sheet_follows_form_05():
    text, _reader = text_of(forms.process_control_pdf(samples.process_control(), TRANSLATE))
    _assert_says(text, *LETTERHEAD, *ORGANISATION, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
                 f"(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {CODE})",
                 "Cơ quan (bộ phận) giải quyết hồ sơ: UBND phường Gia Sàng",
                 "Cơ quan phối hợp giải quyết hồ sơ: Phòng Quản lý đô thị thành phố Thái Nguyên",
                 "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 31 tháng 03 năm 2018",
                 "Tên cơ quan/bộ phận", "Thời gian giao, nhận hồ sơ", "Ghi chú",
                 "Kết quả giải quyết hồ sơ (Trước hạn/đúng hạn/quá hạn)",
                 "Người giao: Hoàng Văn Đức", "Người nhận: Đỗ Quang Vinh", "4. Giao: Lãnh đạo UBND phường",
                 "2. Giao: Bộ phận tiếp nhận và trả kết quả",
                 "1. Người giao: Lê Thị Ngọc Ánh", "Nhận: Bộ phận tiếp nhận và trả kết quả UBND phường Gia Sàng",
                 "Trước hạn", "Đúng hạn", "Quá hạn", "Chờ ý kiến Phòng Quản lý đô thị")
    assert "1. Giao:" not in text  # the citizen handing it in has no unit
    # the hand-overs' times (the cells wrap, so compare without spaces)
    packed = text.replace(" ", "")
    for when in ("15giờ00phút,ngày31tháng03năm2018", "16giờ30phút,ngày04tháng04năm2018",
                 "08giờ15phút,ngày09tháng04năm2018"):
        assert when in packed


@pytest.mark.parametrize("render, slip", [
    (forms.receipt_pdf, samples.receipt), (forms.supplement_request_pdf, samples.supplement),
    (forms.refusal_pdf, samples.refusal), (forms.apology_pdf, samples.apology),
    (forms.process_control_pdf, samples.process_control)])
def test_every_slip_is_a_pdf_in_vietnamese_with_no_message_id_left(render, slip):
    pdf = render(slip(), TRANSLATE)
    text, _reader = text_of(pdf)
    assert pdf.startswith(b"%PDF") and "${" not in text
    for english in ("Dossier", "Received", "Applicant", "day ", "month"):
        assert english not in text
