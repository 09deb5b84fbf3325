"""Sample slips for the documents tests: Vietnamese names with diacritics,
an organisation with a tax code, a representative and a submitter, a long
procedure name that wraps, and enough papers to need a second page; an
e-receipt for a fee paid online."""
import unicodedata
from datetime import date, datetime, timezone
from io import BytesIO

from pypdf import PdfReader
from pyramid.i18n import make_localizer

from congdichvu.documents.slips import (
    Applicant, ApologySlip, Correction, EReceipt, EReceiptLine, HandOver, Issuer, LedgerMeta, LedgerRow, Paper,
    ProcessControlSlip, ReceiptSlip, RefusalSlip, Signer, SupplementSlip,
)
from tests.conftest import ROOT

TRANSLATE = make_localizer("vi", [str(ROOT / "locales")]).translate
CODE = "H56.01.P05-180331-0123"
URL = f"https://dichvucong.thainguyen.gov.vn/tra-cuu-ho-so?ma={CODE}"
PROCEDURE = ("Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ trong đô thị, công trình không theo tuyến, "
             "công trình tín ngưỡng, tôn giáo, công trình tượng đài, tranh hoành tráng")
ISSUER = Issuer("UBND phường Gia Sàng", "UBND thành phố Thái Nguyên", "Thái Nguyên")
DESK = "Bộ phận tiếp nhận và trả kết quả UBND phường Gia Sàng"
PERSON = Applicant("Nguyễn Thị Hằng", address="Tổ 5, phường Gia Sàng", phone="0912 345 678")
ORGANISATION = Applicant("Công ty TNHH Xây dựng Hoàng Long", kind="organisation", tax_code="4600123456",
                         representative="Trần Văn Bình", submitter="Lê Thị Ngọc Ánh",
                         address="Số 5, đường Quang Trung, phường Gia Sàng", phone="0208 3855 123",
                         email="hoanglong@example.vn")


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


RECEIVED = utc(2018, 3, 31, 7, 5)  # 14:05 in Thái Nguyên
DUE = utc(2018, 4, 6, 9, 0)  # 16:00
ISSUED = RECEIVED


def text_of(pdf):
    """The PDF's text, every page, NFC, whitespace collapsed to single spaces."""
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split()), reader


def receipt(**changes):
    values = dict(
        issuer=ISSUER, issued_at=ISSUED, code=CODE, desk=DESK, applicant=ORGANISATION, procedure=PROCEDURE,
        papers=tuple(Paper(f"Bản vẽ thiết kế số {n}, kèm theo bản sao chứng thực giấy chứng nhận quyền sử dụng đất",
                           originals=1, copies=n % 3) for n in range(1, 31)),
        dossier_count=1, processing_days=5, received_at=RECEIVED, submitted_at=RECEIVED, appointment_at=DUE,
        result_channel="postal", postal_fee=25000, ledger_book="2018", ledger_number=123, lookup_url=URL,
        secret="K7P2QX9M", officer="Phạm Thu Hà")
    values.update(changes)
    return ReceiptSlip(**values)


def supplement():
    return SupplementSlip(
        issuer=ISSUER, issued_at=utc(2018, 4, 2, 2, 30), code=CODE, desk=DESK, applicant=PERSON, procedure=PROCEDURE,
        received_at=RECEIVED, officer="Phạm Thu Hà", officer_phone="0208 3855 999",
        corrections=(Correction("Bản sao giấy chứng nhận quyền sử dụng đất", "Bản sao chưa được chứng thực"),
                     Correction("Tờ khai đề nghị cấp giấy phép xây dựng", "Thiếu chữ ký của chủ đầu tư")))


def refusal():
    return RefusalSlip(issuer=ISSUER, issued_at=utc(2018, 4, 2, 2, 30), code=CODE, desk=DESK, applicant=ORGANISATION,
                       procedure=PROCEDURE, reason="Thửa đất nằm trong quy hoạch đường giao thông đã được phê duyệt.",
                       received_at=RECEIVED, officer="Phạm Thu Hà")


def apology():
    return ApologySlip(issuer=ISSUER, issued_at=utc(2018, 4, 5, 3, 0), code=CODE, applicant=PERSON,
                       procedure=PROCEDURE, received_at=RECEIVED, due_at=DUE, new_due_at=utc(2018, 4, 12, 2, 30),
                       reason="Cần lấy ý kiến của Phòng Quản lý đô thị thành phố.",
                       signer=Signer("Đỗ Quang Vinh", "Chủ tịch"))


def process_control():
    lines = (HandOver("", "Lê Thị Ngọc Ánh", DESK, "Phạm Thu Hà", RECEIVED),
             HandOver("Bộ phận tiếp nhận và trả kết quả", "Phạm Thu Hà", "Công chức Địa chính - Xây dựng",
                      "Hoàng Văn Đức", utc(2018, 3, 31, 8, 0), "early"),
             HandOver("Công chức Địa chính - Xây dựng", "Hoàng Văn Đức", "Lãnh đạo UBND phường", "Đỗ Quang Vinh",
                      utc(2018, 4, 4, 9, 30), "on_time"),
             HandOver("Lãnh đạo UBND phường", "Đỗ Quang Vinh", "Bộ phận tiếp nhận và trả kết quả", "Phạm Thu Hà",
                      utc(2018, 4, 9, 1, 15), "late", "Chờ ý kiến Phòng Quản lý đô thị"))
    return ProcessControlSlip(issuer=ISSUER, issued_at=ISSUED, code=CODE, applicant=ORGANISATION,
                              procedure=PROCEDURE, received_at=RECEIVED, appointment_at=DUE, hand_overs=lines,
                              handling_agency="UBND phường Gia Sàng",
                              cooperating_agencies=("Phòng Quản lý đô thị thành phố Thái Nguyên",))


def ledger_rows():
    return [LedgerRow(CODE, PROCEDURE, "Nguyễn Thị Hằng", RECEIVED, DUE, address="Tổ 5, phường Gia Sàng",
                      phone="0912 345 678", handling_agency="UBND phường Gia Sàng", sent_at=utc(2018, 3, 31, 8, 0),
                      back_at=utc(2018, 4, 5, 2, 0), returned_at=utc(2018, 4, 5, 8, 45), outcome="on_time"),
            LedgerRow("H56.01.P05-180331-0124", "Đăng ký khai sinh", "=HYPERLINK(\"http://evil\",\"x\")",
                      utc(2018, 3, 31, 9, 0), address="+84 Tổ 1", phone="-1", note="@SUM(A1:A2)",
                      outcome="late"),
            LedgerRow("H56.01.P05-180331-0125", "Chứng thực bản sao", "@Lê Văn\x07 Tâm", utc(2018, 3, 31, 9, 30),
                      phone="-2+3", note="-")]


def ledger_meta():
    return LedgerMeta("UBND phường Gia Sàng", date(2018, 3, 1), date(2018, 3, 31), utc(2018, 4, 1, 1, 0),
                      parent_agency="UBND thành phố Thái Nguyên")


def e_receipt(**changes):
    """A receipt of 1.500 đồng (three copies at 500 đồng) paid online through VNPay."""
    values = dict(
        issuer=ISSUER, form_number="01BLP0-001", symbol="BL26E-H56.01", number="0000012",
        issued_at=utc(2026, 10, 19, 7, 5), payer_name="Nguyễn Thị Hằng", payer_address="Tổ 5, phường Gia Sàng",
        payer_id_number="019190001234", dossier_code=CODE, procedure_name="Cấp bản sao trích lục hộ tịch",
        lines=(EReceiptLine("Lệ phí cấp bản sao trích lục hộ tịch", 3, 500, 1500),), total=1500,
        method="Thanh toán trực tuyến (VNPay)", gateway="VNPay", transaction_number="14567890",
        reference="H56.01.P05-180331-0123-1", lookup_url=URL, issuer_tax_code="4600100155")
    values.update(changes)
    return EReceipt(**values)
