"""Sending mail: a service behind IMailer, so views never know the backend.

Development writes each message as a file under ``{data_dir}/mail`` (open
them to follow a link); production sends through SMTP (``mail.host``,
``mail.port``, ``mail.username``, ``mail.tls``; the password from
CONGDICHVU_MAIL_PASSWORD). A message leaves only if the request's
transaction commits: a failed request sends nothing.
"""
import logging
from pathlib import Path

from pyramid_mailer.mailer import DebugMailer, Mailer
from pyramid_mailer.message import Message
from zope.interface import Interface, implementer

log = logging.getLogger(__name__)


class IMailer(Interface):
    def send(recipient, subject, body):
        """Send ``body`` (plain text) to ``recipient`` once the transaction commits."""


@implementer(IMailer)
class TransactionalMailer:
    def __init__(self, backend, sender, transaction_manager):
        self.backend, self.sender, self.tm = backend, sender, transaction_manager

    def send(self, recipient, subject, body):
        message = Message(subject=subject, sender=self.sender, recipients=[recipient], body=body)

        def deliver(committed):
            if not committed:
                return
            try:
                self.backend.send_immediately(message)
            except Exception:  # the change is committed; the person can ask again
                log.exception("could not send mail to %s", recipient)

        self.tm.get().addAfterCommitHook(deliver)


def make_backend(settings):
    if settings.get("congdichvu.mailer", "file") == "smtp":
        return Mailer.from_settings(settings, prefix="mail.")
    return DebugMailer(str(Path(settings["congdichvu.data_dir"]) / "mail"))


def includeme(config):
    settings = config.get_settings()
    backend = make_backend(settings)
    sender = settings.get("mail.default_sender", "no-reply@localhost")

    def mailer_factory(context, request):
        return TransactionalMailer(backend, sender, request.tm)

    config.register_service_factory(mailer_factory, IMailer)
