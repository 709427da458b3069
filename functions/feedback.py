""" "Was this helpful?": readers' votes on knowledge-base pages, anonymous ones included.

One vote per visitor and page: a visitor is their account when signed in, otherwise a
random id kept in their session cookie; a later vote replaces the earlier one. Votes are
limited by client address. The store writes each vote's event; consumers do the rest (the
page's owners hear of a "no", the health figures count it).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, session

from functions import limits, models, web
from functions.community import limit_reached
from functions.errors import field
from functions.openapi import route
from functions.problems import Problem
from functions.store import Feedback, utcnow

bp = Blueprint("feedback", __name__, url_prefix="/api")


def visitor() -> str:
    """Who votes: the member, or this browser's random id (made on its first vote)."""
    user = web.current_user()
    if user is not None:
        return f"member:{user.id}"
    if "visitor" not in session:
        session["visitor"] = secrets.token_urlsafe(16)
    return f"visitor:{session['visitor']}"


def _out(vote: Feedback | None) -> models.FeedbackOut:
    if vote is None:
        return models.FeedbackOut(helpful=None)
    return models.FeedbackOut(helpful=vote.helpful, reason=vote.reason, comment=vote.comment)


def _check_page(lang: str, page: str) -> None:
    if web.pages().get(f"{lang}/{page}") is None:
        raise Problem("no_such_article", {"page": f"{lang}/{page}"}, status=404)


@route(
    bp,
    "GET",
    "/feedback",
    summary="What this visitor said of a page",
    query=models.FeedbackQuery,
    response=models.FeedbackOut,
)
def your_feedback(query: models.FeedbackQuery) -> models.FeedbackOut:
    if "visitor" not in session and web.current_user() is None:
        return models.FeedbackOut(helpful=None)  # no vote without an id: make none here
    return _out(web.store().feedback_of(visitor(), query.lang, query.page))


@route(
    bp,
    "POST",
    "/feedback",
    summary="Say whether a page helped, and why not",
    body=models.FeedbackRequest,
    response=models.FeedbackOut,
)
def give_feedback(body: models.FeedbackRequest) -> models.FeedbackOut:
    if body.helpful and (body.reason or body.comment):
        raise Problem(
            "reason_with_not_helpful", status=422, errors=[field("reason", "leave_out_if_helpful")]
        )
    comment = (body.comment or "").strip() or None
    _check_page(body.lang, body.page)
    store, now = web.store(), utcnow()
    if not body.helpful and body.reason is None and comment is None:
        earlier = store.feedback_of(visitor(), body.lang, body.page)
        if earlier is not None and not earlier.helpful:
            return _out(earlier)  # "no" said again: the reason and comment given stay
    if limited := web.count_by_address(limits.FEEDBACK, now):
        raise limit_reached(limited)
    user = web.current_user()
    store.give_feedback(
        visitor(),
        body.lang,
        body.page,
        body.helpful,
        None if body.helpful else body.reason,
        comment,
        user.id if user else None,
        now,
    )
    return models.FeedbackOut(helpful=body.helpful, reason=body.reason, comment=comment)
