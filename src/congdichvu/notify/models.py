"""The notification outbox: each message to a citizen (or staff), written
in the same transaction as the change it tells of, sent after commit."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base, UTCDateTime


class Notification(Base):
    """One message waiting to be sent, or sent (``sent_at``).

    ``channel`` is "email" or "sms" (an SMS/Zalo-shaped text); a sender
    takes a row by setting ``claimed_until`` (a lease, so two workers never
    send one message twice at once), and on failure counts ``attempts``
    and sets ``next_attempt_at`` later; after the last attempt the row
    keeps ``failed_at`` and ``last_error`` for staff to see."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_pending", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
