"""Creating dossiers, moving them through their states, looking them up."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.services import record
from ..catalog import exchange
from ..i18n.formatting import to_local
from ..ratelimit import RateLimit
from .codes import DOSSIER_CODE, dossier_code
from .models import APPLICANT_KINDS, ORGANISATION, PERSON, RESULT_CHANNELS, Dossier, DossierAgency, DossierEvent

NEW, PROCESSING, AWAITING_SUPPLEMENT, AWAITING_PAYMENT, WITHDRAWN = 1, 4, 5, 6, 7
#: failed lookups allowed per address in the window, against guessing
MAX_FAILED_LOOKUPS = 10
LOOKUP_WINDOW = timedelta(minutes=15)
#: counted atomically, so that tries sent at once cannot pass it together
FAILED_LOOKUPS = RateLimit("dossier.lookup_failed", MAX_FAILED_LOOKUPS, LOOKUP_WINDOW)
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter


def _now():
    return datetime.now(timezone.utc)


def _secret_hash(secret_key, secret):
    return hmac.new(secret_key.encode(), secret.strip().upper().encode(), hashlib.sha256).hexdigest()


def new_lookup_secret():
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))


def create_dossier(dbsession, procedure, agency_code, applicant, data, calendar, channel_name, secret_key, now=None,
                   snapshot=None, entered_by=None, columns=None, flush=True):
    """A new dossier (state 1) with its code, reception and appointment
    times and first event, in the caller's transaction. Returns
    (dossier, lookup secret) — the secret is shown once, on the receipt.

    ``snapshot`` is ``exchange.procedure_to_dict(procedure)`` when the
    caller has it already (the dossier generator makes thousands of one
    procedure's dossiers: drawing it costs more than the rest together);
    it is kept as given, so it must be that and nothing else.
    ``entered_by``: the officer (a User) who entered it at the counter,
    who then signs its first event; ``columns``: the dossier's other
    columns known from the start ({name: value}: digitised, postal_fee…),
    written with it rather than by an UPDATE after. ``flush=False``
    leaves its INSERT to the caller's next flush (the generator inserts a
    batch of new dossiers at once): it has no id until then."""
    now = now or _now()
    received = calendar.reception(now)
    channel = next((c for c in procedure.channels if c.channel == channel_name), procedure.channels[0])
    secret = new_lookup_secret()
    snapshot = snapshot if snapshot is not None else exchange.procedure_to_dict(procedure)
    submitter = entered_by or applicant
    dossier = Dossier(
        code=dossier_code(dbsession, agency_code, to_local(received).date()),
        procedure_code=procedure.code,
        procedure_snapshot=snapshot,
        sector_code=snapshot.get("sector"),
        agency_code=agency_code,
        handling_agency_code=agency_code,
        applicant_id=applicant.id if applicant is not None else None,
        state=NEW,
        channel=channel_name,
        data=data,
        submitted_at=now,
        updated_at=now,
        received_at=received,
        appointment_at=calendar.appointment(now, channel.duration_value, channel.duration_unit),
        lookup_secret_hash=_secret_hash(secret_key, secret),
        agencies=[DossierAgency(agency_code=agency_code)],
        events=[DossierEvent(at=now, actor=submitter.username if submitter else "counter",
                             actor_id=submitter.id if submitter is not None else None,
                             action="submit", agency_code=agency_code, from_state=None, to_state=NEW, note=None)],
        files=[],  # none yet: known, so adding one later reads nothing
        **(columns or {}),
    )
    set_applicant(dossier, data)
    dbsession.add(dossier)
    if flush:
        dbsession.flush()
    return dossier, secret


def set_applicant(dossier, data):
    """Copy who applied from the answers (``data["applicant"]``, and
    ``data["delivery"]``) into the dossier's own columns, which the desk
    searches: a person's name and card number, or an organisation's name,
    tax code and representative; phone, email, address; and the person who
    handed it in for them (``data["submitter"]``), if any."""
    applicant = data.get("applicant") or {}
    kind = applicant.get("kind") or PERSON
    dossier.applicant_kind = kind if kind in APPLICANT_KINDS else PERSON
    if dossier.applicant_kind == ORGANISATION:
        dossier.applicant_name = (applicant.get("organisation_name") or applicant.get("full_name") or "")[:255]
        dossier.applicant_tax_code = applicant.get("tax_code") or None
        dossier.applicant_representative = (applicant.get("representative") or applicant.get("full_name")
                                            or None)
        dossier.applicant_id_number = applicant.get("id_number") or None
    else:
        dossier.applicant_name = (applicant.get("full_name") or "")[:255]
        dossier.applicant_id_number = applicant.get("id_number") or None
    dossier.applicant_phone = (applicant.get("phone") or "")[:20] or None
    dossier.applicant_email = (applicant.get("email") or "")[:255] or None
    address = ", ".join(part for part in (applicant.get("address"), data.get("ward_name")) if part)
    dossier.applicant_address = address or None
    submitter = data.get("submitter") or {}
    dossier.submitter_name = (submitter.get("full_name") or "")[:255] or None
    dossier.submitter_id_number = submitter.get("id_number") or None
    dossier.submitter_phone = (submitter.get("phone") or "")[:20] or None
    delivery = data.get("delivery") or {}
    if delivery.get("delivery") in RESULT_CHANNELS:
        dossier.result_channel = delivery["delivery"]
    dossier.postal_address = delivery.get("postal_address") or None


class NotAllowed(Exception):
    """The dossier's state does not allow this (any more)."""


@lru_cache(maxsize=None)
def _moving(names):
    """``transition``'s conditional UPDATE setting the columns ``names``
    (a sorted tuple), built once per set of names: a statement built anew
    for every change costs six times its execution in SQLAlchemy (its
    cache key is worked out each time), which a million generated
    dossiers feel (a Core statement: models.get_session_factory marks the
    session changed for it as for an ORM one)."""
    table = Dossier.__table__
    return (update(table).where(table.c.id == bindparam("_id"), table.c.state == bindparam("_expected"),
                                table.c.version == bindparam("_version"))
            .values({name: bindparam(name) for name in names}))


def transition(dbsession, dossier, to_state, actor, note=None, *, from_state=None, changes=None, **event):
    """Move ``dossier`` from ``from_state`` (by default the state it was
    read in) to ``to_state``, apply ``changes`` (other columns, a dict) and
    record the event (who, when, from, to, why; ``event`` holds the
    event's other columns: action, actor_id, agency_code, details…): every
    change of a dossier goes through here, once. Returns the event.

    A conditional ``UPDATE dossier SET state = to, version = version + 1
    WHERE id = … AND state = from AND version = the version read`` decides:
    of concurrent requests making a change (a double click, two officers,
    six tabs), the first one's update takes the row (PostgreSQL's row lock,
    SQLite's write lock) until it commits; the others wait, then match no
    row and raise NotAllowed, so exactly one event is written. On
    NotAllowed the dossier is read again, to show what it is now."""
    expected = dossier.state if from_state is None else from_state
    now = event.pop("at", None) or _now()
    values = dict(changes or {}, state=to_state, version=dossier.version + 1, updated_at=now)
    if dbsession.autoflush:  # what is pending goes first, as before any ORM statement
        dbsession.flush()
    result = dbsession.execute(_moving(tuple(sorted(values))),
                               dict(values, _id=dossier.id, _expected=expected, _version=dossier.version))
    if result.rowcount != 1:
        dbsession.expire(dossier)
        raise NotAllowed()
    for name, value in values.items():  # what the UPDATE wrote; nothing more to flush
        set_committed_value(dossier, name, value)
    row = DossierEvent(at=now, actor=actor, from_state=expected, to_state=to_state, note=note, **event)
    dossier.events.append(row)
    return row


class TooManyLookups(Exception):
    pass


def lookup(dbsession, code, secret, secret_key, address):
    """The dossier when ``code`` and ``secret`` match, else None (the same
    answer for an unknown code and a wrong secret). Raises TooManyLookups
    after repeated failures from one address.

    Each try takes one of the address's failures before it is made and a
    match gives it back: counting failures after they happen would let a
    burst of tries sent at once all pass the count made before any failed."""
    now = _now()
    if not FAILED_LOOKUPS.hit(dbsession, address, now=now):
        raise TooManyLookups()
    wanted = (code or "").strip().upper()
    dossier = dbsession.scalar(select(Dossier).where(Dossier.code == wanted)) if DOSSIER_CODE.fullmatch(wanted) \
        else None
    expected = dossier.lookup_secret_hash if dossier is not None else _secret_hash(secret_key, "no-such-dossier")
    if dossier is None or not hmac.compare_digest(expected, _secret_hash(secret_key, secret or "")):
        record(dbsession, "dossier.lookup_failed", target=(code or "")[:64], address=address)
        return None
    FAILED_LOOKUPS.give_back(dbsession, address, now=now)
    return dossier


def withdraw(dbsession, dossier, user, reason, now=None):
    """The applicant takes back a dossier the office has not received yet
    (new, or waiting for its fees to be paid before reception); its
    unpaid payment order is cancelled. ``now`` (aware) is when, by
    default the present (the dossier generator gives its own moments)."""
    from ..payments import services as payments

    waiting = dossier.state == AWAITING_PAYMENT and not dossier.received
    now = now or _now()
    transition(dbsession, dossier, WITHDRAWN, user.username, reason, from_state=AWAITING_PAYMENT if waiting else NEW,
               action="withdraw", actor_id=user.id, at=now, changes={"finished_at": now})
    payments.cancel_open(dbsession, dossier.id, now)
    payments.refund_paid(dbsession, dossier.id, now)


def supplement_request(dossier):
    """The officer's note asking for more papers (the last move into state 5)."""
    for event in reversed(dossier.events):
        if event.to_state == AWAITING_SUPPLEMENT:
            return event.note
    return None


def supplement(dbsession, dossier, user, names, calendar, now=None):
    """Papers added by the applicant: the history names them and the dossier
    goes back to the officers — to be received (state 1) when they asked
    before receiving it, else to processing (4) with its clock restarted
    (onestop.actions.restart_clock: the deadline moves on by the working
    time it waited). ``now`` (aware): when, by default the present.
    Returns the event."""
    from ..onestop.actions import resume_after_supplement  # the desk owns the deadline's rules

    now = now or _now()
    to_state, changes = resume_after_supplement(dossier, calendar, now)
    # the note is the files' names; the timeline says "papers added" in the reader's language
    return transition(dbsession, dossier, to_state, user.username, "; ".join(names),
                      from_state=AWAITING_SUPPLEMENT, action="supplement", actor_id=user.id, at=now,
                      changes=changes)
