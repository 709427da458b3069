"""What every request handler needs: the store, the signed-in user, CSRF, the session key.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when the request came
over https or the site's address is https). The CSRF token lives in the session, so it is
tied to that cookie; every write must echo it in ``X-CSRF-Token``. Signing in starts a new
session with a new token.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from core import roles
from core.settings import Settings
from functions import limits
from functions.problems import Problem
from functions.store import Store, User, iso, parse_time
from search_index.pages import PageDirectory

CSRF_HEADER = "X-CSRF-Token"


class _PlainJSON:
    """The session holds only ints, strings and lists: plain JSON reads faster than Flask's
    tagged JSON, and the session is opened on every request."""

    @staticmethod
    def dumps(value: object) -> str:
        return json.dumps(value, separators=(",", ":"))

    loads = staticmethod(json.loads)


class _SessionInterface(SecureCookieSessionInterface):
    serializer = _PlainJSON()

    def get_cookie_secure(self, app: Flask) -> bool:
        # Behind a proxy that ends TLS the request itself looks like plain http.
        return request.is_secure or app.config["PORTAL_SETTINGS"].site_url.startswith("https:")

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Built once per app rather than on every request.
        cached = app.extensions.get("portal_session_serializer")
        if cached is None:
            cached = app.extensions["portal_session_serializer"] = super().get_signing_serializer(
                app
            )
        return cached


def configure(app: Flask, settings: Settings) -> None:
    """Sign sessions with the settings' key and set the cookie's flags."""
    app.secret_key = settings.secret_key or development_key(settings.secret_key_file)
    app.session_interface = _SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    if settings.proxy_hops:
        # Only then is X-Forwarded-For the proxies' word and not the client's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]


def client_address() -> str | None:
    """The address the request came from (through ``PORTAL_PROXY_HOPS`` trusted proxies)."""
    return request.remote_addr


def development_key(path: Path) -> str:
    """A random key made once and kept (mode 0600), so sessions survive restarts."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(partial, path)  # fails if another process won the race: use theirs
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()


def store() -> Store:
    return current_app.extensions["portal_store"]


def count_by_address(
    limit: limits.AddressLimit, now: str, about: str = ""
) -> limits.Limited | None:
    """Count this request against its client address's ``limit`` (for one thing ``about``,
    when given); what was reached, if it was (and then nothing is counted)."""
    address = limits.address_key(client_address()) + (f" {about}" if about else "")
    return count_by_key(limit, address, now)


def count_by_key(limit: limits.AddressLimit, key: str, now: str) -> limits.Limited | None:
    """Count one attempt under ``key`` against ``limit``, unless it was reached."""
    tried = store().attempts(limit.scope, key, limits.since(limit.window, now))
    limited = limits.per_address(limit, tried, now)
    if limited is None:
        forgotten = iso(parse_time(now) + limit.window)  # counts for nothing after its window
        store().add_attempts([(limit.scope, key)], now, forgotten)
    return limited


def pages() -> PageDirectory:
    """The published knowledge-base pages (one directory per app, read again after each
    build): their titles and owners."""
    extensions = current_app.extensions
    if "page_directory" not in extensions:
        settings: Settings = current_app.config["PORTAL_SETTINGS"]
        extensions.setdefault("page_directory", PageDirectory(settings.index_dir))
    return extensions["page_directory"]


def current_user() -> User | None:
    """The member this session signed in, unless their sessions were ended since (signed
    out everywhere, a new password): then nobody."""
    if "user" not in g:
        user_id = session.get("user_id")
        user = store().user_by_id(user_id) if isinstance(user_id, int) else None
        if user is not None and session.get("version", 0) != user.session_version:
            user = None
        g.user = user
    return g.user


def signed_in_user() -> User:
    user = current_user()
    if user is None:
        raise Problem("sign_in_needed", status=401)
    return user


def is_staff(user: User | None) -> bool:
    return user is not None and roles.is_staff(user.role)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Problem("csrf_token_needed", {"header": CSRF_HEADER}, status=403)


def sign_in(user: User) -> None:
    # A new session and a new CSRF token: whatever was known of the signed-out session
    # (a token seen or planted before sign-in) is worth nothing afterwards.
    session.clear()
    session["csrf"] = secrets.token_urlsafe(32)
    session["user_id"] = user.id
    session["version"] = user.session_version
    session.permanent = True
    g.user = user


def sign_out() -> None:
    # The CSRF token stays: it belongs to this browser's cookie, not to the account, so a
    # page can sign in again without fetching a new one.
    token = session.get("csrf")
    session.clear()
    if token:
        session["csrf"] = token
    g.user = None
