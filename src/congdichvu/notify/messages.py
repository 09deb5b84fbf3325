"""What the applicant is told when their dossier changes: one message per
action that concerns them, in Vietnamese (the language of the dossier and
its slips, whatever language the officer reads the portal in), by email
(plain text and HTML) and as a short text. The office writes to the
citizen as Vietnamese administrations do, "Ông/Bà" (never "bạn"); the
texts keep their diacritics and carry the public lookup's link with the
dossier's code filled in when it fits. The mail saying the result was
returned also asks an applicant with an account to rate the service
(eservices.ratings), with the rating page's address (``public_url``-based,
never the Host header's).

What is read from the dossier and the event (onestop.actions): the code,
procedure (``procedure_snapshot["name"]``), state, handling agency; the
event's ``action``, ``at`` and ``note`` (the reason of a refusal, stop or
withdrawal; a note otherwise); ``details["missing"]`` (the papers asked for
a supplement: strings, or mappings with "name"); the amount
``details["amount"]`` or ``dossier.fee_due`` (đồng); ``appointment_at``
(after reception or an apology); ``result_channel`` and
``postal_address`` (where the result is); ``details["tracking"]``
(a result sent by post).

Who is told (``recipients``): a dossier submitted online, the confirmed
email of its account, never the address typed in the form (the portal is
no mail relay; accounts.services.confirmed_email); a dossier entered at
the desk, the email the officer wrote down from the applicant. Texts go
to the dossier's phone, for the officers' actions only: the submission of
an online dossier, which anyone may make, sends none.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import jinja2

from ..i18n import _, official_translate
from ..i18n.formatting import format_datetime, format_money
from ..mail import address
from .outbox import enqueue
from .senders import EMAIL, SMS, TEXT_LIMIT

#: the actions that concern the applicant (onestop.actions; "submit" is
#: eservices'); hand-overs, transfers and sign-offs are the office's own
SUBJECTS = {
    "submit": _("Dossier ${code} submitted"),
    "receive": _("Dossier ${code} received"),
    "request_supplement": _("Dossier ${code}: papers to add"),
    "supplement": _("Dossier ${code}: the papers you added were received"),
    "refuse": _("Dossier ${code} not received"),
    "apology": _("Dossier ${code}: a new date for the result"),
    "request_payment": _("Dossier ${code}: fees to pay"),
    "paid": _("Dossier ${code}: fees paid"),
    "refund_due": _("Dossier ${code}: a payment to be refunded"),
    "refunded": _("Dossier ${code}: payment refunded"),
    "stop": _("Dossier ${code}: processing stopped"),
    "processed": _("Dossier ${code}: the result is ready"),
    "return_result": _("Dossier ${code}: result returned"),
    "withdraw": _("Dossier ${code} withdrawn"),
}
HEADLINES = {
    "submit": _("Your dossier \u201c${procedure}\u201d was submitted online. The receiving agency will check it "
                "before receiving it."),
    "receive": _("Your dossier \u201c${procedure}\u201d was received by ${agency}."),
    "request_supplement": _("Your dossier \u201c${procedure}\u201d needs more papers before it can be processed. "
                            "Please add the papers below; the time you take is not counted in the processing "
                            "time."),
    "supplement": _("The papers you added to your dossier \u201c${procedure}\u201d were received; its processing "
                    "goes on."),
    "refuse": _("Your dossier \u201c${procedure}\u201d was not received, for the reason below."),
    "apology": _("We apologise: the result of your dossier \u201c${procedure}\u201d will not be ready on the date "
                 "we gave you. The new date is below."),
    "request_payment": _("Your dossier \u201c${procedure}\u201d has fees to pay before its processing can go on."),
    "paid": _("The fees of your dossier \u201c${procedure}\u201d were paid. The electronic receipt is on the "
              "dossier's page under \u201cMy dossiers\u201d."),
    "refund_due": _("A payment for your dossier \u201c${procedure}\u201d arrived when nothing was due any more "
                    "(the fees were already paid, or the dossier was withdrawn or stopped). The office will refund "
                    "it to you; you do not need to do anything."),
    "refunded": _("The office refunded a payment made for your dossier \u201c${procedure}\u201d. The note below "
                  "says how."),
    "stop": _("The processing of your dossier \u201c${procedure}\u201d was stopped, for the reason below."),
    "processed": _("The result of your dossier \u201c${procedure}\u201d is ready."),
    "return_result": _("The result of your dossier \u201c${procedure}\u201d was returned to you."),
    "withdraw": _("Your dossier \u201c${procedure}\u201d was withdrawn as you asked."),
}
APPLICANT_ACTIONS = frozenset(SUBJECTS)
#: actions whose note is the reason (else it is shown as a note)
REASONED = frozenset({"refuse", "stop", "withdraw", "apology"})
RESULT_PLACES = {
    "counter": _("At the one-stop desk of ${agency}; please bring your receipt."),
    "postal": _("Sent to you by post to ${address}."),
    "online": _("Download it under \u201cMy dossiers\u201d on the portal."),
}
TEMPLATE = "notify/dossier_email.jinja2"


@dataclass
class Composed:
    """One message, translated: what the email's text and HTML and the
    short text are made of. ``facts`` are (label, value) pairs; ``items``
    the papers asked for, under ``items_heading``."""

    kind: str
    subject: str
    greeting: str
    headline: str
    facts: list = field(default_factory=list)
    items_heading: str = ""
    items: list = field(default_factory=list)
    link_label: str = ""
    url: str = ""
    rate_label: str = ""
    rate_url: str = ""
    closing: str = ""
    sms: str = ""

    def text(self):
        """The plain text of the email."""
        lines = [self.greeting, "", self.headline, ""]
        lines += [f"{label}: {value}" for label, value in self.facts]
        if self.items:
            lines += ["", f"{self.items_heading}:"] + [f"- {item}" for item in self.items]
        if self.rate_url:
            lines += ["", f"{self.rate_label}: {self.rate_url}"]
        lines += ["", f"{self.link_label}: {self.url}", "", self.closing]
        return "\n".join(lines) + "\n"


def _details(event):
    return (event.details or {}) if event is not None else {}


def _papers(event):
    """The papers asked for, as text: ``details["missing"]`` as the desk
    records it ([{"paper", "reason"}], onestop.actions.request_supplement),
    each "paper: reason"."""
    items = _details(event).get("missing") or []
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            text = ": ".join(str(part).strip() for part in (item.get("paper"), item.get("reason")) if part)
        else:
            text = str(item).strip()
        if text:
            found.append(text)
    return found


def _amount(dossier, event):
    amount = _details(event).get("amount", dossier.fee_due)
    try:
        return int(amount) if amount is not None else None
    except (TypeError, ValueError):
        return None


def compose(dossier, event, *, translate, agency_name, public_url, lookup_path, own_path=None, secret=None,
            rate_path=None):
    """The message about ``event`` (a DossierEvent whose ``action`` is in
    APPLICANT_ACTIONS) of ``dossier``, translated by ``translate``.
    ``agency_name`` names the handling agency; ``public_url`` is
    ``congdichvu.public_url``; ``lookup_path`` the public lookup's path and
    ``own_path`` the dossier's page under "My dossiers" (for a dossier of
    an account). ``secret``: the lookup secret, told once, at submission.
    ``rate_path``: the page rating the service (eservices.ratings), asked
    for in the mail of the result's return to an applicant with an account.
    KeyError for an action that does not concern the applicant."""
    from ..eservices.views import STATE_LABELS  # the words the lookup and "My dossiers" use

    action = event.action
    t, mapping = translate, {"code": dossier.code, "agency": agency_name,
                             "procedure": (dossier.procedure_snapshot or {}).get("name", dossier.procedure_code)}
    state = t(STATE_LABELS[dossier.state]) if dossier.state in STATE_LABELS else str(dossier.state)
    facts = [(t(_("Dossier code")), dossier.code), (t(_("Procedure")), mapping["procedure"]),
             (t(_("State")), state)]
    when = {"submit": _("Time of submission"), "receive": _("Time of reception")}.get(action)
    if when is not None:
        facts.append((t(when), format_datetime(dossier.submitted_at if action == "submit" else
                                               dossier.received_at or event.at)))
    if action == "submit":
        facts.insert(1, (t(_("Receiving agency")), agency_name))
        if secret:
            facts.insert(1, (t(_("Lookup secret")), secret))
    if action in ("submit", "receive", "supplement", "apology") and dossier.appointment_at is not None:
        label = {"submit": _("Expected date of the result"),
                 "apology": _("New date to return the result")}.get(action, _("Date to return the result"))
        facts.append((t(label), format_datetime(dossier.appointment_at)))
    if action in ("request_payment", "paid", "refund_due", "refunded") and _amount(dossier, event) is not None:
        label = {"paid": _("Amount paid"), "refund_due": _("Amount to be refunded"),
                 "refunded": _("Amount refunded")}.get(action, _("Amount to pay"))
        facts.append((t(label), format_money(_amount(dossier, event))))
    if action == "processed":
        place = RESULT_PLACES.get(dossier.result_channel, RESULT_PLACES["counter"])
        facts.append((t(_("Where to get the result")), t(_(place, mapping={
            "agency": agency_name, "address": dossier.postal_address or ""}))))
    if action == "return_result":
        facts.append((t(_("Time of return")), format_datetime(dossier.returned_at or event.at)))
        if _details(event).get("tracking"):
            facts.append((t(_("Postal tracking number")), str(_details(event)["tracking"])))
    # a supplement request's note repeats its papers (listed above): only its own guidance is added
    note = (_details(event).get("note") if action == "request_supplement" else event.note) or ""
    note = note.strip()
    if note:
        facts.append((t(_("Reason") if action in REASONED else _("Note")), note))
    if own_path:
        link_label, url = t(_("Follow it under \u201cMy dossiers\u201d")), public_url + own_path
    else:
        link_label, url = t(_("Look it up with its code and the lookup secret on your receipt")), \
            lookup_url(public_url, lookup_path, dossier.code)
    composed = Composed(
        kind=f"dossier.{action}", subject=t(_(SUBJECTS[action], mapping=mapping)), greeting=_greeting(dossier, t),
        headline=t(_(HEADLINES[action], mapping=mapping)), facts=facts,
        items_heading=t(_("Papers to add")) if action == "request_supplement" else "",
        items=_papers(event) if action == "request_supplement" else [],
        link_label=link_label, url=url,
        rate_label=t(_("Please tell us how satisfied you are with how your dossier was handled")) if rate_path else "",
        rate_url=public_url + rate_path if rate_path else "",
        closing=t(_("This message was sent by the public services portal; please do not reply to it.")))
    composed.sms = short_text(dossier, action, state, t, lookup_url(public_url, lookup_path, dossier.code),
                              _amount(dossier, event))
    return composed


def lookup_url(public_url, lookup_path, code):
    """The public lookup's address with the dossier's code filled in."""
    return f"{public_url}{lookup_path}?{urlencode({'ma': code})}"


def _greeting(dossier, t):
    """"Kính gửi Ông/Bà Nguyễn Văn An," (an organisation by its name alone)."""
    name = (dossier.applicant_name or "").strip()
    if not name:
        return t(_("Dear applicant,"))
    if dossier.applicant_kind == "organisation":
        return t(_("Dear ${name},", mapping={"name": name}))
    return t(_("Dear Mr/Ms ${name},", mapping={"name": name}))


def short_text(dossier, action, state, translate, lookup_url, amount=None):
    """The text message: the code and state, then what fits of the apology
    with the new date, the date or amount, and the lookup's address
    (``lookup_url``, the code filled in), within TEXT_LIMIT characters."""
    t = translate
    parts = [t(_("Dossier ${code}: ${state}.", mapping={"code": dossier.code, "state": state}))]
    if action == "request_payment" and amount is not None:
        parts.append(t(_("To pay: ${amount}.", mapping={"amount": format_money(amount)})))
    elif action == "paid" and amount is not None:
        parts.append(t(_("Paid: ${amount}.", mapping={"amount": format_money(amount)})))
    elif action == "request_supplement":
        parts.append(t(_("Papers to add: see your email or the lookup.")))
    elif action == "apology" and dossier.appointment_at is not None:
        parts.append(t(_("We apologise for the delay: the result will be returned on ${when}.",
                         mapping={"when": format_datetime(dossier.appointment_at)})))
    elif action in ("receive", "supplement", "submit") and dossier.appointment_at is not None:
        parts.append(t(_("Result on ${when}.", mapping={"when": format_datetime(dossier.appointment_at)})))
    parts.append(t(_("Lookup: ${url}", mapping={"url": lookup_url})))
    text = parts[0][:TEXT_LIMIT]
    for part in parts[1:]:
        if len(text) + 1 + len(part) <= TEXT_LIMIT:
            text += " " + part
    return text


def render_html(composed, templates_dir):
    """The HTML alternative of the email: ``templates/notify/dossier_email.jinja2``,
    every value escaped."""
    environment = _environments.get(templates_dir)
    if environment is None:
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=True)
        _environments[templates_dir] = environment
    return environment.get_template(TEMPLATE).render(message=composed)


_environments = {}
_PHONE = re.compile(r"^\+?\d{9,15}$")


def usable_phone(phone):
    """``phone`` without spaces, dots and dashes if it looks like a phone
    number (9 to 15 digits, maybe a leading +), else None."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    return digits if _PHONE.match(digits) else None


def usable_email(value):
    try:
        return address(value).addr_spec if value else None
    except ValueError:
        return None


def recipients(request, dossier, action):
    """(email or None, phone or None) to tell about ``action`` (see the module)."""
    from ..accounts.models import User
    from ..accounts.services import confirmed_email

    if dossier.channel == "online":
        account = request.dbsession.get(User, dossier.applicant_id) if dossier.applicant_id else None
        email = confirmed_email(account)
    else:
        email = dossier.applicant_email
    phone = None if (action == "submit" and dossier.channel == "online") else dossier.applicant_phone
    return usable_email(email), usable_phone(phone)


def _agency_name(request, code):
    from ..catalog.interfaces import ICatalogService

    agency = request.find_service(ICatalogService).agency(code) if code else None
    return agency.name if agency is not None else (code or "")


def _rate_path(request, dossier, event):
    """The rating page's path (eservices.ratings) for the mail saying the
    result was returned, when the applicant has an account to rate with
    (signed out, the page goes through signing in); else None."""
    if event.action != "return_result" or not dossier.applicant_id:
        return None
    return request.route_path("dossier_rate", code=dossier.code)


def tell_applicant(request, dossier, event, *, secret=None, now=None):
    """Write in the request's transaction the messages telling the
    applicant of ``event`` (a DossierEvent of ``dossier``): an email and,
    when ``congdichvu.sms`` is not "none", a text. Nothing for an action
    that does not concern them (a hand-over, a transfer, a sign-off) or
    when they left no way to reach them. ``secret``: the lookup secret,
    in the submission's mail only. Returns the Notification rows written."""
    if event is None or event.action not in APPLICANT_ACTIONS:
        return []
    outbox = request.registry["notify_outbox"]
    email, phone = recipients(request, dossier, event.action)
    if email is None and (phone is None or not outbox.serves(SMS)):
        return []
    settings = request.registry.settings
    composed = compose(
        dossier, event, translate=official_translate(request.registry),
        agency_name=_agency_name(request, dossier.agency_code if event.action == "submit"
                                 else dossier.handling_agency_code),
        public_url=settings["congdichvu.public_url"].rstrip("/"),
        lookup_path=request.route_path("dossier_lookup"),
        own_path=request.route_path("dossier", code=dossier.code) if dossier.applicant_id else None,
        secret=secret, rate_path=_rate_path(request, dossier, event))
    written = []
    if email is not None:
        written.append(enqueue(request.dbsession, kind=composed.kind, dossier_id=dossier.id, channel=EMAIL,
                               recipient=email, subject=composed.subject, body_text=composed.text(),
                               body_html=render_html(composed, Path(settings["congdichvu.templates_dir"])),
                               now=now))
    if phone is not None and outbox.serves(SMS):
        written.append(enqueue(request.dbsession, kind=composed.kind, dossier_id=dossier.id, channel=SMS,
                               recipient=phone, subject="", body_text=composed.sms, now=now))
    return written
