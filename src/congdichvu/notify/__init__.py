"""Telling citizens and staff: a notifier interface (email; SMS/Zalo
adapters), and a notification outbox sent after commit, with retries.

The API, one home:

- ``enqueue(dbsession, *, kind, dossier_id, channel, recipient, subject,
  body_text, body_html=None, now=None)`` writes one message in the
  caller's transaction (outbox.enqueue);
- ``tell_applicant(request, dossier, event, *, secret=None, now=None)``
  writes the messages telling the applicant of a change of their dossier
  (messages.tell_applicant);
- ``request.registry["notify_outbox"]`` (outbox.Outbox) sends them: after
  commit in the web process, and ``process_due()`` for the worker
  (``congdichvu-notify process``).
"""
from .outbox import enqueue  # noqa: F401


def tell_applicant(request, dossier, event, *, secret=None, now=None):
    """See messages.tell_applicant (imported when first used: this package
    loads with the models, before the views it reads the state words from)."""
    from .messages import tell_applicant as tell

    return tell(request, dossier, event, secret=secret, now=now)


def includeme(config):
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker

    from ..mail import make_backend
    from .interfaces import INotifier, ITextMessenger
    from .outbox import Outbox, make_executor
    from .senders import make_messenger, make_notifier

    settings = config.get_settings()
    registry = config.registry
    backend, messenger = make_backend(settings), make_messenger(settings)  # a wrong congdichvu.sms fails here
    notifier = make_notifier(settings, backend=backend, messenger=messenger)
    # the sender's own short sessions, outside any request; nothing expires
    # at commit, so a row read before a send is still readable after it
    sessions = sessionmaker(bind=registry["dbengine"], expire_on_commit=False)
    outbox = Outbox(sessions, notifier, make_executor(backend))
    registry["notify_outbox"] = outbox
    factory = registry["dbsession_factory"]
    event.listen(factory, "after_commit", outbox.after_commit)
    event.listen(factory, "after_soft_rollback", outbox.forget)
    config.register_service(notifier, INotifier)
    if messenger is not None:
        config.register_service(messenger, ITextMessenger)
