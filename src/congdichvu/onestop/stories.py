"""One synthetic dossier's story (onestop.generate makes many): what
arrives at a desk, and what the desk, the applicant and the payments then
do to it, each step through the code real dossiers go through, at its
own moment, as far as the period's end.

The shares aimed at are ``Mix``'s. Names, card numbers and addresses are
made up; the notes officers type are a few plausible sentences.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from ..eservices import ratings, services
from ..i18n.formatting import TIMEZONE, to_local
from ..payments import confirm, fees, receipts, services as payments, vnpay
from ..payments.interfaces import Report
from ..payments.models import PAID
from . import actions

WORKING_DAY_MINUTES = 8 * 60


@dataclass(frozen=True)
class Mix:
    """What the generator aims at, as probabilities (0–1).

    ``city``: the dossiers received by the city's own desk (Q1/2018: 3,636
    of 154,961); the rest go to its wards and communes, some busier than
    others. ``online`` and ``postal``: how dossiers arrive (the rest at the
    counter). Before reception (online only): ``withdrawn``, ``refused_new``,
    ``supplement_new``; of level-4 dossiers whose fees are paid first,
    ``unpaid`` are withdrawn instead. After reception: ``refused``,
    ``stopped``, ``supplement`` (of which ``never_supplemented`` are
    stopped weeks later), ``transfer`` (ward dossiers, to the city and
    back), ``fees_at_processing`` (of dossiers with fees not paid online
    first; ``fees_paid_online`` of those online, the rest at the desk).
    How processing ends: ``early`` (a day before the appointment or more),
    ``late``, ``apology`` (late, with Form 04 and a new date), ``stuck``
    (weeks late), on time otherwise. ``digitised``: the share of dossiers
    whose papers were all scanned, per channel. ``rated``: returned
    dossiers whose applicant rated the service from their account (those
    without one cannot: eservices.ratings), in ``ratings`` shares."""

    city: float = 0.024
    online: float = 0.30
    postal: float = 0.03
    withdrawn: float = 0.015
    refused_new: float = 0.008
    supplement_new: float = 0.02
    unpaid: float = 0.06
    refused: float = 0.006
    stopped: float = 0.004
    supplement: float = 0.05
    never_supplemented: float = 0.12
    transfer: float = 0.025
    fees_at_processing: float = 0.05
    fees_paid_online: float = 0.3
    early: float = 0.45
    late: float = 0.032
    apology: float = 0.015
    stuck: float = 0.004
    digitised: tuple = (("online", 1.0), ("in_person", 0.45), ("postal", 0.2))
    #: how the result leaves, per channel: (counter, postal, online)
    results: tuple = (("online", (0.4, 0.15, 0.45)), ("in_person", (0.9, 0.1, 0.0)), ("postal", (0.15, 0.85, 0.0)))
    rated: float = 0.6
    ratings: tuple = (("very_satisfied", 0.4), ("satisfied", 0.55), ("dissatisfied", 0.05))

    def finishing(self):
        """(kinds, weights) of how processing ends."""
        others = self.early + self.late + self.apology + self.stuck
        return ("early", "late", "apology", "stuck", "on_time"), (
            self.early, self.late, self.apology, self.stuck, max(0.0, 1 - others))



# -- the people and the words of the stories ------------------------------------

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
            "Lý", "Đinh", "Lương", "Ma", "Hà", "Nông", "La")
MIDDLES = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Hữu", "Quang", "Thu", "Hồng", "Xuân", "Kim", "Bảo")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo",
         "Thắng", "Trang", "Tuấn", "Vân", "Việt", "Yến")
BUSINESSES = ("Thương mại", "Xây dựng", "Dịch vụ", "Vận tải", "Nông sản", "Chè", "Cơ khí", "Du lịch")
#: sectors whose applicants are mostly businesses
BUSINESS_SECTORS = frozenset({"DKDN", "LTHH", "VH", "TTDT", "XD", "MT"})
#: who works on a ward's dossier of a sector (the commune's civil servants)
WARD_DEPARTMENTS = {
    "HT": "Công chức Tư pháp - Hộ tịch", "CT": "Công chức Tư pháp - Hộ tịch",
    "NCN": "Công chức Tư pháp - Hộ tịch", "TP": "Công chức Tư pháp - Hộ tịch",
    "DD": "Công chức Địa chính - Xây dựng", "MT": "Công chức Địa chính - Xây dựng",
    "XD": "Công chức Địa chính - Xây dựng", "BTXH": "Công chức Văn hóa - Xã hội",
    "NCC": "Công chức Văn hóa - Xã hội", "GDDT": "Công chức Văn hóa - Xã hội",
}
OFFICE = "Công chức Văn phòng - Thống kê"
CITY_OFFICE = "Văn phòng HĐND và UBND thành phố"
REASONS = {
    "refuse_new": "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận",
    "refuse": "Hồ sơ không đủ điều kiện giải quyết theo quy định",
    "stop": "Người yêu cầu đề nghị dừng giải quyết hồ sơ",
    "expired": "Quá thời hạn bổ sung hồ sơ mà người yêu cầu không bổ sung",
    "withdraw": "Tôi nộp nhầm thủ tục",
    "unpaid": "Tôi sẽ nộp trực tiếp tại bộ phận một cửa",
    "supplement": "Bản sao chưa được chứng thực",
    "supplement_note": "Mang theo bản chính để đối chiếu",
    "supplemented": "Đã nộp bổ sung bản sao có chứng thực",
    "transfer": "Cần ý kiến của phòng chuyên môn thuộc UBND thành phố",
    "transfer_back": "Đã có ý kiến của phòng chuyên môn",
    "apology": "Cần xác minh thêm thông tin tại nơi cư trú trước đây của người yêu cầu",
    "fees": "Lệ phí giải quyết hồ sơ",
}
BANKS = ("NCB", "VIETCOMBANK", "VIETINBANK", "BIDV", "AGRIBANK", "TECHCOMBANK", "MBBANK")


def person(rng):
    """A made-up person's answers (name, birth date, card number, phone)."""
    middle = rng.choice(MIDDLES)
    name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    century = (0 if born.year < 2000 else 2) + (1 if middle == "Thị" else 0)
    card = f"019{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    return {"kind": "person", "full_name": name, "birth_date": born.isoformat(), "id_number": card,
            "phone": f"09{rng.randrange(10**8):08d}", "email": "", "organisation_name": "", "tax_code": "",
            "representative": ""}


def organisation(rng):
    """A made-up business's answers, its representative's among them."""
    answers = person(rng)
    answers.update(kind="organisation", representative=answers["full_name"], tax_code=f"46{rng.randrange(10**8):08d}",
                   organisation_name=f"Công ty TNHH {rng.choice(BUSINESSES)} {rng.choice(GIVEN)} "
                                     f"{rng.choice(('Thái Nguyên', 'Việt Bắc', 'Sông Cầu', 'Hoàng Gia'))}")
    return answers


class Story:
    """One dossier's life, told as far as the period's end: every step is
    the desk's, the applicant's or the payments' own code at its moment."""

    def __init__(self, run, rng, dossier, desk, citizen=None):
        self.run, self.rng, self.dossier, self.desk, self.citizen = run, rng, dossier, desk, citizen
        self.over = False

    def reaches(self, moment):
        """Whether ``moment`` is within the period; the story ends otherwise."""
        self.over = self.over or moment > self.run.end
        return not self.over

    def act(self, moment, action, *args, leader=False, **kwargs):
        """``action`` (a function of onestop.actions) taken at ``moment``
        by the handling desk's officer (or leader). Returns its event, or
        None when the period ended first or the desk refused it."""
        if not self.reaches(moment):
            return None
        agency = self.dossier.handling_agency_code
        actor = actions.Actor(self.run.staff(agency, leader), agency, self.run.calendar, moment)
        try:
            return action(self.run.db, self.dossier, actor, *args, **kwargs)
        except actions.Refused as refusal:
            self.run.refuse(self.dossier.code, action.__name__, refusal.message)
            self.over = True
            return None

    # -- before reception

    def tell(self, submitted):
        """The whole story from ``submitted``."""
        moment = submitted if self.dossier.channel != "online" else self.before_reception(submitted)
        if moment is None or self.over:
            return
        if self.act(moment, actions.receive) is not None:
            self.process(moment)

    def before_reception(self, submitted):
        """An online dossier until an officer receives it: the fees of a
        level-4 procedure paid first, a withdrawal, a refusal or papers
        asked for. Returns when it is received, or None."""
        moment = self.pay_first(submitted)
        if moment is None:
            return None
        roll, mix = self.rng.random(), self.run.mix
        if roll < mix.withdrawn:
            return self.withdraw(moment + timedelta(minutes=self.rng.randint(5, 600)), REASONS["withdraw"])
        review = self.run.later(self.rng, moment, 5, WORKING_DAY_MINUTES)
        if roll < mix.withdrawn + mix.refused_new:
            self.act(review, actions.refuse, REASONS["refuse_new"])
            return None
        if roll < mix.withdrawn + mix.refused_new + mix.supplement_new:
            review = self.supplement(review)
            review = review and self.run.later(self.rng, review, 5, 240)
        return review

    def pay_first(self, submitted):
        """Level 4: the fees due online are asked at submission (state 6)
        and paid through the gateway, or never and the dossier is
        withdrawn. Returns when paid (``submitted`` when nothing is due), or None."""
        due = (self.dossier.data or {}).get("fees") or {}
        snapshot = self.dossier.procedure_snapshot
        if snapshot.get("online_level") != 4 or not due.get("total"):
            return submitted
        applicant = self.run.users[self.citizen]  # sent online: from an account
        order, _event = payments.ask(
            self.run.db, self.dossier, lines=due["lines"], amount=due["total"], purpose=None,
            agency_code=self.dossier.handling_agency_code, actor=applicant.username, now=submitted,
            event={"actor_id": applicant.id})
        if self.rng.random() < self.run.mix.unpaid:
            return self.withdraw(submitted + timedelta(hours=self.rng.randint(20, 120)), REASONS["unpaid"])
        return self.pay_online(order, submitted + timedelta(minutes=self.rng.randint(1, 90)))

    def pay_online(self, order, moment):
        """``order`` paid through the gateway at ``moment``: an attempt, the
        gateway's report (its IPN) settled, the receipt numbered, the
        dossier back where it was. Returns the moment, or None."""
        if not self.reaches(moment):
            return None
        db, paid = self.run.db, moment  # the gateway's IPN comes within seconds
        attempt = payments.start_attempt(db, order, self.run.gateway, now=moment)
        report = Report(txn_ref=attempt.txn_ref, amount=order.amount, outcome=PAID, response_code=vnpay.SUCCESS,
                        transaction_status=vnpay.STATUS_SUCCESS, transaction_number=str(self.rng.randrange(10**7, 10**8)),
                        bank_code=self.rng.choice(BANKS), paid_at=paid)
        settled = payments.settle(db, report, "ipn", paid)
        receipts.number_order(db, self.run.settings, order, paid)
        confirm.resume(db, settled.attempt, paid)
        return paid

    def withdraw(self, moment, reason):
        """The applicant takes the dossier back (eservices.services.withdraw)."""
        if self.reaches(moment):
            services.withdraw(self.run.db, self.dossier, self.run.users[self.citizen], reason, now=moment)
        return None

    # -- papers asked for

    def supplement(self, moment):
        """Papers asked for at ``moment`` (Form 02; the clock stops) and
        added some working days later — online by an applicant with an
        account, else at the desk — or never, and the dossier is stopped
        weeks later. Returns when they were added, or None."""
        papers = [p["name"] for p in self.dossier.procedure_snapshot.get("papers") or () if p.get("required")]
        missing = [{"paper": self.rng.choice(papers) if papers else "Tờ khai", "reason": REASONS["supplement"]}]
        if self.act(moment, actions.request_supplement, missing, REASONS["supplement_note"]) is None:
            return None
        if self.dossier.received and self.rng.random() < self.run.mix.never_supplemented:
            self.act(self.run.later(self.rng, moment, 15 * WORKING_DAY_MINUTES, 25 * WORKING_DAY_MINUTES),
                     actions.stop, REASONS["expired"])
            return None
        back = self.run.later(self.rng, moment, 60, 8 * WORKING_DAY_MINUTES)
        if not self.reaches(back):
            return None
        if self.citizen is not None and self.rng.random() < 0.6:
            services.supplement(self.run.db, self.dossier, self.run.users[self.citizen], ["ban-sao-chung-thuc.pdf"],
                                self.run.calendar, now=back)
        elif self.act(back, actions.supplement_at_desk, REASONS["supplemented"]) is None:
            return None
        return back

    # -- processing

    def process(self, received):
        """From reception to the result: handed to a department, then
        refused, stopped, or worked on (papers, a transfer, fees, an
        apology) until processed, and the result returned."""
        rng, mix = self.rng, self.run.mix
        moment = self.run.later(rng, received, 5, 90)
        worker = self.run.world.departments[(self.dossier.procedure_code, self.desk.code)]
        if self.act(moment, actions.hand_over, worker) is None:
            return
        roll = rng.random()
        if roll < mix.refused:
            self.act(self.run.later(rng, moment, 10, 240), actions.refuse, REASONS["refuse"])
            return
        if roll < mix.refused + mix.stopped:
            self.act(self.run.between(rng, moment, self.dossier.due_at), actions.stop, REASONS["stop"])
            return
        if rng.random() < mix.supplement and not self.asked_for_papers():
            moment = self.supplement(self.run.later(rng, moment, 10, WORKING_DAY_MINUTES))
            if moment is None:
                return
        self.finish(moment)

    def asked_for_papers(self):
        """Whether papers were asked for already (once per dossier, actions.request_supplement)."""
        return any(event.action == "request_supplement" for event in self.dossier.events)

    def finish(self, moment):
        """The steps until processed at the moment its kind gives (early,
        on time, late…; an apology first for one to be late), spread
        between ``moment`` and then, and the return."""
        kind, done = self.finishing(moment)
        if kind == "apology" and (moment := self.apologise(moment, done)) is None:
            return
        steps, span = self.steps(), max(0, self.run.calendar.working_minutes(moment, done))
        offsets = sorted(self.rng.randint(0, span) for _ in range(sum(count for count, _step in steps)))
        moments = iter([self.run.calendar.add_working_minutes(moment, offset) for offset in offsets])
        for count, step in steps:
            if not step(*islice(moments, count)) or self.over:
                return
        row = self.run.results.row(self.rng, self.dossier, done)
        if self.act(done, actions.processed, [row]) is not None:
            self.give_back(done)

    def finishing(self, start):
        """(kind, moment) of the end of processing, from ``start``."""
        calendar, due, rng = self.run.calendar, self.dossier.due_at, self.rng
        kinds, weights = self.run.mix.finishing()
        kind = rng.choices(kinds, weights)[0]
        earliest = calendar.add_working_minutes(start, 10)
        due_day = to_local(due).date()
        if kind == "early":
            day_before = due_day - timedelta(days=1)
            while not calendar.is_working_day(day_before):
                day_before -= timedelta(days=1)
            if earliest < calendar.closing(day_before):
                return kind, self.run.between(rng, earliest, calendar.closing(day_before))
            kind = "on_time"
        if kind == "on_time":
            opening = max(earliest, datetime.combine(due_day, calendar.sessions[0][0], tzinfo=TIMEZONE))
            if opening <= due:
                return kind, self.run.between(rng, opening, due)
            kind = "late"
        least, most = {"late": (30, 3 * WORKING_DAY_MINUTES), "apology": (60, 3 * WORKING_DAY_MINUTES),
                       "stuck": (10 * WORKING_DAY_MINUTES, 40 * WORKING_DAY_MINUTES)}[kind]
        return kind, self.run.later(rng, max(due, earliest), least, most)

    def steps(self):
        """[(moments it takes, step)] between hand-over and processing: a
        transfer to the city and back, fees asked for; each step returns
        whether the story goes on."""
        rng, mix, steps = self.rng, self.run.mix, []
        city = self.desk.city
        if city in self.run.desks and city != self.dossier.handling_agency_code and rng.random() < mix.transfer:
            steps.append((4, lambda *moments: self.transfer(city, *moments)))
        due = (self.dossier.data or {}).get("fees") or {}
        if due.get("total") and not self.dossier.fee_due and rng.random() < mix.fees_at_processing:
            steps.append((2, lambda asked, paid: self.fees(due["total"], asked, paid)))
        return steps

    def apologise(self, start, done):
        """Before the appointment (or at once, when past it) the officer
        proposes an apology and a new date after ``done``; a leader signs it
        (Form 04): the appointment moves, the legal deadline stays.
        Returns when it was signed, or None."""
        rng, last = self.rng, min(self.dossier.due_at, done)
        asked = self.run.between(rng, start, last)
        signed = self.run.between(rng, asked, last)
        later = self.run.later(rng, max(done, self.dossier.appointment_at), 60, 3 * WORKING_DAY_MINUTES)
        if self.act(asked, actions.request_sign_off, "apology", REASONS["apology"], new_appointment=later) is None:
            return None
        self.run.db.flush()  # the leader's apology names the request it answers by its id
        return signed if self.act(signed, actions.apology, later, REASONS["apology"], leader=True) else None

    def transfer(self, city, asked, sent, handed, back):
        """To the city and back (liên thông): proposed by the ward's
        officer, signed by its leader, handed over there, sent back."""
        if self.act(asked, actions.request_sign_off, "transfer", REASONS["transfer"], to_agency=city) is None:
            return False
        self.run.db.flush()  # the transfer names the request it answers by its id
        if self.act(sent, actions.transfer, city, REASONS["transfer"], leader=True) is None:
            return False
        if self.act(handed, actions.hand_over, CITY_OFFICE) is None:
            return False
        return self.act(back, actions.transfer_back, REASONS["transfer_back"]) is not None

    def fees(self, amount, asked, paid):
        """Fees asked while processing (state 6), paid at the desk or online."""
        if self.act(asked, actions.request_payment, amount, REASONS["fees"]) is None:
            return False
        if self.citizen is not None and self.rng.random() < self.run.mix.fees_paid_online:
            return self.pay_online(payments.due_order(self.run.db, self.dossier), paid) is not None
        return self.paid_at_desk(paid)

    def paid_at_desk(self, moment):
        """The officer takes the money (as actions.paid, its receipt
        numbered but not drawn)."""
        if not self.reaches(moment):
            return False
        officer = self.run.staff(self.dossier.handling_agency_code)
        attempt = confirm.settle_at_counter(self.run.db, self.dossier, moment)
        receipts.number_order(self.run.db, self.run.settings, attempt.order, moment)
        return confirm.resume(self.run.db, attempt, moment, officer.username, staff=officer)[1] is not None

    # -- the result

    def give_back(self, done):
        """The result leaves the office the way the applicant chose, and
        most applicants then rate the service."""
        way, rng = self.dossier.result_channel, self.rng
        if way == "online" and self.dossier.applicant_id is None:
            way = "counter"
        if way == "online":
            moment = done + timedelta(minutes=rng.randint(1, 30))
            event = self.act(moment, actions.return_result, "online")
        elif way == "postal":
            moment = self.run.later(rng, done, 30, WORKING_DAY_MINUTES)
            event = self.act(moment, actions.return_result, "postal", tracking=f"EB{rng.randrange(10**9):09d}VN",
                             posted_on=to_local(moment).date())
        else:
            longest = 15 if rng.random() < 0.03 else 3
            moment = self.run.later(rng, done, 10, longest * WORKING_DAY_MINUTES)
            event = self.act(moment, actions.return_result, "counter", receiver=self.dossier.applicant_name,
                             at=moment)
        if event is not None and rng.random() < self.run.mix.rated:
            self.rate(moment + timedelta(minutes=rng.randint(10, 3 * 24 * 60)))

    def rate(self, moment):
        """The applicant rates the service from their account
        (eservices.ratings.rate: a "rate" event, state 10 kept); one
        without an account, served at the counter, has nowhere to rate it."""
        if self.citizen is None or not self.reaches(moment):
            return
        levels, weights = zip(*self.run.mix.ratings)
        ratings.rate(self.run.db, self.dossier, self.run.users[self.citizen], self.rng.choices(levels, weights)[0],
                     None, now=moment)


# -- making a dossier ---------------------------------------------------------------


def answers(rng, run, desk, code, channel, citizen):
    """The dossier's ``data``: the applicant, the delivery of the result,
    the fees (payments.fees.quote, as the online flow keeps them), the mark."""
    snapshot = run.world.snapshots[code]
    if citizen is not None:
        applicant = dict(citizen[1])
    elif snapshot.get("sector") in BUSINESS_SECTORS and rng.random() < 0.6:
        applicant = organisation(rng)
    else:
        applicant = person(rng)
    ward = desk.place if desk.city else rng.choice(run.world.desks).place  # the city's applicants live in its wards
    applicant["address"] = f"Số {rng.randint(1, 300)}, tổ {rng.randint(1, 40)}"
    counter, postal, online = dict(run.mix.results)[channel]
    way = rng.choices(("counter", "postal", "online"), (counter, postal, online if citizen else 0))[0]
    fee_quote = fees.quote(snapshot, {}, [], result_channel=way, postal_fee=postal_fee(run.settings), channel=channel)
    return {"applicant": applicant, "fields": {}, "ward_name": ward, "fees": fee_quote.as_json(),
            "delivery": {"agency": desk.code, "delivery": way,
                         "postal_address": f"{applicant['address']}, {ward}" if way == "postal" else ""}}


def postal_fee(settings):
    return int(settings.get("congdichvu.postal_return_fee", 25000))


def submit(run, rng, arrival, seed):
    """The dossier of ``arrival`` (generate.Arrival: when, how, at which
    desk), entered by the counter's officer unless sent online, marked
    with ``seed``, not flushed yet. Returns its Story, to be told once it is."""
    desk = run.world.by_code[arrival.desk]
    code, channel = desk.procedure(rng, arrival.channel)
    citizen = rng.choice(run.world.citizens) if channel == "online" else None
    data = dict(answers(rng, run, desk, code, channel, citizen), generated=seed)
    account = run.users[citizen[0]] if citizen is not None else None
    columns = {"digitised": rng.random() < dict(run.mix.digitised)[channel]}
    if data["delivery"]["delivery"] == "postal":  # the charge the slips print
        columns["postal_fee"] = postal_fee(run.settings)
    dossier, _secret = services.create_dossier(
        run.db, run.procedures[code], desk.code, account, data, run.calendar, channel,
        run.settings["congdichvu.secret"], now=arrival.moment, snapshot=run.world.snapshots[code],
        entered_by=run.staff(desk.code) if channel != "online" else None, columns=columns,  # as onestop.intake
        flush=False)
    return Story(run, rng, dossier, desk, citizen[0] if citizen else None)
