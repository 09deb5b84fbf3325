"""The e-receipt for fees and charges paid online, read back from the PDF
(Decree 123/2020/NĐ-CP: form number, symbol, number, collector, payer,
fees, total in figures and in words)."""
from dataclasses import replace
from datetime import datetime

import pytest
import segno

from congdichvu.documents.e_receipt import e_receipt_pdf
from congdichvu.documents.slips import EReceiptLine
from tests.unit.documents import samples
from tests.unit.documents.samples import CODE, TRANSLATE, URL, text_of
from tests.unit.documents.test_forms import _assert_says, _qr_matrix


def test_the_e_receipt_says_what_a_receipt_for_fees_says():
    text, reader = text_of(e_receipt_pdf(samples.e_receipt(), TRANSLATE))
    _assert_says(text, "UBND THÀNH PHỐ THÁI NGUYÊN", "UBND PHƯỜNG GIA SÀNG", "Mã số thuế: 4600100155",
                 "Mẫu số: 01BLP0-001", "Ký hiệu: BL26E-H56.01", "Số: 0000012",
                 "BIÊN LAI THU PHÍ, LỆ PHÍ", "(Bản thể hiện của biên lai điện tử)", "Ngày 19 tháng 10 năm 2026",
                 "Người nộp tiền: Nguyễn Thị Hằng", "Số định danh cá nhân (CCCD): 019190001234",
                 "Địa chỉ: Tổ 5, phường Gia Sàng", f"Mã hồ sơ: {CODE}",
                 "Thủ tục hành chính: Cấp bản sao trích lục hộ tịch",
                 "STT Khoản phí, lệ phí Số lượng Đơn giá Thành tiền",
                 "1 Lệ phí cấp bản sao trích lục hộ tịch 3 500 ₫ 1.500 ₫",
                 "Tổng số tiền: 1.500 ₫", "Số tiền bằng chữ: Một nghìn năm trăm đồng",
                 "Hình thức thanh toán: Thanh toán trực tuyến (VNPay)", "Mã giao dịch tại VNPay: 14567890",
                 "Mã tham chiếu thanh toán: H56.01.P05-180331-0123-1",
                 "Thời điểm lập biên lai: 14 giờ 05 phút, ngày 19 tháng 10 năm 2026",
                 "Quét mã để tra cứu biên lai:", "Đây là bản thể hiện của biên lai điện tử do Cổng dịch vụ công lập")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text  # a receipt, not an administrative document
    assert "${" not in text and "Receipt" not in text and "Payer" not in text
    assert _qr_matrix(reader) == [list(row) for row in segno.make(URL, error="m", micro=False).matrix]
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert all("DejaVuSans" in name for name in fonts)


def test_an_organisation_pays_with_its_tax_code_and_unknown_lines_are_left_out():
    receipt = samples.e_receipt(payer_name="Công ty TNHH Xây dựng Hoàng Long", payer_tax_code="4600123456",
                                payer_id_number="", payer_address="", dossier_code="", procedure_name="",
                                gateway="", reference="", lookup_url="", issuer_tax_code="")
    text, reader = text_of(e_receipt_pdf(receipt, TRANSLATE))
    _assert_says(text, "Người nộp tiền: Công ty TNHH Xây dựng Hoàng Long", "Mã số thuế: 4600123456",
                 "Mã giao dịch tại cổng thanh toán: 14567890")
    assert text.count("Mã số thuế") == 1  # the payer's; the collector's was not given
    for absent in ("CCCD", "Địa chỉ", "Mã hồ sơ", "Thủ tục hành chính", "Mã tham chiếu", "Quét mã"):
        assert absent not in text
    assert _qr_matrix(reader) is None


def test_a_receipt_without_lines_has_no_table_but_its_total_in_words():
    text, _reader = text_of(e_receipt_pdf(samples.e_receipt(lines=(), total=1_001_000), TRANSLATE))
    _assert_says(text, "Tổng số tiền: 1.001.000 ₫",
                 "Số tiền bằng chữ: Một triệu không trăm linh một nghìn đồng")
    assert "Đơn giá" not in text


def test_long_names_wrap_and_many_lines_continue_on_the_next_page():
    name = ("Phí thẩm định hồ sơ cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ trong đô thị, công trình "
            "không theo tuyến, công trình tín ngưỡng, tôn giáo, công trình tượng đài, tranh hoành tráng, hạng mục ")
    lines = tuple(EReceiptLine(f"{name}{n}", n, 25_000, n * 25_000) for n in range(1, 41))
    receipt = samples.e_receipt(lines=lines, total=sum(line.amount for line in lines),
                                payer_name="Công ty Cổ phần Đầu tư Xây dựng và Phát triển Hạ tầng Đô thị " * 4,
                                procedure_name=samples.PROCEDURE, lookup_url=URL + "&x=" + "a" * 120)
    text, reader = text_of(e_receipt_pdf(receipt, TRANSLATE))
    assert len(reader.pages) >= 2
    second = " ".join(reader.pages[1].extract_text().split())
    assert "STT Khoản phí, lệ phí Số lượng Đơn giá Thành tiền" in second  # the heading starts the next page too
    packed = text.replace(" ", "")
    for number in (1, 20, 40):
        assert f"hạngmục{number}" in packed
    _assert_says(text, "Tổng số tiền: 20.500.000 ₫", "Số tiền bằng chữ: Hai mươi triệu năm trăm nghìn đồng")


def test_a_naive_issue_time_is_refused_rather_than_guessed():
    receipt = replace(samples.e_receipt(), issued_at=datetime(2026, 10, 19, 14, 5))
    with pytest.raises(TypeError):
        e_receipt_pdf(receipt, TRANSLATE)


def test_a_receipt_whose_lines_do_not_add_up_to_its_total_cannot_be_made():
    with pytest.raises(ValueError):
        samples.e_receipt(total=2000)
    with pytest.raises(ValueError):
        samples.e_receipt(lines=(), total=-1)
