"""E-receipts (biên lai điện tử thu phí, lệ phí) for paid orders: their
number, and the PDF kept with the dossier.

Numbering: one series per collecting agency and year — the form number
(mẫu số, ``congdichvu.receipts.form_number``) and the series (ký hiệu,
``congdichvu.receipts.symbol``, ``{yy}`` = the year's last two digits),
numbered from 1 each year (Decree 123/2020/NĐ-CP on invoices and
receipts, as amended by Decree 70/2025/NĐ-CP, and Circular 78/2021/TT-BTC
for the form number and series of electronic receipts). The number comes from the same counter rows as dossier codes,
inside the paying transaction, so numbers never repeat or skip.
"""
import hashlib
import uuid
from datetime import date

from ..eservices.codes import next_number
from ..eservices.flow import file_row
from ..eservices.storage import file_store
from ..i18n import _
from ..i18n.formatting import to_local

DEFAULT_FORM_NUMBER = "01BLP0-001"
DEFAULT_SYMBOL = "BL{yy}E"
FILENAME = "bien-lai-{code}-{number}.pdf"


def symbol(settings, year):
    """The series (ký hiệu) for ``year``: ``BL26E`` for 2026 by default."""
    pattern = settings.get("congdichvu.receipts.symbol") or DEFAULT_SYMBOL
    return pattern.replace("{yy}", f"{year % 100:02d}").replace("{yyyy}", str(year))


def number(dbsession, agency_code, year):
    """The next receipt number of ``agency_code`` in ``year`` (from 1)."""
    return next_number(dbsession, f"bl:{agency_code}"[:40], date(year, 1, 1))


def written_number(value):
    return f"{value:07d}"


def number_order(dbsession, settings, order, now):
    """Give ``order``'s receipt its series and the next number of its
    collecting agency for the year of ``now`` (``issue`` then draws it)."""
    year = to_local(now).year
    order.receipt_symbol = symbol(settings, year)
    order.receipt_number = number(dbsession, order.agency_code, year)


def lines(order):
    """The order's fee lines as the receipt prints them."""
    from ..documents.slips import EReceiptLine

    result = []
    for item in order.items or []:
        count = int(item.get("count") or 1)
        amount = int(item.get("amount") or 0)
        unit = int(item.get("unit_amount") or (amount // count if count else amount))
        result.append(EReceiptLine(name=str(item.get("name") or ""), count=count, unit_amount=unit, amount=amount))
    if not result:
        result.append(EReceiptLine(name=order.purpose or "", count=1, unit_amount=order.amount, amount=order.amount))
    return tuple(result)


def issue(request, order, attempt, dossier, now, gateway_label="VNPay"):
    """Number ``order``'s receipt, draw it and keep it with ``dossier``
    (a DossierFile of kind "e_receipt", written after commit). Returns the file row."""
    from ..documents.slips import EReceipt
    from ..documents.e_receipt import e_receipt_pdf
    from ..onestop.slips import Context

    settings = request.registry.settings
    number_order(request.dbsession, settings, order, now)
    context = Context(request)
    online = attempt is not None and attempt.reported_by != "counter"
    receipt = EReceipt(
        issuer=context.issuer(order.agency_code),
        form_number=settings.get("congdichvu.receipts.form_number") or DEFAULT_FORM_NUMBER,
        symbol=order.receipt_symbol, number=written_number(order.receipt_number), issued_at=now,
        payer_name=dossier.applicant_name or "", payer_address=dossier.applicant_address or "",
        payer_tax_code=dossier.applicant_tax_code or "",
        # an organisation pays under its tax code: its representative's card number is not the payer's
        payer_id_number=(dossier.applicant_id_number or "") if dossier.applicant_kind != "organisation" else "",
        dossier_code=dossier.code, procedure_name=(dossier.procedure_snapshot or {}).get("name", ""),
        lines=lines(order), total=order.amount,
        method=context.translate(_("Paid online through ${gateway}", mapping={"gateway": gateway_label})
                                 if online else _("Paid at the one-stop desk")),
        gateway=gateway_label if online else "",
        transaction_number=(attempt.transaction_number or "") if online else "",
        reference=attempt.txn_ref if online else "",
        lookup_url=context.lookup_url(dossier))
    pdf = e_receipt_pdf(receipt, context.translate)
    record = {"id": uuid.uuid4().hex, "type": ".pdf", "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest(),
              "name": FILENAME.format(code=dossier.code, number=written_number(order.receipt_number))}
    files = file_store(request)
    key = files.key_for(dossier.id, record["id"], ".pdf")
    row = file_row("e_receipt", None, record, key, now)
    dossier.files.append(row)
    request.dbsession.flush()
    order.receipt_file_id = row.id
    files.write_after_commit(request.tm.get(), key, pdf)
    return row
