"""Days an administrator declares off or working, over the holiday rules."""
from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models.meta import Base

DAY_OFF, WORKING_DAY = "off", "working"
#: the reason's length (characters)
NOTE_LENGTH = 255


class CalendarOverride(Base):
    """The government decides swaps yearly (a Saturday worked for a
    bridging day off); what the holidays package does not know yet is
    entered here and wins."""

    __tablename__ = "calendar_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(NOTE_LENGTH))
