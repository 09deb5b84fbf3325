"""The electronic receipt for fees and charges paid online (biên lai điện
tử thu phí, lệ phí) as PDF: the printed representation (bản thể hiện) of
the receipt the portal issues when the payment gateway confirms a payment.

Legal source: Decree 123/2020/NĐ-CP on invoices and receipts (hóa đơn,
chứng từ), as amended by Decree 70/2025/NĐ-CP, which sets what a receipt
for fees and charges states: the receipt's name, its form number (mẫu số),
series symbol (ký hiệu) and number (số); the collecting organisation's
name and tax code; the payer; the fees or charges with their amounts, the
total in figures and in words; the date of issue. Its Circular (Thông tư
78/2021/TT-BTC and its successor) gives the form of the form number and
symbol, which the portal prints as it is given them. (Decree 11/2020/NĐ-CP,
sometimes cited for receipts, sets the State Treasury's procedures.)

Like the slips of ``forms``, a receipt is an official Vietnamese document:
its words go through the catalogue and the caller hands in a Vietnamese
``translate`` (``i18n.official_translate``). The layout is the
letterhead's ``Sheet``: A4, long names wrapped, a long list of fees
continued on the next page under a repeated heading row.
"""
from ..i18n import _
from ..i18n.formatting import format_money, format_number
from ..i18n.words import amount_in_words
from .dates import place_and_date, written_instant
from .letterhead import Column, HeaderLine, Sheet

#: the header's split: the collecting agency on the left, the receipt's numbers on the right
HEADER_SPLIT = 0.58


def _header(sheet, receipt, say):
    """The collecting agency (under its parent, with its tax code) on the
    left; the form number, the symbol and the receipt's number on the right."""
    issuer = receipt.issuer
    left = [HeaderLine(issuer.parent_agency.upper())] if issuer.parent_agency else []
    left.append(HeaderLine(issuer.agency.upper(), bold=True, rule=0.4))
    if receipt.issuer_tax_code:
        left.append(HeaderLine(say(_("Tax code: ${code}", mapping={"code": receipt.issuer_tax_code}))))
    right = [HeaderLine(say(_("Form no.: ${form}", mapping={"form": receipt.form_number}))),
             HeaderLine(say(_("Symbol: ${symbol}", mapping={"symbol": receipt.symbol}))),
             HeaderLine(say(_("No.: ${number}", mapping={"number": receipt.number})), bold=True)]
    sheet.header(left, right, split=HEADER_SPLIT)


def _payer(sheet, receipt, say):
    sheet.text(say(_("Payer: ${name}", mapping={"name": receipt.payer_name})))
    known = [(receipt.payer_tax_code, _("Tax code: ${code}")),
             (receipt.payer_id_number, _("Personal identification number (citizen ID card): ${code}")),
             (receipt.payer_address, _("Address: ${value}"))]
    for value, line in known:
        if value:
            sheet.text(say(_(line, mapping={"code": value, "value": value})))
    if receipt.dossier_code:
        sheet.text(say(_("Dossier code: ${code}", mapping={"code": receipt.dossier_code})))
    if receipt.procedure_name:
        sheet.text(say(_("Administrative procedure: ${procedure}", mapping={"procedure": receipt.procedure_name})))


def _lines(sheet, receipt, say):
    """The table of fees (none: no table), then the total in figures and
    in words."""
    if receipt.lines:
        sheet.space(4)
        sheet.table([Column(say(_("No.")), 0.6, "center"), Column(say(_("Fee or charge")), 4.0),
                     Column(say(_("Quantity")), 1.3, "center"), Column(say(_("Unit price")), 1.7, "right"),
                     Column(say(_("Amount charged")), 1.8, "right")],
                    [(str(number), line.name, format_number(line.count), format_money(line.unit_amount),
                      format_money(line.amount)) for number, line in enumerate(receipt.lines, 1)])
    sheet.text(say(_("Total: ${amount}", mapping={"amount": format_money(receipt.total)})), bold=True)
    sheet.text(say(_("Amount in words: ${words}", mapping={"words": amount_in_words(receipt.total)})))


def _payment(sheet, receipt, say):
    """How it was paid: the method, the gateway's transaction number, the
    portal's reference, and when the receipt was issued, in the city's time."""
    sheet.space(4)
    if receipt.method:
        sheet.text(say(_("Payment method: ${method}", mapping={"method": receipt.method})))
    if receipt.transaction_number:
        mapping = {"gateway": receipt.gateway, "number": receipt.transaction_number}
        sheet.text(say(_("Transaction number at ${gateway}: ${number}", mapping=mapping)) if receipt.gateway
                   else say(_("Transaction number at the payment gateway: ${number}", mapping=mapping)))
    if receipt.reference:
        sheet.text(say(_("Payment reference: ${reference}", mapping={"reference": receipt.reference})))
    sheet.text(say(_("Issued at: ${when}", mapping={"when": written_instant(receipt.issued_at, say)})))


def _lookup(sheet, receipt, say):
    note = say(_("This is the printed representation of an electronic receipt, issued by the public services "
                 "portal for a payment made online.") if receipt.gateway else _(
        "This is the printed representation of an electronic receipt, issued by the public services portal for a "
        "payment made at the one-stop desk."))
    sheet.space(8)
    if receipt.lookup_url:
        sheet.qr(receipt.lookup_url, [say(_("Scan to look up the receipt:")), receipt.lookup_url])
        sheet.space(4)
    sheet.text(note, size=9.5)


def e_receipt_pdf(receipt, translate):
    """The e-receipt "Biên lai thu phí, lệ phí" of a ``slips.EReceipt``, as
    PDF bytes (A4, in Vietnamese whatever ``translate``'s messages were
    written in; the caller hands in ``i18n.official_translate``).

    Raises TypeError for a naive ``issued_at`` (a wrong guess of its zone
    would print a time seven hours off)."""
    say = translate
    sheet = Sheet(say(_("Receipt of fees and charges ${symbol} no. ${number}",
                        mapping={"symbol": receipt.symbol, "number": receipt.number})))
    _header(sheet, receipt, say)
    sheet.title(say(_("RECEIPT OF FEES AND CHARGES")),
                say(_("(Printed representation of an electronic receipt)")),
                place_and_date("", receipt.issued_at, say))
    _payer(sheet, receipt, say)
    _lines(sheet, receipt, say)
    _payment(sheet, receipt, say)
    _lookup(sheet, receipt, say)
    return sheet.pdf_bytes()
