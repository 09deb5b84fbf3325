"""Demo dossiers for ``make run`` (development only): a month of a ward's
and the city's desks, through the real actions, so every queue of the
desk, every slip and the citizen's "Hồ sơ của tôi" have something to show
(a returned dossier of the demo citizen waits for its rating).

Each story is a procedure, an applicant, when it was submitted (working
days ago) and the actions taken after, each a few working hours later.
"""
import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from ..accounts.services import account_named
from ..catalog.interfaces import ICatalogService
from ..documents.letterhead import Sheet
from ..eservices import services
from ..eservices.flow import file_row
from ..eservices.models import Dossier
from ..eservices.storage import file_store
from . import actions

WARD, CITY = "H56.01.P08", "H56.01"
#: (username, agency) of the demo staff (scripts/user.py DEMO_ACCOUNTS)
OFFICERS = {WARD: "officer.pdp", CITY: "officer"}
LEADERS = {WARD: "leader.pdp", CITY: "leader"}
PEOPLE = [
    ("Nguyễn Văn An", "019085001234", "0912000001"), ("Trần Thị Bích", "019190002345", "0912000002"),
    ("Lê Văn Cường", "019075003456", "0912000003"), ("Phạm Thị Dung", "019188004567", "0912000004"),
    ("Hoàng Văn Em", "019062005678", "0912000005"), ("Vũ Thị Hoa", "019195006789", "0912000006"),
    ("Đặng Văn Giang", "019080007890", "0912000007"), ("Bùi Thị Hạnh", "019192008901", "0912000008"),
    ("Đỗ Văn Khánh", "019070009012", "0912000009"), ("Ngô Thị Lan", "019186000123", "0912000010"),
]
#: (procedure, agency, channel, working days ago, applicant index or "citizen", steps)
STORIES = [
    ("1.004873", WARD, "online", 0, "citizen", []),
    ("1.001193", WARD, "online", 0, 1, []),
    ("1.004873", WARD, "online", 1, 2, []),
    ("1.004873", WARD, "online", 1, "citizen", ["receive", "hand_over"]),
    ("1.001193", WARD, "in_person", 2, 3, ["receive", "hand_over"]),
    ("1.004873", WARD, "online", 3, 4, ["receive", "request_supplement"]),
    ("1.004873", WARD, "online", 6, 5, ["receive", "hand_over"]),  # overdue
    ("1.004873", WARD, "online", 3, 6, ["receive"]),  # due soon
    ("1.001193", WARD, "online", 5, "citizen", ["receive", "hand_over", "processed"]),
    ("1.004873", WARD, "in_person", 8, 7, ["receive", "hand_over", "processed", "return_result"]),
    ("1.004873", WARD, "online", 12, 8, ["receive", "hand_over", "apology", "processed", "return_result"]),
    ("1.004873", WARD, "online", 4, 9, ["refuse"]),
    ("1.004873", WARD, "online", 2, 0, ["receive", "transfer"]),
    ("1.004873", WARD, "online", 2, "citizen", ["receive", "request_payment"]),
    ("1.004873", WARD, "online", 0, "citizen", ["await_payment"]),  # level 4: paid online before reception
    # returned and not rated: the demo citizen can rate the service (eservices.ratings)
    ("1.001193", WARD, "online", 7, "citizen", ["receive", "hand_over", "processed", "return_result"]),
]


def _pdf(title):
    """A one-page PDF standing for a result document."""
    sheet = Sheet(title)
    sheet.title(title)
    sheet.text("Bản điện tử dùng để trình diễn.")
    return sheet.pdf_bytes()


def _back(calendar, now, days):
    """The working moment ``days`` working days before ``now`` (9:00)."""
    day = now.astimezone(timezone(timedelta(hours=7))).date()
    while days > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc)  # 09:00 local


def _applicant(index, citizen):
    if index == "citizen" and citizen is not None:
        return citizen, {"full_name": citizen.full_name, "id_number": "019085001111", "phone": "0912345678",
                         "email": citizen.email or "", "address": "Số 5, tổ 1, phường Phan Đình Phùng"}
    name, number, phone = PEOPLE[index if isinstance(index, int) else 0]
    return None, {"full_name": name, "id_number": number, "phone": phone, "email": "",
                  "address": "Tổ 7, phường Phan Đình Phùng"}


def _step(request, dossier, step, moment):
    """Take ``step`` on ``dossier`` at ``moment`` as the demo staff would."""
    db = request.dbsession
    agency = dossier.handling_agency_code
    staff = account_named(db, LEADERS[agency] if step in ("apology", "transfer") else OFFICERS[agency])
    actor = actions.Actor(user=staff, agency_code=agency, calendar=request.working_calendar, now=moment)
    if step == "receive":
        return actions.receive(db, dossier, actor)
    if step == "hand_over":
        return actions.hand_over(db, dossier, actor, "Công chức Tư pháp - Hộ tịch", 1, "working_day")
    if step == "request_supplement":
        return actions.request_supplement(db, dossier, actor, [
            {"paper": "Tờ khai", "reason": "Thiếu chữ ký của người yêu cầu"}], "Mang theo bản chính để đối chiếu")
    if step == "apology":
        return actions.apology(db, dossier, actor, dossier.appointment_at + timedelta(days=3),
                               "Cần xác minh thêm thông tin tại nơi cư trú trước đây")
    if step == "transfer":
        return actions.transfer(db, dossier, actor, CITY, "Cần xác nhận của Phòng Tư pháp thành phố")
    if step == "request_payment":
        return actions.request_payment(db, dossier, actor, 30000, "Lệ phí cấp bản sao trích lục")
    if step == "await_payment":
        return _await_payment(request, dossier, moment)
    if step == "refuse":
        return actions.refuse(db, dossier, actor, "Thủ tục không thuộc thẩm quyền giải quyết của phường")
    if step == "processed":
        pdf, key_id = _pdf("Kết quả giải quyết hồ sơ " + dossier.code), uuid.uuid4().hex
        store = file_store(request)
        key = store.key_for(dossier.id, key_id, ".pdf")
        row = file_row("result", None, {"id": key_id, "name": f"ket-qua-{dossier.code}.pdf", "type": ".pdf",
                                        "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}, key, moment)
        store.write_after_commit(request.tm.get(), key, pdf)
        return actions.processed(db, dossier, actor, [row])
    if step == "return_result":
        return actions.return_result(db, dossier, actor, "counter", receiver=dossier.applicant_name, at=moment)
    raise ValueError(step)


def _await_payment(request, dossier, moment):
    """The fees of an online dossier of a level-4 procedure, as the
    submission asks them (payments.fees): the dossier waits for them."""
    from ..payments import fees, services as payments

    due = fees.quote(dossier.procedure_snapshot, {}, [], result_channel="counter", postal_fee=0).as_json()
    dossier.data = dict(dossier.data or {}, fees=due)
    _order, event = payments.ask(request.dbsession, dossier, lines=due["lines"], amount=due["total"], purpose=None,
                                 agency_code=dossier.handling_agency_code, actor="citizen", now=moment)
    return event


def make(request, now=None):
    """The demo dossiers, once: none when the database holds dossiers
    already. Returns how many were made."""
    db = request.dbsession
    if db.scalar(select(func.count(Dossier.id))):
        return 0
    now = now or datetime.now(timezone.utc)
    catalog, calendar = request.find_service(ICatalogService), request.working_calendar
    citizen = account_named(db, "citizen")
    made = 0
    for code, agency, channel, days_ago, who, steps in STORIES:
        procedure = catalog.procedure(code)
        if procedure is None:
            continue
        moment = _back(calendar, now, days_ago)
        account, applicant = _applicant(who, citizen)
        dossier, secret = services.create_dossier(db, procedure, agency, account, {"applicant": applicant},
                                                  calendar, channel, request.registry.settings["congdichvu.secret"],
                                                  now=moment)
        for step in steps:
            moment = min(calendar.add_working_minutes(moment, 150), now)
            event = _step(request, dossier, step, moment)
            actions.after_action(request, dossier, event, secret=secret if channel != "online" else "")
        made += 1
    return made
