"""The fees a dossier owes, computed from its procedure and its answers.

What is charged is what the procedure publishes (its channel's phí and
lệ phí: name, kind, amount in whole đồng, and ``per`` — dossier, copy,
page, case or other), as announced with the procedure and disclosed on
the portal. The amounts themselves are set under the Law on Fees and
Charges (97/2015/QH13): by circulars of the Ministry of Finance, or by
the provincial People's Council for those within its competence, which
Circular 85/2019/TT-BTC lists. Lệ phí (kind "fee") and phí (kind "charge") are kept apart
because a receipt names them apart.

A fee per copy or per page is multiplied by the applicant's answer to the
number question that declares it counts them (a question spec's
``counts``: "copy" or "page", eservices.schemas.COUNTS). The postal
charge for returning the result by the public postal service (Decision
45/2016/QĐ-TTg) is added when the applicant chose that.

At level 4 the applicant pays the total online (Decree 45/2020/NĐ-CP on
carrying out administrative procedures electronically); at level 3, when
receiving the result. The quote is kept in the dossier as it was when
submitted (``dossier.data["fees"]``, ``Quote.as_json``): a later change of
the published fees does not change what a dossier already owes.
"""
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from ..eservices.schemas import COUNTS, MAX_COUNT
from ..i18n import _

POSTAL_FEE_NAME = _("Postal fee for returning the result")
POSTAL = "postal"  # a result channel (eservices.schemas.DELIVERIES) and the kind of its line


@dataclass(frozen=True)
class FeeLine:
    """One thing paid for: ``name`` as published (or POSTAL_FEE_NAME);
    ``kind`` "fee" (lệ phí), "charge" (phí), "postal", or None when the
    procedure does not say; ``per`` the published unit; ``unit_amount``
    and ``amount`` in whole đồng, ``amount = unit_amount * count``."""

    name: str
    kind: str | None
    per: str
    unit_amount: int
    count: int
    amount: int


@dataclass(frozen=True)
class Quote:
    """The lines of what a dossier owes and their ``total`` (đồng); no
    line and a total of 0 when nothing is owed."""

    lines: tuple[FeeLine, ...]
    total: int

    def as_json(self):
        """``{"lines": [{name, kind, per, unit_amount, count, amount}], "total": n}``,
        as a dossier keeps it (names as plain text)."""
        return {"lines": [dict(asdict(line), name=str(line.name)) for line in self.lines], "total": self.total}

    @classmethod
    def from_json(cls, data):
        """The quote ``as_json`` gave (an absent one: nothing owed)."""
        data = data or {}
        lines = tuple(FeeLine(**line) for line in data.get("lines") or ())
        return cls(lines=lines, total=int(data.get("total") or 0))


def channel_fees(procedure, channel="online"):
    """The fees of ``procedure``'s (an exchange-format dict) ``channel``,
    or of its first channel when it has no such channel (as
    eservices.services.create_dossier picks the dossier's channel)."""
    channels = procedure.get("channels") or []
    chosen = next((c for c in channels if c.get("channel") == channel), channels[0] if channels else {})
    return chosen.get("fees") or []


def counted(specs, answers, per):
    """How many copies or pages (``per``) the applicant asked for: their
    answer to the first number question that ``counts`` them, a whole
    number from 1 to MAX_COUNT. No such question, no answer or one that is
    not a whole number counts 1.

    The step form refuses other answers already (eservices.schemas); the
    bounds hold here too for answers it never checked (a draft begun
    before the question counted, stored data): a fee is never waived by a
    0 or a negative, and a slip of the keyboard cannot ask for millions."""
    spec = next((s for s in specs or () if s.get("kind") == "number" and s.get("counts") == per), None)
    if spec is None:
        return 1
    try:
        value = Decimal(str((answers or {}).get(spec.get("name"), "")).strip())
    except (InvalidOperation, ValueError):
        return 1
    if not value.is_finite() or value != value.to_integral_value():
        return 1
    return int(min(max(value, 1), MAX_COUNT))


def quote(procedure, answers, specs, *, result_channel, postal_fee, channel="online",
          postal_name=POSTAL_FEE_NAME):
    """What a dossier of ``procedure`` (an exchange-format dict, as
    ``Dossier.procedure_snapshot``) owes, as a Quote.

    ``answers``: the procedure's questions answered ({name: stored text},
    ``flow.stored_answers``); ``specs``: those questions
    (``schemas.usable_specs``); ``channel``: the submission channel whose
    fees apply; ``result_channel``: how the result is returned (a line for
    ``postal_fee`` đồng, named ``postal_name``, when "postal"). A fee of 0
    (free) gives no line; per copy or page it is multiplied by ``counted``;
    per dossier, case or other it is charged once."""
    lines = []
    for fee in channel_fees(procedure, channel):
        unit = int(fee.get("amount") or 0)
        if unit <= 0:
            continue
        per = fee.get("per") or "dossier"
        count = counted(specs, answers, per) if per in COUNTS else 1
        lines.append(FeeLine(name=fee.get("name") or "", kind=fee.get("kind"), per=per, unit_amount=unit,
                             count=count, amount=unit * count))
    if result_channel == POSTAL and postal_fee > 0:
        lines.append(FeeLine(name=postal_name, kind=POSTAL, per="dossier", unit_amount=postal_fee, count=1,
                             amount=postal_fee))
    return Quote(lines=tuple(lines), total=sum(line.amount for line in lines))
