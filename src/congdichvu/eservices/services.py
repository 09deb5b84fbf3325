"""Creating dossiers, moving them through their states, looking them up."""
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.services import record
from ..catalog import exchange
from ..i18n.formatting import to_local
from ..ratelimit import RateLimit
from .codes import DOSSIER_CODE, dossier_code
from .models import Dossier, DossierEvent

NEW, PROCESSING, AWAITING_SUPPLEMENT, WITHDRAWN = 1, 4, 5, 7
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


def create_dossier(dbsession, procedure, agency_code, applicant, data, calendar, channel_name, secret_key, now=None):
    """A new dossier (state 1) with its code, reception and appointment
    times and first event, in the caller's transaction. Returns
    (dossier, lookup secret) — the secret is shown once, on the receipt."""
    now = now or _now()
    received = calendar.reception(now)
    channel = next((c for c in procedure.channels if c.channel == channel_name), procedure.channels[0])
    secret = new_lookup_secret()
    dossier = Dossier(
        code=dossier_code(dbsession, agency_code, to_local(received).date()),
        procedure_code=procedure.code,
        procedure_snapshot=exchange.procedure_to_dict(procedure),
        agency_code=agency_code,
        applicant_id=applicant.id if applicant is not None else None,
        state=NEW,
        channel=channel_name,
        data=data,
        submitted_at=now,
        received_at=received,
        appointment_at=calendar.appointment(now, channel.duration_value, channel.duration_unit),
        lookup_secret_hash=_secret_hash(secret_key, secret),
    )
    dossier.events.append(DossierEvent(at=now, actor=applicant.username if applicant else "counter",
                                       from_state=None, to_state=NEW, note=None))
    dbsession.add(dossier)
    dbsession.flush()
    return dossier, secret


class NotAllowed(Exception):
    """The dossier's state does not allow this (any more)."""


def transition(dbsession, dossier, to_state, actor, note=None, *, from_state=None):
    """Move ``dossier`` from ``from_state`` (by default the state it was
    read in) to ``to_state`` and record the event (who, when, from, to,
    why): every change of a dossier's state goes through here, once.

    A conditional ``UPDATE dossier SET state = to WHERE id = … AND state =
    from`` decides: of concurrent requests making a change (a double click,
    six tabs), the first one's update takes the row (PostgreSQL's row lock,
    SQLite's write lock) until it commits; the others wait, then match no
    row and raise NotAllowed, so exactly one event is written. On
    NotAllowed the dossier's state is read again, to show what it is now."""
    expected = dossier.state if from_state is None else from_state
    result = dbsession.execute(
        update(Dossier).where(Dossier.id == dossier.id, Dossier.state == expected)
        .values(state=to_state).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        dbsession.expire(dossier, ["state"])
        raise NotAllowed()
    set_committed_value(dossier, "state", to_state)  # what the UPDATE wrote; nothing more to flush
    dossier.events.append(DossierEvent(at=_now(), actor=actor, from_state=expected, to_state=to_state, note=note))


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


def withdraw(dbsession, dossier, user, reason):
    """The applicant takes back a dossier the office has not received yet."""
    transition(dbsession, dossier, WITHDRAWN, user.username, reason, from_state=NEW)


def supplement_request(dossier):
    """The officer's note asking for more papers (the last move into state 5)."""
    for event in reversed(dossier.events):
        if event.to_state == AWAITING_SUPPLEMENT:
            return event.note
    return None


def supplement(dbsession, dossier, user, names):
    """Papers added by the applicant: the history names them and the dossier
    goes back to the officers."""
    # the note is the files' names; the timeline says "papers added" in the reader's language
    transition(dbsession, dossier, PROCESSING, user.username, "; ".join(names), from_state=AWAITING_SUPPLEMENT)
