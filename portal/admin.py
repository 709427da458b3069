"""``portal user create`` and ``portal demo``: the community's command-line side."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from core.roles import ROLES
from core.settings import Settings
from functions import accounts, models
from functions.store import Conflict, open_store

PASSWORD_VARIABLE = "PORTAL_USER_PASSWORD"


def add_arguments(commands: argparse._SubParsersAction) -> None:
    """The ``user`` and ``demo`` commands' arguments."""
    user = commands.add_parser("user", help="manage community accounts")
    actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help=f"create an account; the password comes from {PASSWORD_VARIABLE} or a prompt",
    )
    create.add_argument("name", metavar="NAME", help="the username")
    create.add_argument("--role", choices=ROLES, default="member", help="the role")
    create.add_argument("--email", help="the email address (default NAME@users.invalid)")
    commands.add_parser("demo", help="load a demo community (idempotent)")


def user(settings: Settings, args: argparse.Namespace) -> int:
    email = args.email or f"{args.name}@users.invalid"
    problems = _invalid({"username": args.name, "email": email, "password": "x" * 10})
    if problems:
        print(f"portal user create: {problems}", file=sys.stderr)
        return 2
    password = os.environ.get(PASSWORD_VARIABLE) or _prompt_password()
    if password is None:
        return 2
    if len(password) < 10:
        print("portal user create: the password needs at least 10 characters.", file=sys.stderr)
        return 2
    store = open_store(settings.store)
    try:
        created = accounts.create_user(store, args.name, email, password, role=args.role)
    except Conflict as taken:
        print(f"portal user create: that {taken.field} is already taken.", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Created {created.role} {created.username} (id {created.id}).")
    return 0


def _invalid(fields: dict[str, str]) -> str | None:
    from pydantic import ValidationError

    try:
        models.SignUp.model_validate(fields)
    except ValidationError as error:
        from functions.openapi import describe

        return " ".join(f"{item['field']}: {item['message']}" for item in describe(error))
    return None


def _prompt_password() -> str | None:
    first = getpass.getpass("Password (10 characters or more): ")
    if first != getpass.getpass("Password again: "):
        print("portal user create: the passwords differ; nothing was created.", file=sys.stderr)
        return None
    return first


def demo(settings: Settings, args: argparse.Namespace) -> int:
    from functions.demo import load

    store = open_store(settings.store)
    try:
        report = load(store)
    finally:
        store.close()
    print(
        f"Demo community: {report['users']} users, {report['questions']} questions, "
        f"{report['answers']} answers ({report['added']} questions added now)."
    )
    return 0
