"""Satisfaction ratings (đánh giá mức độ hài lòng): once the result of a
dossier is returned (state 10) its applicant rates the service "Rất hài
lòng", "Hài lòng" or "Không hài lòng", with a comment if they like.

No table of its own: a rating is a dossier event (``action`` "rate",
10 → 10) whose ``details`` are ``{"level": LEVEL, "comment": text or
None}``, written through ``services.transition`` like every change of a
dossier. The statistics (stats.summary) count the latest "rate" event's
``details["level"]`` per dossier, for the figures and the satisfaction
group of the Decision 766/QĐ-TTg indicators: that shape is kept exactly.
The conditional UPDATE of ``transition`` (state and version) makes two
tabs sending the form at once rate once.

The rules: the person who was served rates the service (Decree
61/2018/NĐ-CP, its chapter on evaluating how procedures are handled, as
amended by Decree 107/2021/NĐ-CP); here that is the dossier's own applicant
(its account), once its result is returned, once per dossier; the level
one of ``LEVELS``; the comment at most ``COMMENT_MAX`` characters (the
portal's own limit).
"""
from sqlalchemy import select

from ..i18n import _
from ..i18n.formatting import format_number
from . import services
from .models import Dossier, DossierEvent

ACTION = "rate"
#: the state a dossier is rated in: its result was returned
RETURNED = 10
VERY_SATISFIED, SATISFIED, DISSATISFIED = "very_satisfied", "satisfied", "dissatisfied"
#: the three levels, best first, with their words (what stats.figures counts)
LEVELS = {
    VERY_SATISFIED: _("Very satisfied"),
    SATISFIED: _("Satisfied"),
    DISSATISFIED: _("Dissatisfied"),
}
#: the longest comment, in characters (a line break counts one)
COMMENT_MAX = 1000


class NotYours(Exception):
    """The user is not the dossier's applicant: to them it does not exist (404)."""


class Refused(Exception):
    """The rating cannot be recorded: ``message`` (a TranslationString) says
    why; ``field`` names the form's field at fault ("level", "comment"), or
    is None when the dossier itself refuses (not returned yet, rated)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


NOT_RETURNED = _("You can rate the service once the result of the dossier has been returned to you.")
ALREADY_RATED = _("You have already rated the service for this dossier; a dossier is rated once. Thank you.")
NO_LEVEL = _("Choose how satisfied you are: very satisfied, satisfied or dissatisfied.")
LONG_COMMENT = _("Write at most ${max} characters in the comment; it has ${count} now.")


def rating_event(dossier):
    """The dossier's latest "rate" event, or None."""
    return next((event for event in reversed(dossier.events) if event.action == ACTION), None)


def rating_of(dossier):
    """The rating of ``dossier``: the latest "rate" event's ``details``
    ({"level", "comment"}), or None when it was not rated."""
    event = rating_event(dossier)
    return dict(event.details or {}) if event is not None else None


def rated_dossiers(dbsession, applicant_id):
    """The ids of the dossiers of account ``applicant_id`` that were rated
    (a set; one query, for the list of "Hồ sơ của tôi")."""
    return set(dbsession.scalars(
        select(DossierEvent.dossier_id).join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .where(Dossier.applicant_id == applicant_id, DossierEvent.action == ACTION)))


def is_owner(dossier, user):
    """Whether ``user`` (an account, or None) is ``dossier``'s applicant."""
    return user is not None and dossier.applicant_id is not None and dossier.applicant_id == user.id


def may_rate(dossier, user):
    """Whether ``user`` may rate ``dossier`` now: theirs, returned, not rated yet."""
    return is_owner(dossier, user) and dossier.state == RETURNED and rating_of(dossier) is None


def clean_comment(text):
    """The comment as it is kept: line breaks as "\\n", spaces at the ends
    removed; None when nothing was written (or not text)."""
    if not isinstance(text, str):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def check(dossier, user, level, comment):
    """Raise NotYours or Refused unless ``user`` may rate ``dossier`` with
    ``level`` and ``comment`` (already cleaned): the dossier's state first,
    then what was typed."""
    if not is_owner(dossier, user):
        raise NotYours()
    if rating_of(dossier) is not None:
        raise Refused(ALREADY_RATED)
    if dossier.state != RETURNED:
        raise Refused(NOT_RETURNED)
    if level not in LEVELS:
        raise Refused(NO_LEVEL, "level")
    if comment is not None and len(comment) > COMMENT_MAX:
        raise Refused(_(LONG_COMMENT, mapping={"max": format_number(COMMENT_MAX),
                                               "count": format_number(len(comment))}), "comment")


def rate(dbsession, dossier, user, level, comment, *, now=None):
    """Record ``user``'s rating of ``dossier``: ``level`` one of LEVELS'
    keys, ``comment`` text (cleaned by ``clean_comment``; at most
    COMMENT_MAX characters) or None. Returns the DossierEvent (action
    "rate", 10 → 10, details {"level", "comment"}), in the caller's
    transaction.

    NotYours when ``user`` is not the applicant; Refused (with its message)
    when the dossier is not returned, is rated already — by another tab a
    moment ago too: the conditional update of ``transition`` lets one
    through — or the level or the comment is wrong. Nothing changes then."""
    comment = clean_comment(comment)
    check(dossier, user, level, comment)
    extra = {"at": now} if now is not None else {}
    try:
        return services.transition(dbsession, dossier, RETURNED, user.username, comment, from_state=RETURNED,
                                   action=ACTION, actor_id=user.id, details={"level": level, "comment": comment},
                                   **extra)
    except services.NotAllowed:  # the dossier changed meanwhile: read again, say what it is now
        raise Refused(ALREADY_RATED if rating_of(dossier) is not None else NOT_RETURNED) from None
