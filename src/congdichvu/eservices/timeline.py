"""A dossier's history as its applicant reads it, in plain words: one
home for the timeline of "Hồ sơ của tôi" and of the public lookup.

Internal steps (a hand-over between departments, a request for a
leader's sign-off) are not the applicant's business: a hand-over shows as
"being processed" once, sign-off requests not at all. The public lookup
shows the words only (``with_notes=False``: nothing personal, no reasons);
the applicant's own page adds the notes that concern them (the papers
asked for, a refusal's reason, a new appointment, an amount to pay).
"""
from dataclasses import dataclass
from datetime import datetime

from ..i18n import _
from ..i18n.formatting import format_datetime, format_money
from .ratings import LEVELS

#: what each action (DossierEvent.action) means to the applicant
WORDS = {
    "receive": _("The one-stop desk received the dossier"),
    "request_supplement": _("The office asked for papers to be added or corrected"),
    "supplement": _("Papers were added"),
    "refuse": _("The office refused to accept the dossier"),
    "hand_over": _("The dossier is being processed"),
    "transfer": _("The dossier was sent to ${agency} to be processed"),
    "transfer_back": _("The dossier came back to ${agency}"),
    "apology": _("The office apologised for the delay and set a new date for the result"),
    "request_payment": _("Fees are to be paid"),
    "await_payment": _("Fees are to be paid"),
    "paid": _("The fees were paid"),
    "refund_due": _("A payment arrived when nothing was due; the office will refund it"),
    "refunded": _("The office refunded a payment"),
    "stop": _("The office stopped processing the dossier"),
    "processed": _("The result is ready"),
    "return_result": _("The result was returned"),
    "withdraw": _("The applicant withdrew the dossier"),
    "rate": _("The applicant rated the service: ${level}"),
}
SUBMITTED = {
    "online": _("The dossier was submitted online"),
    "in_person": _("The dossier was handed in at the one-stop desk"),
    "postal": _("The dossier arrived by post"),
}
#: never shown to the applicant
HIDDEN = frozenset({"start", "sign_off_requested", "sign_off_declined"})


@dataclass(frozen=True)
class Line:
    at: datetime
    words: object  # a TranslationString
    note: str | None = None


def _note(event):
    """The note of ``event`` that concerns the applicant, as text."""
    details = event.details or {}
    if event.action == "request_supplement":  # the desk writes the request as the applicant reads it
        return event.note or None
    if event.action == "apology" and details.get("new_appointment"):
        return _("New date: ${when}", mapping={"when": format_datetime(datetime.fromisoformat(
            details["new_appointment"]))})
    if event.action == "request_payment" and details.get("amount") is not None:
        return _("Amount: ${amount}", mapping={"amount": format_money(details["amount"])})
    if event.action in ("refuse", "stop", "supplement", "withdraw", "apology"):
        return event.note or None
    if event.action == "rate":  # the applicant's own comment, as they wrote it
        return details.get("comment") or None
    return None


def _rating_words(event):
    """"The applicant rated the service: Hài lòng" (eservices.ratings.LEVELS)."""
    level = (event.details or {}).get("level")
    return _(WORDS["rate"], mapping={"level": LEVELS.get(level, level or "")})


def lines(dossier, agency_name, with_notes=True):
    """[Line] of ``dossier``'s history for its applicant, oldest first.
    ``agency_name(code)`` names agencies (a transfer says where it went).
    Events recorded before actions had names (``action`` None) read as
    the state they led to."""
    from .views import STATE_LABELS

    found, processing_shown = [], False
    for event in dossier.events:
        action = event.action
        if action in HIDDEN:
            continue
        if action == "submit" or (action is None and event.from_state is None):
            words = SUBMITTED.get(dossier.channel, SUBMITTED["online"])
        elif action == "hand_over":
            if processing_shown:
                continue
            words = WORDS[action]
        elif action == "rate":
            words = _rating_words(event)
        elif action in ("transfer", "transfer_back"):
            target = event.to_agency_code or ""
            words = _(WORDS[action], mapping={"agency": agency_name(target) if target else ""})
        elif action in WORDS:
            words = WORDS[action]
        else:
            words = STATE_LABELS.get(event.to_state, "")
        processing_shown = processing_shown or action == "hand_over"
        found.append(Line(event.at, words, _note(event) if with_notes else None))
    return found
