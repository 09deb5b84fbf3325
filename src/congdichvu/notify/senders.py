"""The notifiers: email through pyramid_mailer's backend (the SMTP Mailer
in production, files under ``{data_dir}/mail`` in development), and short
texts through an ``ITextMessenger`` (files under ``{data_dir}/sms`` in
development; a provider's adapter in production).

Settings: ``congdichvu.mailer`` (``file`` | ``smtp``, as for account mail,
see congdichvu.mail) and ``congdichvu.sms`` (``file`` | ``none``: with
``none`` no text message is ever written to the outbox).
"""
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pyramid_mailer.message import Message
from zope.interface import implementer

from ..mail import address, header_value, make_backend
from .interfaces import INotifier, ITextMessenger

EMAIL, SMS = "email", "sms"
#: Vietnamese with diacritics goes as UCS-2: 70 characters in a single
#: part, 67 in each part of a concatenated text; a text is kept within
#: four parts, room for the code, the state, a date and the lookup's link
TEXT_PART, TEXT_PARTS = 67, 4
TEXT_LIMIT = TEXT_PART * TEXT_PARTS
SMS_CHOICES = ("file", "none")


class UnknownChannel(Exception):
    """An outbox row names a channel no notifier serves (a setting changed)."""


@implementer(INotifier)
class EmailNotifier:
    """Email: ``backend`` is pyramid_mailer's (anything with
    ``send_immediately(message)``); ``sender`` an address ("Name <box@host>")."""

    def __init__(self, backend, sender):
        self.backend, self.sender = backend, address(sender)

    def message(self, notification):
        """The pyramid_mailer Message for ``notification``: plain text, and
        its HTML alternative when the row has one."""
        return Message(subject=notification.subject, sender=header_value(self.sender),
                       recipients=[header_value(notification.recipient)], body=notification.body_text,
                       html=notification.body_html or None)

    def send(self, notification):
        self.backend.send_immediately(self.message(notification))


@implementer(INotifier)
class TextNotifier:
    """Short texts through ``messenger`` (an ITextMessenger)."""

    def __init__(self, messenger):
        self.messenger = messenger

    def send(self, notification):
        self.messenger.send_text(notification.recipient, notification.body_text)


@implementer(ITextMessenger)
class FileTextMessenger:
    """Development: each text is a file under ``directory`` (like
    pyramid_mailer's DebugMailer), named by the time and a random part,
    holding "To: <phone>", a blank line and the text, in UTF-8."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def send_text(self, phone, text):
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
        temporary = self.directory / f".{name}"
        temporary.write_text(f"To: {phone}\n\n{text}\n", encoding="utf-8")
        os.replace(temporary, self.directory / name)  # a reader never sees half a message


@implementer(INotifier)
class ChannelNotifier:
    """The notifier of the outbox: each row goes to the notifier of its
    channel (``notifiers``: {"email": INotifier, "sms": INotifier})."""

    def __init__(self, notifiers):
        self.notifiers = dict(notifiers)

    def serves(self, channel):
        return channel in self.notifiers

    def send(self, notification):
        notifier = self.notifiers.get(notification.channel)
        if notifier is None:
            raise UnknownChannel(f"no notifier for the channel {notification.channel!r}")
        notifier.send(notification)


def sms_setting(settings):
    """``congdichvu.sms`` (default ``none``); ValueError for another value,
    so a typo fails at start-up."""
    value = (settings.get("congdichvu.sms") or "none").strip()
    if value not in SMS_CHOICES:
        raise ValueError(f"congdichvu.sms must be one of {', '.join(SMS_CHOICES)} (got {value!r})")
    return value


def make_messenger(settings):
    """The ITextMessenger the settings name, or None (``congdichvu.sms = none``)."""
    if sms_setting(settings) == "file":
        return FileTextMessenger(Path(settings["congdichvu.data_dir"]) / "sms")
    return None


def make_notifier(settings, backend=None, messenger=None):
    """The ChannelNotifier for ``settings``: email always, texts when a
    messenger is configured. ``backend`` defaults to mail.make_backend's."""
    backend = backend if backend is not None else make_backend(settings)
    notifiers = {EMAIL: EmailNotifier(backend, settings.get("mail.default_sender", "no-reply@localhost"))}
    messenger = messenger if messenger is not None else make_messenger(settings)
    if messenger is not None:
        notifiers[SMS] = TextNotifier(messenger)
    return ChannelNotifier(notifiers)
