"""The notifier interfaces: what the outbox needs to deliver a message,
and what an SMS or Zalo provider's adapter must offer."""
from zope.interface import Interface


class INotifier(Interface):
    def send(message):
        """Deliver one outbox row (``notify.models.Notification``: its
        ``channel``, ``recipient``, ``subject``, ``body_text``,
        ``body_html``) now, outside any transaction. Returns when the
        message has left; raises on failure (the outbox counts the attempt
        and tries again later)."""


class ITextMessenger(Interface):
    def send_text(phone, text):
        """Send the short ``text`` (at most ``senders.TEXT_LIMIT``
        characters, Vietnamese with its accents) to the mobile ``phone``
        (digits as the applicant gave them, e.g. "0912345678") now, by SMS
        or a Zalo message. Raises on failure."""
