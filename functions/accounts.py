"""Accounts: sign up, sign in and out, the session's CSRF token, public profiles, the
account page (email, email notifications, a new password, signing out everywhere) and
password resets by email.

Passwords are hashed with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory
profile). Failed sign-ins and sign-ups are counted in the store (see functions/limits.py),
so password guessing is slow whichever worker process answers.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint, current_app
from flask import session as flask_session

from core.roles import Role
from core.urls import RESET_PAGE
from functions import limits, models, standing, web, wording
from functions.community import limit_reached
from functions.errors import Invalid, NotFound, field
from functions.openapi import route
from functions.problems import Problem
from functions.store import Mail, Store, User, later, utcnow

bp = Blueprint("accounts", __name__, url_prefix="/api")
_hasher = PasswordHasher()


@cache
def _unknown_user_hash() -> str:
    """Verified when the username is unknown, so a wrong name takes as long as a wrong
    password (made on first use: a hash costs a cold start 130 ms)."""
    return _hasher.hash("not anybody's password")


def user_out(user: User) -> models.UserOut:
    return models.UserOut(
        id=user.id, username=user.username, role=user.role, created_at=user.created_at
    )


def create_user(
    store: Store, username: str, email: str, password: str, role: Role = "member", now: str = ""
) -> User:
    """A new account; raises :class:`Conflict` naming a taken username or email."""
    return store.create_user(username, email, _hasher.hash(password), role, now or utcnow())


def set_password(store: Store, user: User, password: str, how: str = "set") -> None:
    """A new password for ``user``; every session they have ends."""
    store.set_password(user.id, _hasher.hash(password), how, utcnow())


def _session() -> models.SessionOut:
    user = web.current_user()
    return models.SessionOut(
        user=user_out(user) if user else None,
        csrf_token=web.csrf_token(),
        standing=standing.standing(user) if user else None,
        mail=_mail_configured(),
    )


@route(
    bp,
    "POST",
    "/accounts",
    summary="Create an account and sign in",
    body=models.SignUp,
    response=models.UserOut,
    status=201,
)
def sign_up(body: models.SignUp) -> models.UserOut:
    store, now = web.store(), utcnow()
    if limited := web.count_by_address(limits.SIGN_UPS, now):
        raise limit_reached(limited)
    user = create_user(store, body.username, body.email, body.password, now=now)
    web.sign_in(user)
    return user_out(user)


@route(
    bp,
    "GET",
    "/session",
    summary="Who is signed in, and the CSRF token",
    response=models.SessionOut,
)
def session() -> models.SessionOut:
    user = web.current_user()
    if user is not None:
        _visited(user)
    return _session()


def _visited(user: User) -> None:
    """A signed-in member's first request of a day is a visit (streak badges count them)."""
    now = utcnow()
    if flask_session.get("visited") != now[:10]:
        web.store().record_visit(user.id, now)
        flask_session["visited"] = now[:10]


@route(bp, "POST", "/session", summary="Sign in", body=models.SignIn, response=models.SessionOut)
def sign_in(body: models.SignIn) -> models.SessionOut:
    store, now = web.store(), utcnow()
    username = body.username.strip()
    counted = [
        (limits.FAILED_SIGN_IN_USERNAME, username.casefold()),
        (limits.FAILED_SIGN_IN_ADDRESS, limits.address_key(web.client_address())),
    ]
    window = limits.since(limits.SIGN_IN_WINDOW, now)
    limited = limits.sign_in_failures(*(store.attempts(*entry, window) for entry in counted), now)
    if limited:
        raise limit_reached(limited)
    # Counted as failed before the (slow) password check, so guesses sent in parallel
    # see each other; a right password takes it back.
    attempt_ids = store.add_attempts(counted, now, limits.attempts_expire(now))
    user = store.user_by_username(username)
    try:
        _hasher.verify(user.password_hash if user else _unknown_user_hash(), body.password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Problem("wrong_credentials", status=401)
    store.remove_attempts(attempt_ids)
    store.clear_attempts(*counted[0])
    store.record_sign_in(user.id, now)  # the health figures count who is active
    web.sign_in(user)
    return _session()


@route(bp, "DELETE", "/session", summary="Sign out", status=204)
def sign_out() -> None:
    web.sign_out()


@route(
    bp,
    "GET",
    "/users/{id}",
    summary="A member's public profile: points, level, badges and what is next",
    response=models.Profile,
)
def profile(id: int) -> models.Profile:
    store = web.store()
    user = store.user_by_id(id)
    if user is None:
        raise NotFound("no_such_member", {"id": id})
    earned = store.earned(user.id)
    viewer = web.current_user()
    return models.Profile(
        **user_out(user).model_dump(),
        question_count=user.question_count,
        answer_count=user.answer_count,
        standing=standing.standing(user),
        badges=standing.earned_out(earned),
        next_badges=standing.next_badges(store, user, earned),
        balance=user.balance if viewer is not None and viewer.id == user.id else None,
    )


# Passwords and the account page


def _verified(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _bad_field(name: str, code: str) -> Problem:
    """A 422 naming one field, as a request that fails its model's rules gets."""
    return Problem("fields_to_fix", status=422, errors=[field(name, code)])


def _mail_configured() -> bool:
    return bool(current_app.config["PORTAL_SETTINGS"].smtp_url)


def reset_email(user: User, token: str, lang: str) -> Mail:
    settings = current_app.config["PORTAL_SETTINGS"]
    link = f"{settings.site_url}{lang}/{RESET_PAGE}?token={token}"
    minutes = int(limits.RESET_LINK_VALID.total_seconds() // 60)
    return Mail(
        key=f"reset:{_token_hash(token)[:32]}",
        to=user.email,
        subject="Reset your Nimbus Care password",
        text=(
            f"Hello {user.username},\n\nSomeone (we hope you) asked to reset the password of "
            f"your Nimbus Care account. Choose a new one here within {minutes} minutes:\n\n"
            f"{link}\n\nThe link works once. If you did not ask, ignore this email: your "
            "password stays as it is.\n"
        ),
    )


@route(
    bp,
    "POST",
    "/password-resets",
    summary="Email a link to choose a new password (the same answer whether or not an "
    "account has the address)",
    body=models.PasswordResetRequest,
    status=204,
)
def request_reset(body: models.PasswordResetRequest) -> None:
    if not _mail_configured():
        raise Problem("no_email", status=503)
    store, now = web.store(), utcnow()
    email = body.email.strip()
    limited = web.count_by_address(limits.PASSWORD_RESETS, now) or web.count_by_key(
        limits.RESETS_PER_EMAIL, email.casefold(), now
    )
    if limited:
        raise limit_reached(limited)
    user = store.user_by_email(email)
    if user is None:
        return  # the same answer: nobody learns whether an account has this address
    token = secrets.token_urlsafe(32)
    expires = later(now, limits.RESET_LINK_VALID.total_seconds())
    mail = reset_email(user, token, wording.client_language())
    store.add_password_reset(_token_hash(token), user.id, now, expires, mail)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@route(
    bp,
    "POST",
    "/password-resets/confirm",
    summary="Choose a new password with the emailed link's token; every other session ends",
    body=models.PasswordReset,
    response=models.SessionOut,
)
def confirm_reset(body: models.PasswordReset) -> models.SessionOut:
    store, now = web.store(), utcnow()
    user_id = store.use_password_reset(_token_hash(body.token), now)
    if user_id is None:
        raise Invalid("reset_link_invalid")
    store.set_password(user_id, _hasher.hash(body.password), "reset", now)
    web.sign_in(store.user_by_id(user_id))
    return _session()


@route(
    bp,
    "GET",
    "/account",
    summary="Your account: email and notification settings",
    response=models.AccountOut,
    signed_in=True,
)
def account() -> models.AccountOut:
    return _account_out(web.signed_in_user())


def _account_out(user: User) -> models.AccountOut:
    return models.AccountOut(
        username=user.username, email=user.email, email_notifications=user.email_notifications
    )


@route(
    bp,
    "PATCH",
    "/account",
    summary="Change your email (with your password) or whether notifications are emailed",
    body=models.AccountChange,
    response=models.AccountOut,
    signed_in=True,
)
def change_account(body: models.AccountChange) -> models.AccountOut:
    user = web.signed_in_user()
    if body.email is not None and not _verified(user, body.current_password or ""):
        raise _bad_field("current_password", "password_needed")
    changed = web.store().update_account(
        user.id, utcnow(), email=body.email, email_notifications=body.email_notifications
    )
    return _account_out(changed)


@route(
    bp,
    "PUT",
    "/account/password",
    summary="Change your password; your other sessions end",
    body=models.PasswordChange,
    response=models.SessionOut,
    signed_in=True,
)
def change_password(body: models.PasswordChange) -> models.SessionOut:
    user, store, now = web.signed_in_user(), web.store(), utcnow()
    if not _verified(user, body.current_password):
        raise _bad_field("current_password", "password_needed")
    try:
        models.strong_password(body.new_password, user.username, user.email)
    except models.FieldRule as weak:
        raise _bad_field("new_password", weak.code) from None
    store.set_password(user.id, _hasher.hash(body.new_password), "changed", now)
    web.sign_in(store.user_by_id(user.id))  # this session goes on; the others are over
    return _session()


@route(
    bp,
    "POST",
    "/account/sign-out-everywhere",
    summary="End every session of your account, this one included",
    status=204,
    signed_in=True,
)
def sign_out_everywhere() -> None:
    web.store().end_sessions(web.signed_in_user().id, utcnow())
    web.sign_out()
