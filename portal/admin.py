"""``portal user create``, ``portal user points``, ``portal demo`` and ``portal promote``:
the community's command-line side."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys

from core.roles import ROLES
from core.settings import Settings
from functions import accounts, models
from functions.store import Conflict, open_store, utcnow

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
    password = actions.add_parser(
        "password",
        help=f"set a member's password (from {PASSWORD_VARIABLE} or a prompt) and end their "
        "sessions",
    )
    password.add_argument("name", metavar="NAME", help="the username")
    points = actions.add_parser(
        "points", help="give a member points (or take some with a negative number)"
    )
    points.add_argument("name", metavar="NAME", help="the username")
    points.add_argument("points", metavar="POINTS", type=int, help="how many (-1000 to 1000)")
    points.add_argument("--reason", required=True, help="why, as the member's points list says")
    commands.add_parser("demo", help="load a demo community (idempotent)")
    promote = commands.add_parser(
        "promote", help="make an answer a knowledge-base page, as a moderator does on its page"
    )
    promote.add_argument("answer", metavar="ANSWER_ID", type=int, help="the answer's id")
    promote.add_argument("--by", required=True, help="the moderator or admin promoting it")
    promote.add_argument("--title", help="the page's title (default: the question's)")
    promote.add_argument("--summary", help="the page's summary (default: the answer's start)")
    promote.add_argument("--tags", help="comma-separated tags (default: the question's)")
    promote.add_argument("--lang", help="the page's language (default: the question's)")
    promote.add_argument("--undo", action="store_true", help="take the page away again")


def user(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "points":
        return _points(settings, args)
    if args.action == "password":
        return _password(settings, args)
    email = args.email or f"{args.name}@users.invalid"
    # The name and email are checked before the password is asked for.
    problems = _invalid({"username": args.name, "email": email, "password": secrets.token_hex()})
    if problems:
        print(f"portal user create: {problems}", file=sys.stderr)
        return 2
    password = os.environ.get(PASSWORD_VARIABLE) or _prompt_password()
    if password is None:
        return 2
    problems = _invalid({"username": args.name, "email": email, "password": password})
    if problems:
        print(f"portal user create: {problems}", file=sys.stderr)
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


def _password(settings: Settings, args: argparse.Namespace) -> int:
    """A new password for a member (when the portal sends no email to reset it), ending
    every session they have."""
    store = open_store(settings.store)
    try:
        member = store.user_by_username(args.name)
        if member is None:
            print(f"portal user password: there is no member {args.name}.", file=sys.stderr)
            return 1
        password = os.environ.get(PASSWORD_VARIABLE) or _prompt_password()
        if password is None:
            return 2
        problems = _invalid(
            {"username": member.username, "email": member.email, "password": password}
        )
        if problems:
            print(f"portal user password: {problems}", file=sys.stderr)
            return 2
        accounts.set_password(store, member, password)
    finally:
        store.close()
    print(f"Set a new password for {member.username}; their sessions have ended.")
    return 0


def _points(settings: Settings, args: argparse.Namespace) -> int:
    """Points for a member, as a moderator gives them on the API: booked by ``portal work``."""
    problems = _invalid({"points": args.points, "reason": args.reason}, models.GrantRequest)
    if problems or args.points == 0:
        print(f"portal user points: {problems or 'give a number other than 0.'}", file=sys.stderr)
        return 2
    store = open_store(settings.store)
    try:
        member = store.user_by_username(args.name)
        if member is None:
            print(f"portal user points: there is no member {args.name}.", file=sys.stderr)
            return 1
        store.grant_points(member.id, args.points, args.reason.strip(), None, utcnow())
    finally:
        store.close()
    print(f"Gave {member.username} {args.points} points; portal work books them.")
    return 0


def _invalid(fields: dict, model: type = models.SignUp) -> str | None:
    from pydantic import ValidationError

    try:
        model.model_validate(fields)
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
    from search_index.pages import PageDirectory

    store = open_store(settings.store)
    try:
        report = load(store, pages=PageDirectory(settings.index_dir).keys())
    finally:
        store.close()
    print(
        f"Demo community: {report['users']} users, {report['questions']} questions, "
        f"{report['answers']} answers ({report['added']} questions added now), "
        f"{report['votes']} readers' votes on pages added."
    )
    return 0


def promote(settings: Settings, args: argparse.Namespace) -> int:
    """The same as a moderator's promotion through the API; ``portal work`` (or ``portal
    serve``) publishes it."""
    from core.roles import is_staff
    from functions import content, errors, promotion
    from functions.store import utcnow

    store = open_store(settings.store)
    try:
        moderator = store.user_by_username(args.by)
        answer = store.answer(args.answer)
        question = store.question(answer.question_id) if answer else None
        if moderator is None or not is_staff(moderator.role):
            print(f"portal promote: {args.by!r} is not a moderator or admin.", file=sys.stderr)
            return 2
        if answer is None or question is None:
            print(f"portal promote: there is no answer {args.answer}.", file=sys.stderr)
            return 1
        if args.undo:
            if not store.unpromote(answer.id, utcnow(), actor_id=moderator.id, reason=None):
                print(f"portal promote: answer {answer.id} is not promoted.", file=sys.stderr)
                return 1
            print(f"Answer {answer.id} leaves the knowledge base once portal work publishes.")
            return 0
        tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()] if args.tags else []
        page = {
            "title": args.title or question.title[:120],
            "summary": args.summary or content.excerpt(answer.body_html, 300),
            "tags": tags,
            "lang": args.lang,
        }
        problems = _invalid(page, models.PromotionRequest)
        if problems:
            print(f"portal promote: {problems}", file=sys.stderr)
            return 2
        try:
            lang = promotion.promote(
                store, moderator, answer, page["title"], page["summary"], tags, args.lang,
                utcnow(),
            )  # fmt: skip
        except errors.DomainError as refused:
            print(f"portal promote: {refused.detail}", file=sys.stderr)
            return 1
        print(
            f"Answer {answer.id} is promoted: {settings.site_url}"
            f"{promotion.page_address(answer.id, lang)} once portal work publishes it."
        )
        return 0
    finally:
        store.close()
