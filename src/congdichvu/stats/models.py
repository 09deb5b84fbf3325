"""The statistics' summary of each dossier: one narrow row, rewritten in the
transaction of every event of the dossier (stats.summary), that the
figures aggregate in SQL (stats.figures) — a request never walks dossiers."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base, UTCDateTime


class DossierStat(Base):
    """What the figures need of a dossier (see stats.ontime.Verdict for the
    derived moments):

    - who and what: ``agency_code`` (the agency whose desk received it:
      a dossier counts for the agency that took it in, whoever it was
      transferred to), ``sector_code``, ``procedure_code``, ``channel``
      (in_person, postal, online);
    - ``submitted_at``: when it reached the office (handed in, posted or
      sent online): a period's "new" dossiers are those submitted in it;
    - the deadline and its end: ``received_at``, ``first_due_at``,
      ``due_at``, ``paused_from``/``paused_until``, ``supplements``,
      ``finished_at``, ``ending``, ``outcome``, ``working_minutes``;
    - ``settled_at``: when nothing more can change what it counts for (its
      last ending, return, payment or rating, once it is in a final state),
      NULL while it may still change: a period's figures read only the
      rows with ``submitted_at`` before its end and ``settled_at`` NULL or
      after its start;
    - ``digitised``; ``paid_at``/``paid_online`` (its fees were paid, and
      how); ``returned_at``/``returned_by`` (counter, postal, online);
      ``rating``/``rated_at`` (the applicant's satisfaction).
    """

    __tablename__ = "dossier_stat"
    __table_args__ = (
        Index("ix_dossier_stat_agency_window", "agency_code", "submitted_at", "settled_at"),
        Index("ix_dossier_stat_procedure_finished", "procedure_code", "finished_at"),
    )

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    sector_code: Mapped[str | None] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supplements: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ending: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(10))
    working_minutes: Mapped[int | None] = mapped_column(Integer)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digitised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by: Mapped[str | None] = mapped_column(String(20))
    rating: Mapped[str | None] = mapped_column(String(20))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: what happened to an agency's dossiers on a day: each a count (stats.daily)
DAY_COUNTS = (
    "new", "in_person", "postal", "online", "digitised",
    "early", "on_time", "late", "refused", "withdrawn",
    "paid", "paid_online", "returned", "returned_by_post", "returned_online",
    "very_satisfied", "satisfied", "dissatisfied",
    "waiting_in", "waiting_out", "overdue_in", "overdue_out",
)


class StatDay(Base):
    """The counts of one agency's dossiers on one day (the city's date),
    kept with the summary rows in the same transaction (stats.daily):
    what began or ended that day. A period's figures add up its days; what
    stands at a moment (carried over, awaiting papers, overdue) adds up
    every day before it: what came in less what went out."""

    __tablename__ = "stat_day"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


for _name in DAY_COUNTS:
    setattr(StatDay, _name, mapped_column(_name, Integer, default=0, server_default="0", nullable=False))
del _name
