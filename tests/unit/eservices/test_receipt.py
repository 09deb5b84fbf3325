import unicodedata
from datetime import datetime
from io import BytesIO
from types import SimpleNamespace

from pypdf import PdfReader
from pyramid.i18n import make_localizer

from congdichvu.eservices.receipt import receipt_pdf
from congdichvu.i18n.formatting import TIMEZONE
from tests.conftest import ROOT


def test_the_receipt_renders_vietnamese_with_the_shipped_font():
    dossier = SimpleNamespace(
        code="H56.01.P05-261016-0001",
        procedure_snapshot={"name": "Đăng ký khai sinh"},
        received_at=datetime(2026, 10, 19, 7, 0, tzinfo=TIMEZONE),
        appointment_at=datetime(2026, 10, 19, 17, 0, tzinfo=TIMEZONE),
    )
    pdf = receipt_pdf(dossier, "UBND phường Gia Sàng", "Nguyễn Thị Hằng",
                      ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"], "counter", secret="K7P2QX9M",
                      translate=make_localizer("vi", [str(ROOT / "locales")]).translate)
    reader = PdfReader(BytesIO(pdf))
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Nhận kết quả: Tại Bộ phận tiếp nhận và trả kết quả", "H56.01.P05-261016-0001", "Nguyễn Thị Hằng",
                     "Đăng ký khai sinh", "Giấy chứng sinh", "19/10/2026 17:00", "K7P2QX9M"):
        assert expected in text
    fonts = [str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in name for name in fonts)  # embedded: no font needed on the reader's machine
