"""The one-stop office's slips as PDF: Forms 01 to 05 of Circular
01/2018/TT-VPCP (Mẫu 01–05), on the letterhead of ``letterhead``.

The slips are official Vietnamese documents, so they are always written in
Vietnamese, whatever language the page was in: their words go through the
translation catalogue and the caller hands in a Vietnamese ``translate``
(``i18n.official_translate``). Each function takes a dataclass of
``slips`` and returns the PDF's bytes.
"""
from ..i18n import _
from ..i18n.formatting import format_money
from .dates import written_instant, working_days
from .letterhead import Column, Sheet, Signature, letterhead

RESULT_PLACES = {
    "counter": _("At the one-stop desk"),
    "postal": _("By public postal service"),
    "online": _("Online, on the public services portal"),
}
OUTCOME_WORDS = {"early": _("Before the deadline"), "on_time": _("On time"), "late": _("Late")}
SIGN_NOTE = _("(Sign and write full name)")
RECEIVED_FROM = _("Dossier received from: ${name}")
SUBMITTED_BY = _("Dossier submitted by: ${name}")
APPLICANT = _("Applicant: ${name}")
SUPPLEMENT_RECEIVED = _("On ${when}, ${desk} received the dossier of: ${name}")
SUPPLEMENT_NOT_RECEIVED = _("The dossier of ${name}, submitted on ${when}, has not been received yet: ${desk} asks "
                            "for it to be completed first.")


def outcome_word(outcome, translate):
    """"Trước hạn", "Đúng hạn", "Quá hạn" for ``slips.OUTCOMES``; "" else."""
    word = OUTCOME_WORDS.get(outcome)
    return translate(word) if word else ""


def desk_name(agency, translate):
    """The usual name of an agency's desk: "Bộ phận tiếp nhận và trả kết
    quả UBND phường Gia Sàng"."""
    return translate(_("One-stop reception and results desk of ${agency}", mapping={"agency": agency}))


def _applicant(sheet, applicant, lead, say, **mapping):
    """The applicant's lines: ``lead`` (a message with ${name}, and the
    other names of ``mapping``), then what is known of them
    (representative, submitter, contacts)."""
    name = applicant.name
    if applicant.kind == "organisation" and applicant.tax_code:
        name = say(_("${name} (tax code: ${code})", mapping={"name": name, "code": applicant.tax_code}))
    sheet.text(say(_(lead, mapping={**mapping, "name": name})))
    known = [(applicant.representative, _("Representative: ${value}")),
             (applicant.submitter, _("Submitted on behalf of the applicant by: ${value}")),
             (applicant.address, _("Address: ${value}")),
             (applicant.phone, _("Phone: ${value}")), (applicant.email, _("Email: ${value}"))]
    for value, line in known:
        if value:
            sheet.text(say(_(line, mapping={"value": value})))


# -- Form 01 -----------------------------------------------------------------

def _receipt_times(slip, say):
    """Items 3-5 of Form 01; an acknowledgement writes when the dossier was
    submitted and when the result is expected, never that it was received."""
    days = slip.processing_days
    lines = [say(_("Processing time by law: ${time}", mapping={"time": working_days(days, say)}))
             if days is not None else ""]
    if slip.acknowledgement:
        submitted, due = written_instant(slip.submitted_at, say), written_instant(slip.appointment_at, say)
        lines += [say(_("Submitted at: ${when}", mapping={"when": submitted})) if submitted else "",
                  say(_("Expected date of the result: ${when}", mapping={"when": due})) if due else ""]
    else:
        received, due = written_instant(slip.received_at, say), written_instant(slip.appointment_at, say)
        lines += [say(_("Received at: ${when}", mapping={"when": received})),
                  say(_("Result returned at: ${when}", mapping={"when": due})) if due else ""]
    return lines


def _result_channel(slip, say):
    place = RESULT_PLACES.get(slip.result_channel)
    place = say(place) if place else slip.result_channel
    if slip.result_channel == "postal" and slip.postal_fee is not None:
        place = say(_("${place} (postage: ${fee})", mapping={"place": place, "fee": format_money(slip.postal_fee)}))
    return say(_("Result returned: ${place}", mapping={"place": place}))


def _papers(sheet, papers, say):
    """The table of papers; a paper only shown for comparison is said so,
    with no counts; no papers at all is one line, "(none)"."""
    if not papers:
        sheet.text(say(_("(none)")), indent=12)
        return
    counts = lambda value: "" if value is None else f"{value:02d}"  # noqa: E731
    shown = say(_("original shown for comparison"))

    def row(number, paper):
        if paper.presented_only:
            return str(number), f"{paper.name} ({shown})", "", ""
        return str(number), paper.name, counts(paper.originals), counts(paper.copies)

    sheet.table([Column(say(_("No.")), 0.6, "center"), Column(say(_("Paper")), 5),
                 Column(say(_("Originals")), 1.2, "center"), Column(say(_("Copies")), 1.2, "center")],
                [row(n, p) for n, p in enumerate(papers, 1)])


def _lookup(sheet, slip, say):
    captions = [say(_("Scan to look up the dossier:")), slip.lookup_url]
    if slip.secret:
        captions.append(say(_("Lookup secret: ${secret}", mapping={"secret": slip.secret})))
    captions.append(say(_("Follow the dossier under \u201cLook up a dossier\u201d on the public services portal.")))
    if slip.lookup_url:
        sheet.qr(slip.lookup_url, captions)
    elif slip.secret:
        sheet.text(captions[2], bold=True)
        sheet.text(captions[3], size=10)


def receipt_pdf(slip, translate):
    """Form 01, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" (Mẫu 01, Circular
    01/2018/TT-VPCP), of a ``slips.ReceiptSlip``, as PDF bytes.

    A dossier only submitted online (``slip.acknowledgement``) keeps the
    form's title but says it is not received yet: it gives the submission
    time and the expected result date, and has no ledger entry and no
    signatures."""
    say = translate
    sheet = Sheet(say(_("Receipt ${code}", mapping={"code": slip.code})))
    letterhead(sheet, slip.issuer, slip.code, slip.issued_at, say)
    sheet.title(say(_("RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT")),
                say(_("Dossier code: ${code}", mapping={"code": slip.code})))
    if slip.acknowledgement:
        sheet.text(say(_("Submitted online: the office has not received the dossier yet; it will check it first.")),
                   bold=True)
        sheet.space(6)
    sheet.text(slip.desk)
    _applicant(sheet, slip.applicant, SUBMITTED_BY if slip.acknowledgement else RECEIVED_FROM, say)
    sheet.text(say(_("Request: ${procedure}", mapping={"procedure": slip.procedure})))
    sheet.text("1. " + say(_("Papers handed in:")))
    _papers(sheet, slip.papers, say)
    count = say(_("Number of dossiers: ${count} set(s)", mapping={"count": f"{slip.dossier_count:02d}"}))
    for number, line in enumerate([item for item in [count, *_receipt_times(slip, say), _result_channel(slip, say)]
                                   if item], 2):
        sheet.text(f"{number}. {line}")
    if not slip.acknowledgement and slip.ledger_number is not None:
        sheet.text(say(_("Entered in the dossier ledger, book no.: ${book}, entry no.: ${number}",
                         mapping={"book": slip.ledger_book or "", "number": slip.ledger_number})))
    sheet.space(6)
    _lookup(sheet, slip, say)
    if not slip.acknowledgement:
        sheet.signatures(Signature(say(_("DOSSIER SUBMITTER")), say(SIGN_NOTE)),
                         Signature(say(_("DOSSIER RECEIVER")), say(SIGN_NOTE), slip.officer))
    return sheet.pdf_bytes()


# -- Form 02 -----------------------------------------------------------------

def supplement_request_pdf(slip, translate):
    """Form 02, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" (Mẫu 02, Circular
    01/2018/TT-VPCP), of a ``slips.SupplementSlip``, as PDF bytes: what to
    add or correct, each with its reason, and whom to ask."""
    say = translate
    sheet = Sheet(say(_("Supplement request ${code}", mapping={"code": slip.code})))
    letterhead(sheet, slip.issuer, slip.code, slip.issued_at, say)
    sheet.title(say(_("REQUEST TO SUPPLEMENT AND COMPLETE THE DOSSIER")),
                say(_("Dossier code: ${code}", mapping={"code": slip.code})))
    # before an officer received it (Decree 61/2018, Art. 15(2)(b)) the dossier was only submitted
    lead = SUPPLEMENT_RECEIVED if slip.received else SUPPLEMENT_NOT_RECEIVED
    _applicant(sheet, slip.applicant, lead, say, when=written_instant(slip.received_at, say), desk=slip.desk)
    sheet.text(say(_("Request: ${procedure}", mapping={"procedure": slip.procedure})))
    sheet.text(say(_("Having examined it against the rules in force, we ask you to supplement and complete "
                     "the dossier as follows:")))
    sheet.table([Column(say(_("No.")), 0.6, "center"), Column(say(_("What to supplement or correct")), 4),
                 Column(say(_("Reason")), 3.4)],
                [(str(n), c.what, c.reason) for n, c in enumerate(slip.corrections, 1)])
    if slip.guidance:
        sheet.text(say(_("Other guidance: ${guidance}", mapping={"guidance": slip.guidance})))
    mapping = {"officer": slip.officer or slip.desk, "phone": slip.officer_phone}
    if slip.officer_phone:
        sheet.text(say(_("If anything is unclear while you complete the dossier, contact ${officer}, "
                         "phone ${phone}, for guidance.", mapping=mapping)))
    elif slip.officer:
        sheet.text(say(_("If anything is unclear while you complete the dossier, contact ${officer} for guidance.",
                         mapping=mapping)))
    sheet.signatures(None, Signature(say(_("GUIDING OFFICER")), say(SIGN_NOTE), slip.officer))
    return sheet.pdf_bytes()


# -- Form 03 -----------------------------------------------------------------

def refusal_pdf(slip, translate):
    """Form 03, "Phiếu từ chối tiếp nhận giải quyết hồ sơ" (Mẫu 03, Circular
    01/2018/TT-VPCP), of a ``slips.RefusalSlip``, as PDF bytes."""
    say = translate
    sheet = Sheet(say(_("Refusal ${code}", mapping={"code": slip.code})))
    letterhead(sheet, slip.issuer, slip.code, slip.issued_at, say)
    sheet.title(say(_("REFUSAL TO RECEIVE AND PROCESS THE DOSSIER")),
                say(_("Dossier code: ${code}", mapping={"code": slip.code})))
    sheet.text(slip.desk)
    _applicant(sheet, slip.applicant, RECEIVED_FROM, say)
    sheet.text(say(_("Request: ${procedure}", mapping={"procedure": slip.procedure})))
    if slip.received_at is not None:
        sheet.text(say(_("Received at: ${when}", mapping={"when": written_instant(slip.received_at, say)})))
    sheet.text(say(_("Having examined it against the rules in force, the one-stop desk refuses to receive and "
                     "process this dossier for the following reason:")))
    sheet.text(slip.reason, indent=12)
    sheet.text(say(_("We inform you of this for your information and action.")))
    sheet.signatures(None, Signature(say(_("DOSSIER RECEIVER")), say(SIGN_NOTE), slip.officer))
    return sheet.pdf_bytes()


# -- Form 04 -----------------------------------------------------------------

def apology_pdf(slip, translate):
    """Form 04, "Phiếu xin lỗi và hẹn lại ngày trả kết quả" (Mẫu 04,
    Circular 01/2018/TT-VPCP), of a ``slips.ApologySlip``, as PDF bytes:
    the agency apologises to the applicant for the late result and gives
    the new appointment, signed by its leader."""
    say, agency = translate, slip.issuer.agency
    sheet = Sheet(say(_("Apology ${code}", mapping={"code": slip.code})))
    letterhead(sheet, slip.issuer, slip.code, slip.issued_at, say)
    sheet.title(say(_("APOLOGY AND NEW DATE FOR THE RESULT")))
    sheet.text(say(_("To: ${name}", mapping={"name": slip.applicant.name})), bold=True, align="center")
    sheet.space(6)
    mapping = {"agency": agency, "procedure": slip.procedure, "code": slip.code,
               "received": written_instant(slip.received_at, say), "due": written_instant(slip.due_at, say),
               "new": written_instant(slip.new_due_at, say), "reason": slip.reason}
    for line in (_("On ${received}, ${agency} received your dossier requesting: ${procedure}. Dossier code: ${code}."),
                 _("The result was due at: ${due}."),
                 _("However, ${agency} has not yet returned the result of your dossier. Reason: ${reason}"),
                 _("This delay has caused you trouble and travel costs. ${agency} apologises to you and will return "
                   "the result of your dossier at: ${new}."),
                 _("Thank you sincerely!")):
        sheet.text(say(_(line, mapping=mapping)))
        sheet.space(3)
    sheet.signatures(None, Signature(slip.signer.title.upper(), say(_("(Sign, write full name and seal)")),
                                     slip.signer.name))
    return sheet.pdf_bytes()


# -- Form 05 -----------------------------------------------------------------

def _hand_over_row(number, line, say):
    """A row of Form 05: giver and receiver, each a unit and a person; a
    unit left "" (the applicant, at reception and at the return of the
    result) has no line, a person left "" a blank to fill in by hand."""
    parties = [say(_("Handed over by: ${unit}", mapping={"unit": line.from_unit})) if line.from_unit else "",
               say(_("Officer handing over: ${name}", mapping={"name": line.from_person})),
               say(_("Received by: ${unit}", mapping={"unit": line.to_unit})) if line.to_unit else "",
               say(_("Officer receiving: ${name}", mapping={"name": line.to_person}))]
    text = f"{number}. " + "\n".join(part for part in parties if part)
    return text, written_instant(line.at, say), outcome_word(line.outcome, say), line.note


def process_control_pdf(slip, translate):
    """Form 05, "Phiếu kiểm soát quá trình giải quyết hồ sơ" (Mẫu 05,
    Circular 01/2018/TT-VPCP), of a ``slips.ProcessControlSlip``, as PDF
    bytes: each hand-over with its time and its mark (before the deadline,
    on time, late)."""
    say = translate
    sheet = Sheet(say(_("Process control ${code}", mapping={"code": slip.code})))
    letterhead(sheet, slip.issuer, slip.code, slip.issued_at, say)
    sheet.title(say(_("PROCESS CONTROL SHEET OF THE DOSSIER")),
                say(_("Dossier code: ${code}", mapping={"code": slip.code})),
                say(_("(Attached to the receipt of dossier and appointment for the result no.: ${code})",
                      mapping={"code": slip.code})))
    _applicant(sheet, slip.applicant, APPLICANT, say)
    sheet.text(say(_("Request: ${procedure}", mapping={"procedure": slip.procedure})))
    if slip.handling_agency:
        sheet.text(say(_("Agency handling the dossier: ${agency}", mapping={"agency": slip.handling_agency})))
    if slip.cooperating_agencies:
        sheet.text(say(_("Cooperating agencies: ${agencies}",
                         mapping={"agencies": "; ".join(slip.cooperating_agencies)})))
    sheet.text(say(_("Received at: ${when}", mapping={"when": written_instant(slip.received_at, say)})))
    sheet.text(say(_("Result due at: ${when}", mapping={"when": written_instant(slip.appointment_at, say)})))
    sheet.space(4)
    sheet.table([Column(say(_("Agency / department")), 4.2), Column(say(_("Time of hand-over")), 2.4),
                 Column(say(_("Result of processing (before the deadline / on time / late)")), 2.2, "center"),
                 Column(say(_("Notes")), 1.6)],
                [_hand_over_row(n, line, say) for n, line in enumerate(slip.hand_overs, 1)])
    return sheet.pdf_bytes()

