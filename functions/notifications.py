"""In-app notifications ("your question has an answer") and their emails."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Flask, current_app

from core.settings import Settings
from functions import models, web
from functions.mail import Mailer
from functions.openapi import route
from functions.problems import Problem
from functions.store import Notification

bp = Blueprint("notifications", __name__, url_prefix="/api")

_SUBJECTS = {
    "answer": "{actor} answered: {title}",
    "comment": "{actor} commented on: {title}",
    "accepted": "{actor} accepted your answer to: {title}",
}


def email(notification_ids: Sequence[int]) -> None:
    """Queue an email for each notification when SMTP is configured (after the commit)."""
    mailer: Mailer | None = current_app.extensions.get("portal_mailer")
    if mailer is None or not notification_ids:
        return
    store = web.store()
    for notification in store.notifications_by_id(notification_ids):
        recipient = store.user_by_id(notification.user_id)
        question = store.question(notification.question_id)
        if recipient is None or question is None:
            continue
        # A title may hold line breaks, which a mail header must not (and cannot) carry.
        title = " ".join(notification.question_title.split())
        subject = _SUBJECTS[notification.kind].format(actor=notification.actor_name, title=title)
        mailer.send_later(
            recipient.email,
            subject,
            f"Hello {recipient.username},\n\n{subject}\n\n"
            f"{mailer.question_url(question.lang, question.id)}\n\n"
            "You get this email because you follow this question on Nimbus Care.\n",
        )


def _out(notification: Notification) -> models.NotificationOut:
    return models.NotificationOut(
        id=notification.id,
        kind=notification.kind,
        question_id=notification.question_id,
        question_title=notification.question_title,
        actor=models.Author(id=notification.actor_id, username=notification.actor_name),
        created_at=notification.created_at,
        read=notification.read,
    )


@route(
    bp,
    "GET",
    "/notifications",
    summary="Your notifications, newest first",
    query=models.PageQuery,
    response=models.NotificationList,
    signed_in=True,
)
def list_notifications(query: models.PageQuery) -> models.NotificationList:
    user, store = web.signed_in_user(), web.store()
    page = store.notifications(user.id, query.cursor, query.limit)
    return models.NotificationList(
        items=[_out(n) for n in page.items],
        next_cursor=page.next_cursor,
        unread=store.unread_count(user.id),
    )


@route(
    bp,
    "POST",
    "/notifications/read",
    summary="Mark notifications read",
    body=models.ReadRequest,
    status=204,
    signed_in=True,
)
def mark_read(body: models.ReadRequest) -> None:
    if not body.all and body.ids is None:
        raise Problem(
            'Say which notifications to mark read: {"ids": [1, 2]} or {"all": true}.',
            status=422,
            errors=[{"field": "ids", "message": "Give ids, or all: true."}],
        )
    web.store().mark_read(web.signed_in_user().id, None if body.all else body.ids)


def create_app(settings: Settings | None = None) -> Flask:
    """This function alone, as deployed on its own."""
    from functions.app import create_app as create_api

    return create_api(settings, blueprints=[bp])
