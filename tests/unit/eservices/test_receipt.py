import unicodedata
from datetime import datetime
from io import BytesIO
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from pyramid.i18n import make_localizer

from congdichvu.eservices.receipt import receipt_pdf
from congdichvu.i18n.formatting import TIMEZONE
from tests.conftest import ROOT


def _dossier(received):
    return SimpleNamespace(
        code="H56.01.P05-261016-0001",
        procedure_snapshot={"name": "Đăng ký khai sinh"},
        received=received,
        submitted_at=datetime(2026, 10, 16, 21, 40, tzinfo=TIMEZONE),
        received_at=datetime(2026, 10, 19, 7, 0, tzinfo=TIMEZONE),
        appointment_at=datetime(2026, 10, 19, 17, 0, tzinfo=TIMEZONE),
    )


def _text(pdf):
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split()), reader


def _receipt(received):
    return receipt_pdf(_dossier(received), "UBND phường Gia Sàng", "Nguyễn Thị Hằng",
                       ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"], "counter", secret="K7P2QX9M",
                       translate=make_localizer("vi", [str(ROOT / "locales")]).translate)


def test_the_receipt_renders_vietnamese_with_the_shipped_font():
    text, reader = _text(_receipt(received=True))
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Nhận kết quả: Tại Bộ phận tiếp nhận và trả kết quả", "H56.01.P05-261016-0001", "Nguyễn Thị Hằng",
                     "Đăng ký khai sinh", "Giấy chứng sinh", "17 giờ 00 phút, ngày 19 tháng 10 năm 2026", "K7P2QX9M"):
        assert expected in text
    fonts = [str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("DejaVuSans" in name for name in fonts)  # embedded: no font needed on the reader's machine


@pytest.mark.parametrize("received", [True, False])
def test_the_receipt_claims_reception_only_once_an_officer_received_the_dossier(received):
    text, _reader = _text(_receipt(received))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text  # the form keeps its title
    # times as Form 01 writes them (Circular 01/2018/TT-VPCP): "… giờ … phút, ngày … tháng … năm …"
    claims = ("Tiếp nhận hồ sơ của: Nguyễn Thị Hằng",
              "Thời gian nhận hồ sơ: 07 giờ 00 phút, ngày 19 tháng 10 năm 2026")
    submitted = ("chưa tiếp nhận hồ sơ", "Người nộp hồ sơ: Nguyễn Thị Hằng",
                 "Thời gian nộp hồ sơ: 21 giờ 40 phút, ngày 16 tháng 10 năm 2026",
                 "dự kiến: 17 giờ 00 phút, ngày 19 tháng 10 năm 2026")
    assert all((line in text) == received for line in claims), text
    assert all((line in text) != received for line in submitted), text
