"""congdichvu-user: create accounts from the console.

    congdichvu-user add development.ini --username admin --role admin --full-name "Quản trị" [--email ...]
        (the password is asked for, or read from CONGDICHVU_NEW_PASSWORD)
    congdichvu-user demo development.ini      # demo accounts, for development only

What is typed here is read as the web reads a form (``inputs.normalise_text``:
NFC, no control characters): a terminal may send Vietnamese decomposed (NFD),
and a password set that way could otherwise never be typed at sign-in.
Names are checked as sign-in compares them (accounts.identity): a username,
email or phone that another account already has in any case or any written
form is refused in words, as is an email or phone the web would not accept.
"""
import argparse
import getpass
import os
import sys

import colander
from sqlalchemy import select

from ..accounts import services
from ..accounts.identity import name_key
from ..accounts.models import ROLES, User
from ..accounts.passwords import MIN_LENGTH
from ..accounts.schemas import email_format, phone_format
from ..inputs import ungrouped
from ..catalog.models import Agency
from ..i18n import _, official_translate
from ..inputs import normalise_text
from . import script_env, utf8_stdout

#: (username, roles, full name, agency code) — passwords are "<username>-demo-2026"
DEMO_ACCOUNTS = (
    ("admin", ["admin"], "Quản trị hệ thống", None),
    ("editor", ["editor"], "Biên tập viên", "H56.01"),
    ("reviewer", ["reviewer"], "Người duyệt nội dung", "H56.01"),
    ("officer", ["officer"], "Cán bộ một cửa", "H56.01"),
    ("leader", ["leader"], "Lãnh đạo UBND thành phố", "H56.01"),
    ("officer.pdp", ["officer"], "Cán bộ một cửa phường Phan Đình Phùng", "H56.01.P08"),
    ("leader.pdp", ["leader"], "Chủ tịch UBND phường Phan Đình Phùng", "H56.01.P08"),
    ("citizen", ["citizen"], "Nguyễn Văn An", None),
)
DEMO_PASSWORD = "{username}-demo-2026"


def _password(say, out):
    """The new password, read as the web reads one (NFC), or None."""
    password = normalise_text(os.environ.get("CONGDICHVU_NEW_PASSWORD") or "")
    if not password:
        password = normalise_text(getpass.getpass(say(_("Password: "))))
        if password != normalise_text(getpass.getpass(say(_("Password again: ")))):
            print(say(_("The two passwords differ.")), file=out)
            return None
    if len(password) < MIN_LENGTH:
        print(say(_("The password must have at least ${min} characters.", mapping={"min": MIN_LENGTH})), file=out)
        return None
    return password


def _too_long(say, args, out):
    """Whether a value is longer than its column (the database would refuse it)."""
    for option, column in (("--username", "username"), ("--full-name", "full_name"), ("--email", "email"),
                           ("--phone", "phone")):
        value, size = getattr(args, column), User.__table__.c[column].type.length
        if value and len(value) > size:
            print(say(_("${option} may have at most ${max} characters.", mapping={"option": option, "max": size})),
                  file=out)
            return True
    return False


def _not_accepted(say, args, out):
    """Whether the email or phone is one the web would refuse (the same
    checks), or a username looks like an email that is not the account's:
    signing in with that address would reach this account, not its owner's."""
    checks = (("--email", args.email, email_format()), ("--phone", args.phone and ungrouped(args.phone),
                                                         phone_format()))
    for option, value, validator in checks:
        try:
            if value:
                validator(colander.SchemaNode(colander.String()), value)
        except colander.Invalid as invalid:
            print(f"{option}: {say(invalid.messages()[0])}", file=out)
            return True
    if "@" in args.username and name_key(args.username) != name_key(args.email):
        print(say(_("A username with @ must be the account's own email (--email).")), file=out)
        return True
    return False


def _taken(say, db, args, out):
    """Whether another account already signs in with the username, email
    or phone given (any case, any written form of a number)."""
    taken = services.names_taken(db, {"username": args.username, "email": args.email, "phone": args.phone})
    if not taken:
        return False
    name, value, owner = taken[0]
    print(say(_("${option} ${value} is taken: the account ${name} signs in with it.",
                mapping={"option": f"--{name}", "value": value, "name": owner.username})), file=out)
    return True


def add(env, args, out):
    # operators read Vietnamese; the words still come from the catalogue
    say = official_translate(env["registry"])
    if _too_long(say, args, out) or _not_accepted(say, args, out):
        return 1
    password = _password(say, out)
    if password is None:
        return 1
    request = env["request"]
    with request.tm:
        db = request.dbsession
        if _taken(say, db, args, out):
            return 1
        agency = db.scalar(select(Agency).where(Agency.code == args.agency)) if args.agency else None
        if args.agency and agency is None:
            print(say(_("No agency has the code ${code}.", mapping={"code": args.agency})), file=out)
            return 1
        problems = services.staff_problems(args.role, agency)  # the administrators' page's rules
        if problems:
            print(say(problems[0][1]), file=out)
            return 1
        user = services.create_user(
            db, args.username, password, args.full_name, args.role, email=args.email, phone=args.phone, agency=agency
        )
        services.record(db, "user.created", target=user.username, details={"roles": user.roles, "by": "console"})
    print(say(_("Account ${name} created (${roles}).", mapping={"name": args.username, "roles": ", ".join(args.role)})),
          file=out)
    return 0


def demo(env, out):
    """The demo accounts, for development only: never on a production database."""
    request, say = env["request"], official_translate(env["registry"])
    with request.tm:
        db = request.dbsession
        for username, roles, full_name, agency_code in DEMO_ACCOUNTS:
            if services.account_named(db, username) is not None:
                continue
            agency = db.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
            services.create_user(
                db, username, DEMO_PASSWORD.format(username=username), full_name, roles,
                email=f"{username}@example.invalid", agency=agency,
            )
            print(say(_("Demo account: ${name} / ${password}",
                        mapping={"name": username, "password": DEMO_PASSWORD.format(username=username)})), file=out)
    return 0


def main(argv=None, out=None):
    utf8_stdout()
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="congdichvu-user", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    adding = sub.add_parser("add", help="create an account")
    adding.add_argument("config_uri")
    adding.add_argument("--username", required=True)
    adding.add_argument("--full-name", required=True)
    adding.add_argument("--role", action="append", choices=ROLES, required=True)
    adding.add_argument("--email")
    adding.add_argument("--phone")
    adding.add_argument("--agency", help="agency code, for staff scoped to an agency")
    demo_parser = sub.add_parser("demo", help="create the demo accounts (development only)")
    demo_parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    for name, value in vars(args).items():  # typed text, read as the web reads a form
        if isinstance(value, str) and name != "config_uri":
            setattr(args, name, normalise_text(value).strip())
    env = script_env(args.config_uri)
    try:
        return add(env, args, out) if args.action == "add" else demo(env, out)
    finally:
        env["closer"]()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
