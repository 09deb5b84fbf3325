"""The receipt handed out when a citizen submits a dossier online: Form 01
("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), drawn by
``documents.forms.receipt_pdf`` from what the submission knows.

Kept as the e-services' entry point; the form itself, its letterhead and
its wording live in ``congdichvu.documents``.
"""
from ..documents.forms import desk_name
from ..documents.forms import receipt_pdf as form_01
from ..documents.slips import Applicant, Issuer, Paper, ReceiptSlip


def receipt_pdf(dossier, agency_name, applicant_name, papers, result_place, secret=None, *, translate,
                place="", lookup_url=""):
    """The receipt of ``dossier`` as PDF bytes. ``papers`` are the names of
    the papers handed in; ``result_place`` is "counter", "postal" or
    "online"; ``secret`` (shown only once) is printed for lookups;
    ``translate`` turns the form's words into Vietnamese; ``place`` (the
    city of the date line) and ``lookup_url`` (the QR code) are optional.
    A dossier not yet received by an officer gets an acknowledgement of
    submission (Form 01 that says so)."""
    received = bool(dossier.received)
    slip = ReceiptSlip(
        issuer=Issuer(agency=agency_name, place=place),
        issued_at=dossier.received_at if received else dossier.submitted_at,
        code=dossier.code, desk=desk_name(agency_name, translate),
        applicant=Applicant(name=applicant_name), procedure=dossier.procedure_snapshot.get("name", ""),
        papers=tuple(Paper(name) for name in papers),
        received_at=dossier.received_at if received else None, submitted_at=dossier.submitted_at,
        appointment_at=dossier.appointment_at, result_channel=result_place, lookup_url=lookup_url,
        secret=secret or "")
    return form_01(slip, translate)
