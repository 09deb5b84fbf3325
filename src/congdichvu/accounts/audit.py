"""Reading the audit log: its actions and details in words people read.

Events are written by ``accounts.services.record`` with a stable action
code ("procedure.saved"); the code stays in the database (filters and
exports use it) and is shown through this one mapping. An action without
a label (added later, or by another subsystem) shows its code as written.
"""
from sqlalchemy import select

from ..i18n import _
from .models import User

ACTION_LABELS = {
    "login": _("Signed in"),
    "logout": _("Signed out"),
    "login.failed": _("Sign-in failed"),
    # both are noted once per account and address in a window, however often repeated (accounts.services)
    "login.blocked": _("Sign-in refused: too many failed attempts (noted once per account and address every "
                       "15 minutes)"),
    "password.changed": _("Password changed"),
    # counted with failed sign-ins (accounts.services.check_password)
    "password.check_failed": _("Wrong current password typed when changing the password"),
    "password.reset_requested": _("Password reset requested (noted once per account and address every hour)"),
    "password.reset": _("Password reset"),
    "user.created": _("Account created"),
    "user.updated": _("Account changed by an administrator"),
    "user.deactivated": _("Account deactivated"),
    "user.reactivated": _("Account reactivated"),
    "user.password_reset_link": _("Password reset by an administrator (a link to set a new one issued)"),
    "user.registered": _("Citizen account registered"),
    "user.verified": _("Email address confirmed"),
    "user.register_existing": _("Registration tried with the email of this account (the owner was told)"),
    "procedure.saved": _("Procedure saved"),
    "procedure.submitted": _("Procedure sent for review"),
    "procedure.sent_back": _("Procedure sent back to the editor"),
    "procedure.published": _("Procedure published"),
    "procedure.archived": _("Procedure archived (withdrawn from the public)"),
    "procedure.restored": _("Earlier revision of a procedure restored as draft"),
    "submission_form.saved": _("Online submission questions saved"),
    "page.saved": _("Page saved"),
    "page.submitted": _("Page sent for review"),
    "page.published": _("Page published"),
    "page.sent_back": _("Page sent back to the editor"),
    "news.saved": _("News article saved"),
    "news.submitted": _("News article sent for review"),
    "news.published": _("News article published"),
    "news.sent_back": _("News article sent back to the editor"),
    "comment.approved": _("Comment approved"),
    "comment.rejected": _("Comment rejected"),
    "form.uploaded": _("Blank form uploaded"),
    "thesaurus.added": _("Thesaurus entry added"),
    "thesaurus.changed": _("Thesaurus entry changed"),
    "thesaurus.deleted": _("Thesaurus entry deleted"),
    "thesaurus.seeded": _("Thesaurus filled from the shipped file"),
    "calendar.added": _("Working-day calendar: day added"),
    "calendar.removed": _("Working-day calendar: day removed"),
    "dossier.lookup_failed": _("Dossier lookup failed"),
}

#: the keys of an event's ``details``
DETAIL_LABELS = {
    "revision": _("revision"),
    "from": _("from revision"),
    "roles": _("roles"),
    "by": _("through"),
    "size": _("size (bytes)"),
    "sha256": _("SHA-256"),
    "phone_not_saved": _("phone not saved: another account has it"),
    "changed": _("changed"),
    "roles_before": _("roles before"),
    "agency": _("agency"),
    "agency_before": _("agency before"),
    "link": _("link"),
    "entry": _("entry"),
    "entries": _("entries"),
}


def action_label(action):
    """The translation string naming ``action``, or the code itself."""
    return ACTION_LABELS.get(action, action)


def describe_details(details, translate):
    """An event's ``details`` ({"revision": 3}) as text: "phiên bản: 3"."""
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
        parts.append(f"{translate(DETAIL_LABELS.get(key, key))}: {shown}")
    return "; ".join(parts)


def full_names(dbsession, usernames):
    """{username: full name} of the accounts among ``usernames`` (an
    iterable); names that are no account ("anonymous") are left out."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    return dict(dbsession.execute(select(User.username, User.full_name).where(User.username.in_(wanted))).all())
