"""The official letterhead and the page layout shared by every form.

The slips of the one-stop office follow the models (Mẫu 01–05) of Circular
01/2018/TT-VPCP, whose layout is the administrative document's of Decree
30/2020/NĐ-CP: a two-column header — the issuing agency on the left, under
its parent agency, with a short rule and the number ("Số: …"); the national
motto on the right, the second line underlined, then the place and date —
a centred title, the body, and the signature blocks side by side.

``Sheet`` writes an A4 page from the top down, wraps long lines and starts
a new page when one is full; it draws the header, tables (a row never split
across pages, the heading row repeated), signature blocks and a QR code.
Vietnamese is drawn with the DejaVu fonts shipped in ``data/fonts`` (the
machine may have no fonts at all), embedded in the PDF.

Every text handed to ``Sheet`` is already in Vietnamese: the forms translate
their words before drawing them.
"""
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ..i18n import _
from .dates import place_and_date

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE_WIDTH, PAGE_HEIGHT = A4
# Decree 30/2020/NĐ-CP, appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm
TOP, BOTTOM, LEFT, RIGHT = 20 * mm, 20 * mm, 30 * mm, 15 * mm
CELL_PADDING = 1.5 * mm
QR_QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)


def register_fonts():
    """Register the shipped DejaVu fonts with reportlab, once."""
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


@dataclass(frozen=True)
class HeaderLine:
    """One line of a header column; ``rule`` is the length of the line
    drawn under it, as a fraction of the text's width (0: none)."""

    text: str
    bold: bool = False
    rule: float = 0.0
    size: float = 10


@dataclass(frozen=True)
class Signature:
    """A signature block: ``caption`` in capitals ("NGƯỜI NỘP HỒ SƠ"), the
    ``note`` under it ("(Ký và ghi rõ họ tên)"), room to sign, then the
    signer's ``name`` (may be empty: written by hand)."""

    caption: str
    note: str
    name: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: its heading, its share of the text width, and
    ``align`` "left", "center" or "right" (amounts of money)."""

    heading: str
    share: float
    align: str = "left"


def _wrap(text, font, size, width):
    """Lines of ``text`` that fit ``width``: broken between words, and a
    word longer than the line (a URL) between letters; newlines kept."""
    lines = []
    for paragraph in str(text).split("\n"):
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            lines.extend(_break_word(line, font, size, width))
    return lines


def _break_word(line, font, size, width):
    parts = []
    while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
        cut = len(line) - 1
        while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
            cut -= 1
        parts.append(line[:cut])
        line = line[cut:]
    return parts + [line]


class Sheet:
    """An A4 PDF written from the top down; ``pdf_bytes()`` ends it."""

    def __init__(self, title):
        register_fonts()
        self._buffer = BytesIO()
        self.pdf = canvas.Canvas(self._buffer, pagesize=A4, pageCompression=1, initialFontName=REGULAR)
        self.pdf.setTitle(title)
        self.left, self.width = LEFT, PAGE_WIDTH - LEFT - RIGHT
        self.y = PAGE_HEIGHT - TOP

    # -- the flow ------------------------------------------------------------

    def new_page(self):
        self.pdf.showPage()
        self.y = PAGE_HEIGHT - TOP

    def ensure(self, height):
        """Start a new page unless ``height`` points still fit on this one."""
        if self.y - height < BOTTOM:
            self.new_page()

    def space(self, height):
        self.y -= height

    def text(self, text, *, size=11, bold=False, align="left", indent=0, gap=1.45):
        """A paragraph, wrapped to the text width (less ``indent`` points)."""
        font = BOLD if bold else REGULAR
        for part in _wrap(text, font, size, self.width - indent):
            self.ensure(size * gap)
            self.pdf.setFont(font, size)
            x = self.left + indent
            if align == "center":
                self.pdf.drawCentredString(self.left + self.width / 2, self.y - size, part)
            else:
                self.pdf.drawString(x, self.y - size, part)
            self.y -= size * gap

    def title(self, text, *subtitles):
        """The form's name, bold and centred, with lines under it."""
        self.space(6 * mm)
        self.text(text, size=13, bold=True, align="center", gap=1.5)
        for subtitle in subtitles:
            self.text(subtitle, size=11, align="center")
        self.space(4 * mm)

    # -- the header ----------------------------------------------------------

    def header(self, left, right, split=0.42):
        """Two columns of ``HeaderLine``s, each centred in its column; the
        left one takes ``split`` of the width."""
        left_width = self.width * split
        bottoms = [self._column(self.left, left_width, left),
                   self._column(self.left + left_width, self.width - left_width, right)]
        self.y = min(bottoms)

    def _column(self, x, width, lines):
        y, centre = self.y, x + width / 2
        for line in lines:
            font = BOLD if line.bold else REGULAR
            for part in _wrap(line.text, font, line.size, width - 2 * mm):
                self.pdf.setFont(font, line.size)
                self.pdf.drawCentredString(centre, y - line.size, part)
                y -= line.size * 1.35
            if line.rule:
                rule = pdfmetrics.stringWidth(part, font, line.size) * line.rule / 2
                self.pdf.setLineWidth(0.6)
                self.pdf.line(centre - rule, y - 1, centre + rule, y - 1)
                y -= 4
            y -= 1
        return y

    # -- tables --------------------------------------------------------------

    def table(self, columns, rows, *, size=9.5):
        """A bordered table: a bold heading row, then ``rows`` (sequences
        of strings, one per column). A row never breaks across pages; the
        heading row starts every page the table runs onto."""
        widths = [self.width * column.share / sum(c.share for c in columns) for column in columns]
        headings = [column.heading for column in columns]
        self._row(headings, widths, ["center"] * len(columns), size, bold=True)
        for row in rows:
            if self.y - self._row_height(row, widths, size, False) < BOTTOM:
                self.new_page()
                self._row(headings, widths, ["center"] * len(columns), size, bold=True)
            self._row(row, widths, [c.align for c in columns], size)
        self.space(3 * mm)

    def _cells(self, row, widths, size, bold):
        font = BOLD if bold else REGULAR
        return font, [_wrap(cell, font, size, width - 2 * CELL_PADDING) for cell, width in zip(row, widths)]

    def _row_height(self, row, widths, size, bold):
        _font, cells = self._cells(row, widths, size, bold)
        return max(len(lines) for lines in cells) * size * 1.3 + 2 * CELL_PADDING

    def _row(self, row, widths, aligns, size, bold=False):
        font, cells = self._cells(row, widths, size, bold)
        height = self._row_height(row, widths, size, bold)
        self.ensure(height)
        x = self.left
        self.pdf.setLineWidth(0.5)
        for lines, width, align in zip(cells, widths, aligns):
            self.pdf.rect(x, self.y - height, width, height, stroke=1, fill=0)
            self.pdf.setFont(font, size)
            for number, line in enumerate(lines):
                baseline = self.y - CELL_PADDING - size - number * size * 1.3
                if align == "center":
                    self.pdf.drawCentredString(x + width / 2, baseline, line)
                elif align == "right":
                    self.pdf.drawRightString(x + width - CELL_PADDING, baseline, line)
                else:
                    self.pdf.drawString(x + CELL_PADDING, baseline, line)
            x += width
        self.y -= height

    # -- signatures and the QR code -------------------------------------------

    def signatures(self, *blocks, room=24 * mm):
        """Signature blocks side by side, each centred in its share of the
        width; a ``None`` block leaves its place empty."""
        self.space(4 * mm)
        self.ensure(room + 16 * mm)
        share, top, bottoms = self.width / len(blocks), self.y, []
        for index, block in enumerate(blocks):
            self.y = top
            if block is not None:
                self._signature(self.left + share * index, share, block, room)
            bottoms.append(self.y)
        self.y = min(bottoms)

    def _signature(self, x, width, block, room):
        self.y = self._column(x, width, [HeaderLine(block.caption, bold=True, size=10.5),
                                         HeaderLine(block.note, size=9.5)])
        self.y -= room
        if block.name:
            self.y = self._column(x, width, [HeaderLine(block.name, bold=True, size=10.5)])

    def qr(self, url, captions, size=30 * mm):
        """A QR code of ``url`` at the left margin, drawn as vector squares
        (sharp at any zoom, no image), with ``captions`` beside it. The
        squares are drawn in module units inside their own graphics state,
        so a test can read the matrix back from the page."""
        self.ensure(size)
        matrix = segno.make(url, error="m", micro=False).matrix
        module = size / (len(matrix) + 2 * QR_QUIET_ZONE)
        self.pdf.saveState()
        self.pdf.translate(self.left + QR_QUIET_ZONE * module, self.y - size + QR_QUIET_ZONE * module)
        self.pdf.scale(module, module)
        path = self.pdf.beginPath()
        for rank, row in enumerate(matrix):
            for start, length in _dark_runs(row):
                path.rect(start, len(matrix) - 1 - rank, length, 1)
        self.pdf.drawPath(path, stroke=0, fill=1)
        self.pdf.restoreState()
        top, self.left, self.width = self.y, self.left + size + 2 * mm, self.width - size - 2 * mm
        self.y -= QR_QUIET_ZONE * module
        for caption in captions:
            self.text(caption, size=9.5)
        self.left, self.width = self.left - size - 2 * mm, self.width + size + 2 * mm
        self.y = min(self.y, top - size)

    def pdf_bytes(self):
        self.pdf.showPage()
        self.pdf.save()
        return self._buffer.getvalue()


def _dark_runs(row):
    """(start, length) of each run of dark modules in a matrix row."""
    runs, start = [], None
    for index, dark in enumerate(list(row) + [0]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def letterhead(sheet, issuer, number, issued_at, translate):
    """Draw the header of Circular 01/2018/TT-VPCP's forms: on the left
    ``issuer.parent_agency`` (upper case), ``issuer.agency`` (bold, upper
    case, a short rule under it) and "Số: ``number``"; on the right the
    national motto, its second line underlined, and "``issuer.place``,
    ngày … tháng … năm …" of ``issued_at`` (aware). ``issuer`` is a
    ``slips.Issuer``."""
    left = [HeaderLine(issuer.parent_agency.upper())] if issuer.parent_agency else []
    left += [HeaderLine(issuer.agency.upper(), bold=True, rule=0.4)]
    if number:
        left.append(HeaderLine(translate(_("No.: ${number}", mapping={"number": number}))))
    right = [HeaderLine(translate(_("SOCIALIST REPUBLIC OF VIETNAM")), bold=True),
             HeaderLine(translate(_("Independence - Freedom - Happiness")), bold=True, rule=1.0, size=10.5),
             HeaderLine(place_and_date(issuer.place, issued_at, translate), size=10)]
    sheet.header(left, right)
