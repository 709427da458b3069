"""Accounts: sign up, sign in and out, the session's CSRF token, public profiles.

Passwords are hashed with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory
profile). Failed sign-ins and sign-ups are counted in the store (see functions/limits.py),
so password guessing is slow whichever worker process answers.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Blueprint
from flask import session as flask_session

from core.roles import Role
from functions import limits, models, standing, web
from functions.community import limit_reached
from functions.errors import NotFound
from functions.openapi import route
from functions.problems import Problem
from functions.store import Store, User, utcnow

bp = Blueprint("accounts", __name__, url_prefix="/api")
_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("not anybody's password")


def user_out(user: User) -> models.UserOut:
    return models.UserOut(
        id=user.id, username=user.username, role=user.role, created_at=user.created_at
    )


def create_user(
    store: Store, username: str, email: str, password: str, role: Role = "member", now: str = ""
) -> User:
    """A new account; raises :class:`Conflict` naming a taken username or email."""
    return store.create_user(username, email, _hasher.hash(password), role, now or utcnow())


def _session() -> models.SessionOut:
    user = web.current_user()
    return models.SessionOut(
        user=user_out(user) if user else None,
        csrf_token=web.csrf_token(),
        standing=standing.standing(user) if user else None,
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
        _hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, body.password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Problem("The username or password is wrong; check both and try again.", status=401)
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
        raise NotFound(
            f"There is no member with id {id}.", code="no_such_member", params={"id": id}
        )
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
