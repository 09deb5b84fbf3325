"""The receipt, Form 01: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", as a PDF.

Vietnamese is drawn with the DejaVu fonts shipped in ``data/fonts`` (the
machine may have no fonts at all), embedded in the PDF.
"""
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ..i18n.formatting import format_datetime

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
RESULT_PLACES = {
    "counter": "Tại Bộ phận tiếp nhận và trả kết quả",
    "postal": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến, trên cổng dịch vụ công",
}


def _register_fonts():
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


class _Page:
    """A top-down writer on an A4 canvas, wrapping long lines."""

    def __init__(self, pdf):
        self.pdf, self.y = pdf, A4[1] - 20 * mm
        self.left, self.width = 20 * mm, A4[0] - 40 * mm

    def line(self, text, size=11, bold=False, center=False, gap=1.5):
        font = BOLD if bold else REGULAR
        for part in simpleSplit(text, font, size, self.width) or [""]:
            if self.y < 20 * mm:
                self.pdf.showPage()
                self.y = A4[1] - 20 * mm
            self.pdf.setFont(font, size)
            if center:
                self.pdf.drawCentredString(A4[0] / 2, self.y, part)
            else:
                self.pdf.drawString(self.left, self.y, part)
            self.y -= size * gap


def receipt_pdf(dossier, agency_name, applicant_name, papers, result_place, secret=None):
    """The receipt of ``dossier`` as PDF bytes. ``papers`` are the names of
    the papers handed in; ``secret`` (shown only once) is printed for lookups."""
    _register_fonts()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Giấy tiếp nhận hồ sơ {dossier.code}")
    page = _Page(pdf)
    page.line(agency_name.upper(), size=10, bold=True)
    page.line("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", size=10, bold=True, gap=2.2)
    page.line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=11, bold=True, center=True)
    page.line("Độc lập - Tự do - Hạnh phúc", size=11, bold=True, center=True, gap=2.6)
    page.line("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", size=14, bold=True, center=True)
    page.line(f"Mã hồ sơ: {dossier.code}", size=11, center=True, gap=2.4)
    page.line(f"Bộ phận tiếp nhận và trả kết quả: {agency_name}")
    page.line(f"Tiếp nhận hồ sơ của: {applicant_name}")
    page.line(f"Nội dung yêu cầu giải quyết: {dossier.procedure_snapshot.get('name', '')}")
    page.line("Thành phần hồ sơ nộp gồm:")
    for number, name in enumerate(papers, 1):
        page.line(f"   {number}. {name}")
    page.line(f"Thời gian nhận hồ sơ: {format_datetime(dossier.received_at)}")
    page.line(f"Thời gian trả kết quả: {format_datetime(dossier.appointment_at)}", bold=True)
    page.line(f"Nhận kết quả: {RESULT_PLACES.get(result_place, result_place)}")
    if secret:
        page.line(f"Mã bí mật để tra cứu hồ sơ: {secret}", bold=True)
        page.line("Tra cứu tình trạng hồ sơ tại mục \u201cTra cứu hồ sơ\u201d của cổng dịch vụ công.", size=10)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
