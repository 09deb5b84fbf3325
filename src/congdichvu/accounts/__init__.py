"""Accounts: users and roles, signing in and out, passwords, the audit log."""
from pyramid.csrf import get_csrf_token
from pyramid.threadlocal import get_current_request

from .models import ROLE_LABELS


def _csrf_token():
    return get_csrf_token(get_current_request())


def includeme(config):
    config.scan(".views")
    config.scan(".admin_views")

    def register_template_globals():
        config.get_jinja2_environment().globals.update(get_csrf_token=_csrf_token, role_labels=ROLE_LABELS)

    config.action(None, register_template_globals, order=999)
