"""Synthetic dossiers for development and measurement (issue 12): a period
of a city's one-stop desks — the city's and its wards' and communes' — with
the histories real dossiers have, made through the code real ones go
through, so that every rule applies: codes and ledger lines from the
counters, the appointment and the legal deadline from the working calendar
and the procedure's time for the channel, the clock stopped while papers
are awaited, papers asked for once, an apology that leaves the dossier
late, a transfer and its way back (eservices.services.create_dossier,
onestop.actions, eservices.services.withdraw and supplement, payments).

The mix (``Mix``) follows the city's figures for Q1/2018: its own desk
received 3,636 dossiers, its wards and communes 151,325, and 95 % of those
resolved were on time. Dossiers arrive on working days in office hours
(online ones at any hour, a few on days off), spread over the period; an
officer enters those brought to the counter or sent by post and receives
them at once, and receives online ones within a working day — unless the
applicant withdrew it, its fees are awaited first (level 4), or the desk
asks for papers or refuses it. Then a department works on it: some wait
for papers (the clock stops), go to the city and come back, wait for fees
asked while processing, are refused or stopped; most are processed before
or on the appointment, some after it (a few with an apology and a new
date, a few stuck for weeks). The result is handed over at the counter,
posted, or downloaded, and most applicants with an account rate the service
(eservices.ratings: those served at the counter without one cannot). Nothing
happens after the period's end: what was under way then is still under
way (within its deadline or overdue, waiting for papers or fees).

Deterministic: the arrivals (when, how, at which desk) are drawn from
one ``random.Random`` seeded by the seed and each dossier's story from its
own, seeded by the seed and its place in the arrivals; each desk's
dossiers are made in order of arrival. So the same seed, period and count
on the same database make the same dossiers (codes, times, states,
events, ledger lines) whatever the batch size or the number of worker
processes; the lookup secrets and payment references, which the domain
draws from ``secrets``, differ, and so do the rows' ids with several
workers. Each generated dossier carries ``data["generated"] = seed``.

Speed: a batch's new dossiers are inserted together, then their stories
told: a conditional UPDATE a step, the code and ledger counters, the
events inserted together at the end (the session does not flush between
steps); each batch is one transaction, and the session is closed after
it, so memory stays flat. ``workers`` processes (PostgreSQL only) split the desks
between them, each desk's dossiers in one process.

Who acts: for every desk, its first active officer and leader (the demo
accounts, where ``congdichvu-user demo`` made them), else a generator
account ``gen.officer.<agency code>`` / ``gen.leader.<agency code>``,
made once, inactive and with a password nobody knows: nobody signs in as
it, and it does not make its agency a desk that transfers may go to
(``actions.desks``), so dossiers are transferred to the city only when a
real officer works there. Online dossiers belong to a pool of inactive
citizen accounts ``gen.citizen.NNN``.

What is left out: the slips (Forms 01–05) and e-receipts are not drawn
(a PDF takes 10 to 30 ms: more than the rest of a dossier) and nobody is
told (no outbox rows); receipts are numbered all the same. A result
document's file is one small PDF saying the dossier is synthetic, put in
place after commit as a hard link of one copy per 50,000 (each row keeps
its own ``storage_key``): downloads work and a million results take no
more room than their directory entries. With ``files=False`` the rows
point at no file and downloads answer 404, as for any missing file.
"""
import errno
import hashlib
import os
import random
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice
from typing import NamedTuple

import transaction
from sqlalchemy import select

from ..accounts import services as accounts
from ..accounts.models import User
from ..catalog import exchange
from ..catalog.services import catalog_for
from ..eservices.flow import file_row
from ..eservices.models import Dossier
from ..eservices.storage import FileStore
from ..i18n.formatting import TIMEZONE, to_local
from ..models import get_tm_session
from ..payments.interfaces import IPaymentGateway
from . import actions
from .stories import CITY_OFFICE, OFFICE, WARD_DEPARTMENTS, WORKING_DAY_MINUTES, Mix, person, submit

#: online dossiers are submitted on days off too, this much of a working day's
WEEKEND_SHARE = 0.05
#: the citizens' accounts online dossiers belong to
CITIZENS = 200
#: hard links of one file at most (ext4 allows 65,000)
LINKS_PER_FILE = 50_000


@dataclass(frozen=True)
class Plan:
    """What to make: ``count`` dossiers submitted from local day ``first``
    to ``last`` (dates, both included), drawn from ``seed`` (an int)."""

    count: int
    first: date
    last: date
    seed: int


# -- when dossiers arrive, and where ------------------------------------------------


def local_midnight(day):
    return datetime.combine(day, time(), tzinfo=TIMEZONE)


def office_windows(calendar, day, start, end):
    """The office sessions of ``day`` (a working day) clipped to [start, end): [(begin, finish)]."""
    windows = []
    for opening, closing in calendar.sessions:
        begin = max(start, datetime.combine(day, opening, tzinfo=TIMEZONE))
        finish = min(end, datetime.combine(day, closing, tzinfo=TIMEZONE))
        if finish > begin:
            windows.append((begin, finish))
    return windows


@dataclass(frozen=True)
class Day:
    """A local day of the period: its part within the period [start, end),
    whether it is worked and its office sessions within that part."""

    day: date
    start: datetime
    end: datetime
    working: bool
    office: tuple

    def weight(self):
        """Its share of the arrivals: a working day's office time (a whole
        one is 1), a day off's little online traffic."""
        if self.working:
            return sum((b - a).total_seconds() for a, b in self.office) / 60 / WORKING_DAY_MINUTES
        return WEEKEND_SHARE * (self.end - self.start).total_seconds() / 86400


def period(calendar, start, end):
    """The Days from ``start`` to ``end`` (aware), in order."""
    day, days = to_local(start).date(), []
    while local_midnight(day) < end:
        begin, finish = max(start, local_midnight(day)), min(end, local_midnight(day + timedelta(days=1)))
        working = calendar.is_working_day(day)
        office = tuple(office_windows(calendar, day, begin, finish)) if working else ()
        days.append(Day(day, begin, finish, working, office))
        day += timedelta(days=1)
    return days


def daily_counts(rng, days, count):
    """How many of ``count`` arrive on each of ``days``: in proportion to
    their weights with some day-to-day variation, summing to ``count``."""
    weights = [day.weight() * rng.uniform(0.8, 1.2) for day in days]
    total, counts, running, given = sum(weights), [], 0.0, 0
    for weight in weights:
        running += weight
        upto = round(count * running / total) if total else 0
        counts.append(upto - given)
        given = upto
    return counts


def moment_in(rng, windows):
    """A moment picked evenly within ``windows`` ([(begin, finish)])."""
    total = sum((b - a).total_seconds() for a, b in windows)
    offset = rng.uniform(0, total)
    for begin, finish in windows:
        length = (finish - begin).total_seconds()
        if offset < length:
            return begin + timedelta(seconds=int(offset))
        offset -= length
    return windows[-1][0]


class Arrival(NamedTuple):
    """A dossier arriving: its place among the period's (``index``), when
    (``moment``, aware), how (``channel``) and at which desk (a code)."""

    index: int
    moment: datetime
    channel: str
    desk: str


def arrival(rng, day, world, mix):
    """(moment, channel, desk) of one dossier arriving on ``day``: online
    ones mostly in office hours but at any hour, the others in office hours."""
    roll = rng.random()
    channel = "online" if not day.working or roll < mix.online else (
        "postal" if roll < mix.online + mix.postal else "in_person")
    desk = world.desk(rng).code
    if channel == "online" and (not day.office or rng.random() < 0.3):
        return moment_in(rng, [(day.start, day.end)]), channel, desk
    return moment_in(rng, list(day.office)), channel, desk


def arrivals(seed, calendar, start, end, count, world, mix):
    """The Arrivals of ``count`` dossiers between ``start`` and ``end``, in
    order of time, drawn from ``seed``: the same whoever asks."""
    rng, days, index = random.Random(f"arrivals-{seed}"), period(calendar, start, end), 0
    for day, number in zip(days, daily_counts(rng, days, count)):
        for moment, channel, desk in sorted(arrival(rng, day, world, mix) for _ in range(number)):
            yield Arrival(index, moment, channel, desk)
            index += 1


def story_rng(seed, index):
    """The random source of the ``index``-th dossier's story: its own, so
    that it does not depend on which process tells it or what came before."""
    return random.Random(f"story-{seed}-{index}")


# -- the catalogue, the desks and who works there --------------------------------


@dataclass
class Desk:
    """A one-stop desk: its agency's ``code`` and the place it serves
    (``place``: "Phường Cam Giá"), the desk its dossiers may be transferred
    to (``city``, its parent's), its share of the arrivals (``share``) and
    the procedures it receives per channel: {channel: (codes, cumulative
    weights)}."""

    code: str
    place: str
    city: str | None
    share: float = 0.0
    choices: dict = field(default_factory=dict)

    def procedure(self, rng, channel):
        """(code, channel) of a dossier arriving by ``channel``; one
        arriving by a channel the desk's procedures do not offer comes to
        the counter instead."""
        if not self.choices.get(channel):
            channel = "in_person"
        codes, weights = self.choices[channel]
        return rng.choices(codes, cum_weights=weights)[0], channel


#: how often a procedure is asked for, by sector (civil status and certified copies lead)
SECTOR_WEIGHTS = {"CT": 6.0, "HT": 3.0, "CTRU": 3.0, "DD": 2.0, "BTXH": 1.5}


def desk_agencies(agencies):
    """{code: Agency} of the one-stop desks: the people's committees under
    the province (the city and its wards and communes)."""
    return {a.code: a for a in agencies if a.kind == "people_committee" and a.parent is not None}


def receiving_desks(handling, desks):
    """The codes of the desks that receive a procedure ``handling`` (the
    Agencies that handle it) lists: those among them, and the desk of an
    office among them (the city's for its offices)."""
    found = []
    for agency in handling:
        code = agency.code if agency.code in desks else (agency.parent.code if agency.parent else None)
        if code in desks and code not in found:
            found.append(code)
    return found


def department(procedure, handling, desk):
    """Who at ``desk`` works on ``procedure``: the city's office among
    those ``handling`` it (Agencies), or the ward's civil servant for its sector."""
    if desk.parent is not None and desk.parent.parent is None:  # the city: one of its offices
        offices = [a.name for a in handling if a.parent is not None and a.parent.code == desk.code
                   and a.kind != "people_committee"]
        return offices[0] if offices else CITY_OFFICE
    return WARD_DEPARTMENTS.get(procedure.sector.code, OFFICE)


@dataclass
class World:
    """What every batch reads: the desks (with their shares), each
    procedure's snapshot, who works on it at each desk {(procedure, desk):
    words}, the staff of each desk {code: (officer id, leader id)}, the
    citizens' accounts [(id, answers)]."""

    desks: list
    snapshots: dict
    departments: dict
    staff: dict
    citizens: list
    weights: list = field(default_factory=list)
    by_code: dict = field(default_factory=dict)

    def __post_init__(self):
        self.weights = cumulative(desk.share for desk in self.desks)
        self.by_code = {desk.code: desk for desk in self.desks}

    def desk(self, rng):
        return rng.choices(self.desks, cum_weights=self.weights)[0]


def cumulative(values):
    total, result = 0.0, []
    for value in values:
        total += value
        result.append(total)
    return result


def share_out(rng, desks, mix):
    """Give each desk its share of arrivals: ``mix.city`` for the cities
    (desks other desks belong to), the rest among the wards, some busier
    than others (drawn from ``rng``)."""
    cities = {d.city for d in desks if d.city}
    wards = [d for d in desks if d.code not in cities]
    noise = {d.code: rng.uniform(0.4, 1.6) for d in wards}
    ward_total = sum(noise.values()) or 1.0
    city_share = mix.city / len(cities) if cities and wards else 1.0 / len(desks)
    for desk in desks:
        desk.share = city_share if desk.code in cities else (1 - mix.city) * noise[desk.code] / ward_total


def read_world(dbsession, seed, mix):
    """The World of the catalogue in ``dbsession`` (accounts made as
    needed), or None when it has no desk with procedures."""
    catalog = catalog_for(dbsession)
    by_code = desk_agencies(catalog.agencies())
    desks = {code: Desk(code, a.short_name or a.name, a.parent.code if a.parent.code in by_code else None)
             for code, a in by_code.items()}
    snapshots, departments, weighted = {}, {}, {code: {} for code in desks}
    for procedure in catalog.procedures():
        handling = catalog.handling_agencies(procedure)
        for code in receiving_desks(handling, by_code):
            snapshots.setdefault(procedure.code, exchange.procedure_to_dict(procedure))
            departments[(procedure.code, code)] = department(procedure, handling, by_code[code])
            _offer(weighted[code], procedure)
    for code, desk in desks.items():
        desk.choices = {channel: (list(w), cumulative(w.values())) for channel, w in weighted[code].items() if w}
    useful = [desk for desk in desks.values() if desk.choices]
    if not useful:
        return None
    share_out(random.Random(f"desks-{seed}"), useful, mix)
    return World(useful, snapshots, departments, staff_of(dbsession, useful), citizens(dbsession))


def _offer(weighted, procedure):
    """Add ``procedure`` to a desk's {channel: {code: weight}}."""
    weight = SECTOR_WEIGHTS.get(procedure.sector.code, 1.0)
    for channel in procedure.channels:
        if channel.channel == "online" and not procedure.accepts_online_submission:
            continue
        weighted.setdefault(channel.channel, {})[procedure.code] = weight


class Unusable:
    """One password hash nobody knows, made once for every account the
    generator makes (a hash takes a fifth of a second)."""

    def __init__(self):
        self._hash = None

    def __call__(self):
        self._hash = self._hash or accounts.unusable_password()
        return self._hash


def staff_of(dbsession, desks):
    """{desk code: (officer id, leader id)}: each desk's first active
    officer and leader, else its generator accounts (made now, inactive)."""
    from ..accounts.models import UserRole
    from ..catalog.models import Agency

    rows = dbsession.execute(select(Agency.code, UserRole.role, User.id).join(User, User.agency_id == Agency.id)
                             .join(UserRole, UserRole.user_id == User.id)
                             .where(User.active.is_(True), UserRole.role.in_(("officer", "leader")))
                             .order_by(User.id)).all()
    found = {}
    for code, role, user_id in rows:
        found.setdefault((code, role), user_id)
    unusable, staff = Unusable(), {}
    for desk in desks:
        staff[desk.code] = tuple(found.get((desk.code, role)) or generator_account(
            dbsession, desk, role, unusable).id for role in ("officer", "leader"))
    return staff


def generator_account(dbsession, desk, role, unusable):
    """The inactive account ``gen.<role>.<agency code>`` acting for the
    generator at ``desk``, made the first time."""
    from ..catalog.models import Agency

    username = f"gen.{role}.{desk.code}"
    user = dbsession.scalar(select(User).where(User.username == username))
    if user is None:
        title = "Cán bộ một cửa" if role == "officer" else "Lãnh đạo"
        agency = dbsession.scalar(select(Agency).where(Agency.code == desk.code))
        user = accounts.create_user(dbsession, username, None, f"{title} (dữ liệu mô phỏng) - {desk.place}"[:255],
                                    [role], agency=agency, password_hash=unusable())
        user.active = False
    return user


def citizens(dbsession, count=CITIZENS):
    """[(id, answers)] of the generator's citizens ``gen.citizen.NNN``
    (inactive; made the first time), the same people whatever the seed."""
    rng, unusable, found = random.Random("gen.citizen"), Unusable(), []
    existing = {user.username: user for user in dbsession.scalars(
        select(User).where(User.username.like("gen.citizen.%")))}
    for number in range(1, count + 1):
        answers, username = person(rng), f"gen.citizen.{number:03d}"
        user = existing.get(username)
        if user is None:
            user = accounts.create_user(dbsession, username, None, answers["full_name"], ["citizen"],
                                        password_hash=unusable())
            user.active = False
        found.append((user.id, dict(answers, full_name=user.full_name)))
    return found


# -- one batch's session ----------------------------------------------------------


class Results:
    """The result documents' files: a row per dossier (``row``), and after
    commit one small PDF put in place under every row's key — written once
    per LINKS_PER_FILE and hard-linked for the others (or written each time
    where links are not possible)."""

    def __init__(self, store, pdf, write=True):
        self.store, self.pdf, self.write = store, pdf, write
        self.sha256, self.pending, self.source, self.links = hashlib.sha256(pdf).hexdigest(), [], None, 0

    def row(self, rng, dossier, moment):
        file_id = f"{rng.getrandbits(128):032x}"
        key = self.store.key_for(dossier.id, file_id, ".pdf")
        if self.write:
            self.pending.append(key)
        record = {"id": file_id, "name": f"ket-qua-{dossier.code}.pdf", "type": ".pdf", "size": len(self.pdf),
                  "sha256": self.sha256}
        return file_row("result", None, record, key, moment)

    def after_commit(self, txn):
        keys, self.pending = self.pending, []
        txn.addAfterCommitHook(lambda committed: committed and self.put(keys))

    def put(self, keys):
        for key in keys:
            target = self.store.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not self._link(target):
                target.write_bytes(self.pdf)
                self.source, self.links = target, 1

    def _link(self, target):
        if self.source is None or self.links >= LINKS_PER_FILE:
            return False
        try:
            os.link(self.source, target)
        except FileExistsError:
            return True
        except OSError as error:
            if error.errno not in (errno.EMLINK, errno.EXDEV, errno.EPERM, errno.ENOENT, errno.ENOTSUP):
                raise
            return False
        self.links += 1
        return True


@dataclass
class Run:
    """One batch: its session, the World, the calendar, the period's
    ``end``, the settings, the payment gateway's name, the Mix, the result
    files, the staff and procedures loaded for it, the desks a dossier may
    be transferred to (``actions.desks``); ``refused`` counts the actions
    the desk's rules refused (0 unless the generator is wrong), the first
    of them kept in ``refusals`` [(dossier code, action, message)]."""

    db: object
    world: World
    calendar: object
    end: datetime
    settings: dict
    gateway: str
    mix: Mix
    results: Results
    users: dict = field(default_factory=dict)
    procedures: dict = field(default_factory=dict)
    desks: frozenset = frozenset()
    refused: int = 0
    refusals: list = field(default_factory=list)

    def refuse(self, code, action, message):
        """Note that the desk refused ``action`` on dossier ``code``."""
        self.refused += 1
        if len(self.refusals) < 10:
            self.refusals.append((code, action, str(message)))

    def load(self):
        """Read what this batch's stories need: the acting users, the
        procedures (with their channels) and the desks at work."""
        ids = {i for pair in self.world.staff.values() for i in pair} | {i for i, _a in self.world.citizens}
        self.users = {u.id: u for u in self.db.scalars(select(User).where(User.id.in_(ids)))}
        catalog = catalog_for(self.db)
        self.procedures = {p.code: p for p in catalog.procedures(list(self.world.snapshots))}
        self.desks = frozenset(actions.desks(self.db))

    def staff(self, agency_code, leader=False):
        return self.users[self.world.staff[agency_code][1 if leader else 0]]

    def later(self, rng, moment, least, most):
        """``moment`` moved on by ``least`` to ``most`` working minutes."""
        return self.calendar.add_working_minutes(moment, rng.randint(least, most))

    def between(self, rng, start, finish):
        """A working moment from ``start`` to ``finish`` (``start`` when none)."""
        span = self.calendar.working_minutes(start, finish)
        return self.calendar.add_working_minutes(start, rng.randint(0, span)) if span > 0 else start


# -- the whole run ----------------------------------------------------------------------


@dataclass
class Tally:
    """What a run made: ``made`` dossiers in ``seconds``; ``refused``
    actions the desk's rules refused (a story cut short there)."""

    made: int = 0
    refused: int = 0
    seconds: float = 0.0
    refusals: list = field(default_factory=list)

    @property
    def rate(self):
        return self.made / self.seconds if self.seconds else 0.0


class Failed(Exception):
    """A worker process failed; the message says how."""


def generated_exist(dbsession):
    """Whether the database holds generated dossiers already."""
    return dbsession.scalar(select(Dossier.id).where(Dossier.data["generated"].as_integer().is_not(None))
                            .limit(1)) is not None


def working_calendar(dbsession, settings):
    """The working calendar with the database's overrides (as a request's)."""
    from ..calendar.models import CalendarOverride
    from ..calendar.service import calendar_from_settings

    return calendar_from_settings(settings, {row.day: row.kind for row in dbsession.scalars(select(CalendarOverride))})


def placeholder_pdf(translate):
    """The one small PDF every generated result's file holds."""
    from ..documents.letterhead import Sheet
    from ..i18n import _

    sheet = Sheet(translate(_("Result of a synthetic dossier")))
    sheet.title(translate(_("Result of a synthetic dossier")))
    sheet.text(translate(_("This dossier was made by the synthetic data generator for development and "
                           "measurement. This document has no legal value.")))
    return sheet.pdf_bytes()


def period_bounds(plan, now):
    """(start, end) of ``plan``'s period: local midnight of its first day
    to the end of its last, or ``now`` if earlier."""
    return local_midnight(plan.first), min(local_midnight(plan.last + timedelta(days=1)), now)


@dataclass(frozen=True)
class Setting:
    """What every batch of a run shares: the World, the calendar, the
    period [start, end), the payment gateway's name, the Mix, the result
    files' PDF, whether to write them, dossiers per batch."""

    world: World
    calendar: object
    start: datetime
    end: datetime
    gateway: str
    mix: Mix
    pdf: bytes
    files: bool
    batch: int


def prepare(registry, plan, now, mix, files, batch):
    """The run's Setting, read (and its accounts made) in one
    transaction; None when the catalogue has no desk with procedures."""
    from ..i18n import official_translate

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(registry["dbsession_factory"], manager)
        calendar = db.info["working_calendar"] = working_calendar(db, registry.settings)
        world = read_world(db, plan.seed, mix)
    if world is None:
        return None
    start, end = period_bounds(plan, now)
    gateway = getattr(registry.queryUtility(IPaymentGateway), "name", "vnpay")
    return Setting(world, calendar, start, end, gateway, mix, placeholder_pdf(official_translate(registry)), files,
                   batch)


def generate(registry, plan, *, batch=1000, files=True, now=None, progress=None, mix=Mix(), workers=1):
    """Make ``plan``'s dossiers in the database of ``registry`` (a
    configured app's), committing every ``batch``, in ``workers``
    processes (several on PostgreSQL only: SQLite has one writer);
    ``progress(tally)`` is called after each commit. ``now`` (aware)
    bounds the period (by default the present). Returns a Tally, or None
    when the catalogue has no desk with procedures (load it first).
    Raises Failed when a worker process failed."""
    setting = prepare(registry, plan, now or datetime.now(timezone.utc), mix, files, batch)
    if setting is None:
        return None
    if workers <= 1:
        return play(registry, plan, setting, None, progress)
    return in_processes(registry, plan, setting, partition(setting.world.desks, workers), progress)


def play(registry, plan, setting, desks, report=None):
    """Make the dossiers of ``plan`` arriving at ``desks`` (codes; None:
    all), a batch a transaction; ``report(tally)`` after each. Returns the Tally."""
    factory, results = registry["dbsession_factory"], Results(
        FileStore(registry.settings["congdichvu.data_dir"]), setting.pdf, write=setting.files)
    stream = (arrival for arrival in arrivals(plan.seed, setting.calendar, setting.start, setting.end, plan.count,
                                              setting.world, setting.mix) if desks is None or arrival.desk in desks)
    manager, tally, began = transaction.TransactionManager(explicit=True), Tally(), clock.perf_counter()
    while chunk := list(islice(stream, setting.batch)):
        with manager:
            db = get_tm_session(factory, manager)
            db.info["working_calendar"] = setting.calendar  # what the statistics' flush hook counts with
            run = Run(db, setting.world, setting.calendar, setting.end, registry.settings, setting.gateway,
                      setting.mix, results)
            tally.refused += play_batch(run, chunk, plan.seed)
            tally.refusals = (tally.refusals + run.refusals)[:10]
            results.after_commit(manager.get())
        tally.made, tally.seconds = tally.made + len(chunk), clock.perf_counter() - began
        if report is not None:
            report(tally)
    return tally


def play_batch(run, chunk, seed):
    """Every dossier of ``chunk`` (Arrivals), its story told. Returns the
    actions refused."""
    run.load()
    with run.db.no_autoflush:  # the steps' events are inserted together, not one a step
        stories = [submit(run, story_rng(seed, arrival.index), arrival, seed) for arrival in chunk]
        run.db.flush()  # the batch's new dossiers in a few INSERTs: their stories need their ids
        for story, arrival in zip(stories, chunk):
            story.tell(arrival.moment)
    run.db.flush()
    return run.refused


def partition(desks, workers):
    """The desks' codes in ``workers`` sets of about equal shares (the
    busiest first, each to the lightest set so far)."""
    parts = [(0.0, n, set()) for n in range(workers)]
    for desk in sorted(desks, key=lambda d: (-d.share, d.code)):
        load, number, codes = min(parts)
        codes.add(desk.code)
        parts[number] = (load + desk.share, number, codes)
    return [frozenset(codes) for _load, _number, codes in parts if codes]


def in_processes(registry, plan, setting, parts, progress):
    """``play`` each of ``parts`` in a forked process of its own; the
    tallies add up as they come. Returns the Tally; raises Failed."""
    import multiprocessing
    import queue as queues

    context, began = multiprocessing.get_context("fork"), clock.perf_counter()
    messages = context.Queue()
    registry["dbengine"].dispose()  # no connection crosses a fork
    workers = [context.Process(target=_worker, args=(messages, number, registry, plan, setting, part))
               for number, part in enumerate(parts)]
    for worker in workers:
        worker.start()
    made, refused, running = [0] * len(parts), [0] * len(parts), len(parts)
    try:
        while running:
            try:
                number, done, spurned, error = messages.get(timeout=5)
            except queues.Empty:
                if any(worker.exitcode not in (None, 0) for worker in workers):
                    raise Failed("a worker process ended without saying why") from None
                continue
            if error is not None:
                raise Failed(error)
            if done is None:
                running -= 1
                continue
            made[number], refused[number] = done, spurned
            if progress is not None:
                progress(Tally(sum(made), sum(refused), clock.perf_counter() - began))
    finally:
        for worker in workers:
            if worker.is_alive() and running:
                worker.terminate()
            worker.join()
    return Tally(sum(made), sum(refused), clock.perf_counter() - began)


def _worker(messages, number, registry, plan, setting, desks):
    """A worker process: its share of the run, each batch reported."""
    registry["dbengine"].dispose(close=False)  # the parent's connections are the parent's
    try:
        play(registry, plan, setting, desks, lambda tally: messages.put((number, tally.made, tally.refused, None)))
    except Exception as error:  # noqa: BLE001 - said to the parent, which stops the run
        messages.put((number, None, None, f"{type(error).__name__}: {error}"[:500]))
        raise
    messages.put((number, None, None, None))
