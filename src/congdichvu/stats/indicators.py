"""The Decision 766/QĐ-TTg indicators, computed locally from what the portal holds.

Decision 766/QĐ-TTg of 23/6/2022 of the Prime Minister approves the "Bộ chỉ
số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh
nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực
trên môi trường điện tử": 100 points in five groups, scored by the National
Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG) from the data
synchronised to it. ``scorecard`` scores here every component the portal
has the data for, per agency and period, so a city sees its own score
before the national portal does, and lists plainly the components whose
data it does not hold (``Component.held`` False, ``note`` says what is
missing).

Sources, and how sure each number is
------------------------------------
The text of the Decision's annex (its table of components, points and
formulas) was not available when this was written. What the table below
rests on, best first:

1. A published summary of the Decision (baocaotaichinh.vn, "Quyết định
   766/QĐ-TTg 2022 …"): the five groups, 100 points in all; "TTHC được
   cập nhật, công khai đúng hạn" 4 of the 18 points of Công khai, minh
   bạch; "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" 6 of the 18 of
   Mức độ hài lòng; handling on time up to 20 points. Components resting
   on this carry ``confirmed=True``.
2. The national portal's formula description ("Mô tả công thức tính chỉ số
   766", its items 1.1–5.4, quoted in public repositories that monitor the
   index): each component's numerator and denominator, and the rates at
   which a component reaches its full points (3.1, 3.5, 4.2, 4.3 at 80 %;
   3.3 at 50 %; 5.4 at 90 %; the payment-used component at 80 %, as the
   portal's scores show). It says of a zero denominator only "hiển thị
   0 hoặc N/A theo quy định báo cáo". The ``source`` of each component
   names the Decision and this item number; the annex's own numbering may
   differ.
3. The points of the other components as the national portal scores
   them today (2026): its table of maxima (18 = 6 + 4 + 2 + 6; 20; online
   12 = 2 + 4 + 6; payment 10 = 2 + 2 + 6; digitisation 22 = 6 + 4 + 2 +
   2 + 4 + 2 + 2; satisfaction 18 = 6 + 6 + 6), as read from its public
   API and reconstructed by third parties. Not checked against the annex:
   these components carry ``confirmed=False`` and the page says so. One
   such reading splits satisfaction 5 + 5 + 2 + 6 instead; the 6 of item
   5.4 is the same in both.

The national portal shows payment apart from online services (12 + 10);
the Decision's five groups put both in "cung cấp dịch vụ công trực tuyến"
(22), as here. Two items of the formula description carry no points and
are left out: 2.2 (average handling time, for monitoring) and 5.1
(feedback by kind, for monitoring).

Scoring
-------
A component's ``rate`` is numerator ÷ denominator, kept within 0–1; its
points are ``max_points × min(1, rate ÷ full_at)``, rounded to 2 decimals
as the national portal publishes them (``full_at`` 1 means proportional).

No data is not zero: when a denominator is 0 (no dossier in the period, no
procedure charging a fee …) the component's ``rate`` and ``points`` are
None ("no data"). It then counts neither in the total nor in
``max_judged``, so an office that received nothing is neither punished nor
rewarded. (The national portal was seen to give 0 for some such cases and
full points for others; the formula description leaves it to the
reporting rules.) A component that is not held is None too, with ``held``
False.
"""
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Callable

from pyramid.i18n import TranslationString
from sqlalchemy import exists, func, or_, select

from ..catalog.models import PUBLISHED, SUBMITTABLE_ONLINE_LEVELS, Agency, Channel, Fee, Paper, Procedure
from ..catalog.services import handled_by
from ..i18n import _
from ..i18n.formatting import format_number, from_local
from .models import DossierStat

MAX_TOTAL = 100
#: the words the page shows beside points not yet checked against the annex
POINTS_UNCONFIRMED = _("Points as the National Public Service Portal scores this component today; "
                       "not checked against the Decision's annex.")


@dataclass(frozen=True)
class Facts:
    """What the catalogue (and, for a period, the dossiers) say about the
    procedures of some agencies; see ``catalogue_facts``. Counts of
    procedures; the last two are None when no period was given."""

    procedures: int
    complete: int
    online: int
    charging: int
    payable_online: int
    online_with_dossiers: int | None = None
    charging_paid_online: int | None = None


@dataclass(frozen=True)
class Spec:
    """One row of the table: a component as the Decision defines it.
    ``ratio(figures, facts)`` gives (numerator, denominator) from the data
    the portal holds; None when it holds none. ``full_at``: the rate that
    earns the full points."""

    key: str
    group: str
    title: TranslationString
    formula: TranslationString
    source: str
    max_points: float
    ratio: Callable | None = None
    full_at: float = 1.0
    note: TranslationString | None = None
    confirmed: bool = False


def _handled(f):
    """Dossiers resolved in the period or still in progress at its end."""
    return f.early + f.on_time + f.late + f.within_deadline + f.overdue


def _source(item):
    return f"QĐ 766/QĐ-TTg, Phụ lục; mô tả công thức Cổng DVCQG, mục {item}"


GROUPS = (
    ("public", _("Public and transparent"), 18),
    ("progress", _("Progress and results of handling"), 20),
    ("online", _("Online public services"), 22),
    ("digitisation", _("Digitisation of dossiers"), 22),
    ("satisfaction", _("Satisfaction"), 18),
)

NOT_NATIONAL_DATABASE = _("Not held: the dates of the publication decisions (quyết định công bố) and the dates "
                          "procedures were made public are kept on the National Database on Administrative "
                          "Procedures; the portal keeps a publication decision's number only as text.")
NO_POPULATION_DATABASE = _("Not held: the portal is not connected to the National Population Database (VNeID).")
NO_FEEDBACK = _("Not held: citizens' feedback and petitions (phản ánh, kiến nghị) are received and handled on the "
                "National Public Service Portal's system, not on this portal.")

SPECS = (
    # -- I. Công khai, minh bạch (18) ------------------------------------------------------------
    Spec("published_on_time", "public", _("Procedures announced on time"),
         _("procedures whose publication decision was signed on time (at least 5 working days before the legal "
           "document takes effect) ÷ procedures announced in the period"),
         _source("1.1"), 6, note=NOT_NATIONAL_DATABASE),
    Spec("made_public_on_time", "public", _("Procedures updated and made public on time"),
         _("procedures made public on the National Database on Administrative Procedures within 5 working days "
           "of their publication decision ÷ procedures to update and make public in the period"),
         _source("1.2"), 4, note=NOT_NATIONAL_DATABASE, confirmed=True),
    Spec("disclosed_in_full", "public", _("Procedures disclosed with every part required"),
         _("procedures disclosing their name, steps, ways of carrying out, papers, time limit, applicants and "
           "handling agency (Decree 63/2010/NĐ-CP, Article 8(2)(a)–(g)) ÷ procedures disclosed"),
         _source("1.3"), 2, ratio=lambda f, c: (c.complete, c.procedures)),
    Spec("synchronised", "public", _("Dossiers synchronised to the National Public Service Portal"),
         _("dossiers received in the period and synchronised to the National Public Service Portal ÷ dossiers "
           "received in the period"),
         _source("1.4"), 6,
         note=_("Not held: the portal does not synchronise dossiers with the National Public Service Portal; "
                "the share synchronised is measured there.")),
    # -- II. Tiến độ, kết quả giải quyết (20) ----------------------------------------------------
    Spec("on_time", "progress", _("Dossiers handled early or on time"),
         _("(resolved early + resolved on time + in progress within the deadline) ÷ (resolved + in progress)"),
         _source("2.1"), 20, ratio=lambda f, c: (f.early + f.on_time + f.within_deadline, _handled(f)),
         confirmed=True),
    # -- III. Cung cấp dịch vụ công trực tuyến (22: online services 12, payment 10) ---------------
    Spec("online_procedures", "online", _("Procedures offered as online public services"),
         _("procedures offered online in part or in full (level 3 or 4) ÷ procedures the agency handles"),
         _source("3.1"), 2, ratio=lambda f, c: (c.online, c.procedures), full_at=0.8),
    Spec("online_used", "online", _("Online services that received dossiers"),
         _("online procedures with at least one online dossier received in the period ÷ online procedures"),
         _source("3.2"), 4, ratio=lambda f, c: (c.online_with_dossiers, c.online)),
    Spec("online_dossiers", "online", _("Dossiers submitted online"),
         _("new dossiers submitted online ÷ new dossiers received in the period"),
         _source("3.3"), 6, ratio=lambda f, c: (f.online, f.new), full_at=0.5,
         note=_("The national formula also multiplies by the share of dossiers synchronised to the National "
                "Public Service Portal, which the portal does not hold; it is left out here.")),
    Spec("payment_offered", "online", _("Procedures with fees that can be paid online"),
         _("procedures charging a fee or charge that can be paid online on the portal (level 4) ÷ procedures "
           "charging a fee or charge"),
         _source("3.5"), 2, ratio=lambda f, c: (c.payable_online, c.charging), full_at=0.8,
         note=_("The national indicator counts payment through the National Public Service Portal; here, "
                "payment through this portal's own gateway.")),
    Spec("payment_used", "online", _("Procedures with fees paid online at least once"),
         _("procedures charging a fee or charge with at least one dossier paid online in the period ÷ "
           "procedures charging a fee or charge"),
         "QĐ 766/QĐ-TTg, Phụ lục; điểm thanh toán trực tuyến của Cổng DVCQG (không có mục riêng trong mô tả "
         "công thức)", 2, ratio=lambda f, c: (c.charging_paid_online, c.charging), full_at=0.8),
    Spec("paid_online", "online", _("Dossiers paid online"),
         _("dossiers paid online ÷ dossiers that paid a fee or charge in the period"),
         _source("3.6"), 6, ratio=lambda f, c: (f.paid_online, f.paid)),
    # -- IV. Số hóa hồ sơ (22) -------------------------------------------------------------------
    Spec("electronic_results", "digitisation", _("Dossiers with an electronic result"),
         _("results delivered electronically ÷ results returned in the period"),
         _source("4.1"), 6, ratio=lambda f, c: (f.returned_online, f.returned),
         note=_("The national denominator counts only procedures whose result is a paper document; the portal "
                "does not mark which those are, so every returned result counts.")),
    Spec("digitised", "digitisation", _("Dossiers digitised"),
         _("new dossiers with every required paper as a file ÷ new dossiers received in the period"),
         _source("4.2"), 4, ratio=lambda f, c: (f.digitised, f.new), full_at=0.8,
         note=_("The national formula also requires the result as a file; here only the papers are counted.")),
    Spec("certified_copies", "digitisation", _("Electronic certified copies from originals"),
         _("not given in the formula description available"),
         "QĐ 766/QĐ-TTg, Phụ lục; điểm số hóa hồ sơ của Cổng DVCQG (không có mục riêng trong mô tả công thức)",
         2, note=_("Not held: the portal does not offer electronic certification of copies from originals "
                   "(chứng thực bản sao điện tử từ bản chính).")),
    Spec("reused", "digitisation", _("Digitised data reused"),
         _("dossiers with at least one paper taken from data already digitised ÷ dossiers received in the "
           "period"),
         _source("4.3"), 2, full_at=0.8,
         note=_("Not held: the portal does not record which papers were taken from data already digitised.")),
    Spec("shared", "digitisation", _("Digitised dossiers shared for reuse"),
         _("dossiers whose papers or electronic result are linked with the applicant's data store on the "
           "National Public Service Portal ÷ dossiers received in the period"),
         _source("4.4"), 4,
         note=_("Not held: the portal is not connected to applicants' data stores on the National Public "
                "Service Portal.")),
    Spec("population_procedures", "digitisation", _("Procedures connected to the population database"),
         _("procedures for citizens whose dossiers use the National Population Database ÷ procedures for "
           "citizens"),
         _source("4.5"), 2, note=NO_POPULATION_DATABASE),
    Spec("population_dossiers", "digitisation", _("Dossiers using the population database"),
         _("dossiers using data from the National Population Database ÷ dossiers"),
         _source("4.5"), 2, note=NO_POPULATION_DATABASE),
    # -- V. Mức độ hài lòng (18) -----------------------------------------------------------------
    Spec("feedback_on_time", "satisfaction", _("Feedback and petitions handled on time"),
         _("feedback and petitions handled on time ÷ feedback and petitions received or handled in the period"),
         _source("5.2"), 6, note=NO_FEEDBACK),
    Spec("feedback_satisfaction", "satisfaction", _("Satisfaction with the handling of feedback"),
         _("(feedback and petitions − those answered with dissatisfaction, raised again or handled late) ÷ "
           "feedback and petitions"),
         _source("5.3"), 6, note=NO_FEEDBACK),
    Spec("satisfaction", "satisfaction", _("Satisfaction in receiving and handling dossiers"),
         _("100 % − (resolved late + overdue + ratings “Not satisfied”) ÷ (resolved + in progress)"),
         _source("5.4"), 6, full_at=0.9, confirmed=True,
         ratio=lambda f, c: (max(0, _handled(f) - f.late - f.overdue - f.dissatisfied), _handled(f)),
         note=_("Dissatisfaction is counted from the ratings citizens give on this portal; feedback sent to "
                "the National Public Service Portal is not held.")),
)


@dataclass(frozen=True)
class Component:
    """One scored component for an agency and period. ``rate`` 0–1 and
    ``points`` (0–``max_points``) are None when the portal does not hold
    the data (``held`` False) or the period has none (``no_data``);
    ``numerator``/``denominator`` are what the rate was computed from.
    ``confirmed``: the maximum is the Decision's (see the module)."""

    key: str
    title: TranslationString
    group: str
    max_points: float
    formula: TranslationString
    source: str
    held: bool
    rate: float | None
    points: float | None
    full_at: float = 1.0
    note: TranslationString | None = None
    confirmed: bool = False
    numerator: int | None = None
    denominator: int | None = None

    @property
    def no_data(self):
        """Held, but nothing in the period to judge it by."""
        return self.held and self.points is None

    @property
    def scoring(self):
        """How the rate becomes points, in words."""
        top = format_number(self.max_points)
        if self.full_at >= 1:
            return _("${max} points × rate", mapping={"max": top})
        return _("${max} points × rate ÷ ${threshold}, at most ${max} (full points from ${threshold})",
                 mapping={"max": top, "threshold": f"{format_number(round(self.full_at * 100))}%"})

    @property
    def points_note(self):
        return None if self.confirmed else POINTS_UNCONFIRMED


@dataclass(frozen=True)
class Group:
    key: str
    title: TranslationString
    max_points: float
    components: tuple

    @property
    def points(self):
        """The points of the components judged (held, with data)."""
        return round(sum(c.points for c in self.components if c.points is not None), 2)

    @property
    def max_held(self):
        """The points of the components whose data the portal holds."""
        return sum(c.max_points for c in self.components if c.held)

    @property
    def max_judged(self):
        """The points of the components judged this period (held, with data)."""
        return sum(c.max_points for c in self.components if c.points is not None)


@dataclass(frozen=True)
class Scorecard:
    """``total`` points out of ``max_judged`` (the components judged this
    period), of ``max_held`` (those the portal holds data for), of
    ``max_total`` (100)."""

    groups: tuple
    max_total: int = MAX_TOTAL

    @property
    def components(self):
        return tuple(c for group in self.groups for c in group.components)

    @property
    def total(self):
        return round(sum(group.points for group in self.groups), 2)

    @property
    def max_held(self):
        return sum(group.max_held for group in self.groups)

    @property
    def max_judged(self):
        return sum(group.max_judged for group in self.groups)


def score(spec, figures, facts):
    """The Component ``spec`` gives for ``figures`` (stats.figures.Figures
    or anything with its attributes) and ``facts`` (Facts)."""
    common = {"key": spec.key, "title": spec.title, "group": spec.group, "max_points": spec.max_points,
              "formula": spec.formula, "source": spec.source, "full_at": spec.full_at, "note": spec.note,
              "confirmed": spec.confirmed}
    if spec.ratio is None:
        return Component(held=False, rate=None, points=None, **common)
    numerator, denominator = spec.ratio(figures, facts)
    if numerator is None or not denominator:
        return Component(held=True, rate=None, points=None, numerator=numerator, denominator=denominator, **common)
    rate = min(1.0, max(0.0, numerator / denominator))
    points = round(spec.max_points * min(1.0, rate / spec.full_at), 2)
    return Component(held=True, rate=rate, points=points, numerator=numerator, denominator=denominator, **common)


def scorecard(figures, facts):
    """The Scorecard of every component of SPECS, in the Decision's groups."""
    components = [score(spec, figures, facts) for spec in SPECS]
    return Scorecard(groups=tuple(
        Group(key=key, title=title, max_points=top,
              components=tuple(c for c in components if c.group == key))
        for key, title, top in GROUPS))


# -- the catalogue's facts ---------------------------------------------------------------------

#: offered online: dossiers are submitted on the portal (level 3 or 4), or the procedure is
#: declared online in part or in full (Decree 42/2022/NĐ-CP's "một phần" / "toàn trình")
OFFERED_ONLINE = or_(Procedure.online_level.in_(SUBMITTABLE_ONLINE_LEVELS),
                     Procedure.online_mode.in_(("partial", "full")))
#: charges a fee or charge: some channel lists an amount above 0 đồng
CHARGING = exists().where(Channel.procedure_id == Procedure.id, Fee.channel_id == Channel.id, Fee.amount > 0)
#: paid online on the portal: at level 4 the applicant pays after submitting (payments.fees)
PAYABLE_ONLINE = CHARGING & (Procedure.online_level == 4)


def catalogue_facts(dbsession, agency_codes, start=None, end=None):
    """Facts about the published procedures handled by the agencies coded
    ``agency_codes`` (an iterable; unknown codes are ignored; a procedure
    is handled by an agency when listed for it, or when it lists none and
    is of the agency's level). With ``start`` and ``end`` (local dates,
    both included) it also counts, from the dossiers received by those
    agencies' desks in the period, the online procedures that received an
    online dossier and the charging procedures with a dossier paid online.

    Disclosed in full (item 1.3): name, steps, ways of carrying out
    (channels), papers, time limit (a channel's time), applicants, and the
    handling agency, which every procedure counted here has by definition
    (Decree 63/2010/NĐ-CP, Article 8(2)(a)–(g), as the national formula
    description checks them). This is not cms.completeness, the portal's
    own stricter check (fees, legal bases, reviewed within a year)."""
    codes = sorted(set(agency_codes))
    agencies = list(dbsession.scalars(select(Agency).where(Agency.code.in_(codes)))) if codes else []
    handled = (Procedure.status == PUBLISHED) & handled_by(agencies)
    rows = dbsession.execute(select(
        Procedure.name, Procedure.steps, Procedure.applicants,
        exists().where(Channel.procedure_id == Procedure.id).label("channels"),
        exists().where(Channel.procedure_id == Procedure.id,
                       or_(Channel.duration_value.is_not(None), Channel.duration_text.is_not(None))).label("time"),
        exists().where(Paper.procedure_id == Procedure.id).label("papers"),
        OFFERED_ONLINE.label("online"), CHARGING.label("charging"), PAYABLE_ONLINE.label("payable"),
    ).where(handled)).all()
    facts = Facts(procedures=len(rows), complete=sum(1 for row in rows if _disclosed_in_full(row)),
                  online=sum(1 for row in rows if row.online), charging=sum(1 for row in rows if row.charging),
                  payable_online=sum(1 for row in rows if row.payable))
    if start is None or end is None:
        return facts
    since = from_local(datetime.combine(start, time.min))
    until = from_local(datetime.combine(end + timedelta(days=1), time.min))
    return replace(facts, online_with_dossiers=_online_with_dossiers(dbsession, codes, handled, since, until),
                   charging_paid_online=_charging_paid_online(dbsession, codes, handled, since, until))


def _disclosed_in_full(row):
    return bool((row.name or "").strip() and row.steps and (row.applicants or "").strip()
                and row.channels and row.time and row.papers)


def _online_with_dossiers(dbsession, codes, handled, since, until):
    """Online procedures (handled) with an online dossier that reached the
    desks ``codes`` in [since, until) (each dossier's summary row: the
    narrow, indexed stats.models.DossierStat, not the dossiers)."""
    if not codes:
        return 0
    online = select(Procedure.code).where(handled, OFFERED_ONLINE)
    return dbsession.scalar(select(func.count(func.distinct(DossierStat.procedure_code))).where(
        DossierStat.agency_code.in_(codes), DossierStat.submitted_at >= since, DossierStat.submitted_at < until,
        DossierStat.channel == "online", DossierStat.procedure_code.in_(online)))


def _charging_paid_online(dbsession, codes, handled, since, until):
    """Charging procedures (handled) with a dossier of the desks ``codes``
    whose fees were paid through the gateway (not at the counter) in
    [since, until)."""
    if not codes:
        return 0
    charging = select(Procedure.code).where(handled, CHARGING)
    return dbsession.scalar(select(func.count(func.distinct(DossierStat.procedure_code))).where(
        DossierStat.agency_code.in_(codes), DossierStat.submitted_at < until,
        or_(DossierStat.settled_at.is_(None), DossierStat.settled_at >= since),
        DossierStat.paid_online.is_(True), DossierStat.paid_at >= since, DossierStat.paid_at < until,
        DossierStat.procedure_code.in_(charging)))
