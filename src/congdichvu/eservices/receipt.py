"""The receipt, Form 01: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", as a PDF.

The form is an official Vietnamese document, so it is always written in
Vietnamese, whatever language the page was in: its words go through the
translation catalogue and the caller hands in a Vietnamese ``translate``.
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

from ..i18n import _
from ..i18n.formatting import format_datetime

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
RESULT_PLACES = {
    "counter": _("At the one-stop desk"),
    "postal": _("By public postal service"),
    "online": _("Online, on the public services portal"),
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


def _wording(dossier, applicant_name):
    """The lines that depend on whether an officer has received the dossier:
    a dossier only submitted online is not called received (the form keeps
    its title, the lines say what happened)."""
    if dossier.received:
        return {"status": None,
                "person": _("Dossier received from: ${name}", mapping={"name": applicant_name}),
                "when": _("Received at: ${when}", mapping={"when": format_datetime(dossier.received_at)}),
                "due": _("Result due at: ${when}", mapping={"when": format_datetime(dossier.appointment_at)})}
    return {"status": _("Submitted online: the office has not received the dossier yet; it will check it first."),
            "person": _("Dossier submitted by: ${name}", mapping={"name": applicant_name}),
            "when": _("Submitted at: ${when}", mapping={"when": format_datetime(dossier.submitted_at)}),
            "due": _("Expected date of the result: ${when}", mapping={"when": format_datetime(dossier.appointment_at)})}


def receipt_pdf(dossier, agency_name, applicant_name, papers, result_place, secret=None, *, translate):
    """The receipt of ``dossier`` as PDF bytes. ``papers`` are the names of
    the papers handed in; ``secret`` (shown only once) is printed for lookups;
    ``translate`` turns the form's words into Vietnamese."""

    say = translate  # every word of the form, in Vietnamese
    wording = _wording(dossier, applicant_name)
    _register_fonts()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(say(_("Receipt ${code}", mapping={"code": dossier.code})))
    page = _Page(pdf)
    page.line(agency_name.upper(), size=10, bold=True)
    page.line(say(_("ONE-STOP RECEPTION AND RESULTS DESK")), size=10, bold=True, gap=2.2)
    page.line(say(_("SOCIALIST REPUBLIC OF VIETNAM")), size=11, bold=True, center=True)
    page.line(say(_("Independence - Freedom - Happiness")), size=11, bold=True, center=True, gap=2.6)
    page.line(say(_("RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT")), size=14, bold=True, center=True)
    page.line(say(_("Dossier code: ${code}", mapping={"code": dossier.code})), size=11, center=True, gap=2.4)
    if wording["status"]:
        page.line(say(wording["status"]), bold=True, gap=2)
    page.line(say(_("Receiving desk: ${agency}", mapping={"agency": agency_name})))
    page.line(say(wording["person"]))
    page.line(say(_("Request: ${procedure}", mapping={"procedure": dossier.procedure_snapshot.get("name", "")})))
    page.line(say(_("Papers handed in:")))
    for number, name in enumerate(papers, 1):
        page.line(f"   {number}. {name}")
    page.line(say(wording["when"]))
    page.line(say(wording["due"]), bold=True)
    place = RESULT_PLACES.get(result_place)
    page.line(say(_("Result returned: ${place}", mapping={"place": say(place) if place else result_place})))
    if secret:
        page.line(say(_("Lookup secret: ${secret}", mapping={"secret": secret})), bold=True)
        page.line(say(_("Follow the dossier under \u201cLook up a dossier\u201d on the public services portal.")), size=10)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
