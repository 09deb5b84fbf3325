"""Slips (phiếu) issued with a dossier's actions, stored with the dossier.

Each is a PDF of a standard form of Circular 01/2018/TT-VPCP, drawn by
``congdichvu.documents`` in Vietnamese whatever the page's language, kept
as a DossierFile (kind "slip", ``slip`` = the form's number) written to
the dossier store after commit, and linked from the event it goes with.
"""
import hashlib
import uuid

from ..eservices.flow import file_row
from ..eservices.storage import file_store

#: slips the applicant may download from "Hồ sơ của tôi" (Form 05 is the
#: office's own control sheet)
FOR_APPLICANT = frozenset({"01", "02", "03", "04"})
FILENAMES = {
    "01": "giay-tiep-nhan-{code}.pdf",
    "02": "phieu-yeu-cau-bo-sung-{code}.pdf",
    "03": "phieu-tu-choi-{code}.pdf",
    "04": "phieu-xin-loi-hen-lai-{code}.pdf",
    "05": "phieu-kiem-soat-{code}.pdf",
}


def store(request, dossier, event, form, pdf, now):
    """Keep ``pdf`` (bytes) as form ``form`` ("01"…"05") of ``dossier``,
    issued with ``event`` (which then names it). Returns the DossierFile."""
    record = {"id": uuid.uuid4().hex, "name": FILENAMES[form].format(code=dossier.code), "type": ".pdf",
              "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}
    files = file_store(request)
    key = files.key_for(dossier.id, record["id"], ".pdf")
    row = file_row("slip", None, record, key, now)
    row.slip = form
    dossier.files.append(row)
    request.dbsession.flush()
    if event is not None:
        event.slip_file_id = row.id
    files.write_after_commit(request.tm.get(), key, pdf)
    return row
