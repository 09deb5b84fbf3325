"""Sending mail: a service behind IMailer, so views never know the backend.

Development writes each message as a file under ``{data_dir}/mail`` (open
them to follow a link); production sends through SMTP (``mail.host``,
``mail.port``, ``mail.username``, ``mail.tls``; the password from
CONGDICHVU_MAIL_PASSWORD). A message leaves only if the request's
transaction commits: a failed request sends nothing. Through SMTP it
leaves from a background thread, so no answer waits for the mail server,
and how long an answer takes does not tell whether a mail was sent (e.g.
whether "forgot password" found an account).
"""
import logging
from email.headerregistry import Address
from email.utils import formataddr, parseaddr
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pyramid_mailer.mailer import DebugMailer, Mailer
from pyramid_mailer.message import Message
from zope.interface import Interface, implementer

log = logging.getLogger(__name__)


class IMailer(Interface):
    def send(recipient, subject, body):
        """Send ``body`` (plain text) to ``recipient`` (an address, or an
        ``email.headerregistry.Address`` with a name) once the transaction commits."""


def address(value):
    """``value`` as an ``Address``: "Name <box@host>", "box@host" or an
    Address already. Raises ValueError when it holds no address."""
    if isinstance(value, Address):
        return value
    name, addr_spec = parseaddr(value or "")
    if "@" not in addr_spec:
        raise ValueError(f"not an email address: {value!r}")
    return Address(display_name=name, addr_spec=addr_spec)


def header_value(value):
    """An address as a header value in ASCII: the display name alone is
    encoded (RFC 2047) and the address stays as it is. pyramid_mailer
    writes header values as given and would otherwise encode
    "Cổng Dịch vụ công <no-reply@localhost>" as one word, leaving the
    From header with no address at all."""
    value = address(value)
    return formataddr((value.display_name, value.addr_spec), charset="utf-8")


@implementer(IMailer)
class TransactionalMailer:
    """``executor`` (optional, a concurrent.futures executor) delivers off
    the request's thread; without one, delivery happens right after commit."""

    def __init__(self, backend, sender, transaction_manager, executor=None):
        self.backend, self.sender, self.tm, self.executor = backend, address(sender), transaction_manager, executor

    def message(self, recipient, subject, body):
        """The pyramid_mailer Message that ``send`` delivers."""
        return Message(subject=subject, sender=header_value(self.sender), recipients=[header_value(recipient)],
                       body=body)

    def send(self, recipient, subject, body):
        message = self.message(recipient, subject, body)

        def deliver(committed):
            if not committed:
                return
            if self.executor is not None:
                self.executor.submit(self._deliver, message)
            else:
                self._deliver(message)

        self.tm.get().addAfterCommitHook(deliver)

    def _deliver(self, message):
        try:
            self.backend.send_immediately(message)
        except Exception:  # the change is committed; the person can ask again
            log.exception("could not send mail to %s", ", ".join(message.recipients))


def make_backend(settings):
    if settings.get("congdichvu.mailer", "file") == "smtp":
        return Mailer.from_settings(settings, prefix="mail.")
    return DebugMailer(str(Path(settings["congdichvu.data_dir"]) / "mail"))


def delivery_executor(backend):
    """A background thread for a mail server (SMTP); None for the files
    written in development, which cost nothing to wait for."""
    if not isinstance(backend, Mailer):
        return None
    # one thread, mails in order; Python waits for it to empty its queue at exit
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")


def includeme(config):
    settings = config.get_settings()
    backend = make_backend(settings)
    sender = address(settings.get("mail.default_sender", "no-reply@localhost"))  # parsed once, fails at start-up
    executor = delivery_executor(backend)

    def mailer_factory(context, request):
        return TransactionalMailer(backend, sender, request.tm, executor)

    config.register_service_factory(mailer_factory, IMailer)
