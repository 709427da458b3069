"""In-app notifications ("your question has an answer"): the list and marking them read.

They are written by the notifications consumer (:mod:`functions.notify`), never here.
"""

from __future__ import annotations

from flask import Blueprint

from functions import engagement_words, models, web
from functions.errors import field
from functions.openapi import route
from functions.problems import Problem
from functions.store import Notification

bp = Blueprint("notifications", __name__, url_prefix="/api")


def _out(notification: Notification) -> models.NotificationOut:
    return models.NotificationOut(
        id=notification.id,
        kind=notification.kind,
        question_id=notification.question_id,
        question_title=notification.question_title,
        actor=(
            models.Author(id=notification.actor_id, username=notification.actor_name)
            if notification.actor_id is not None and notification.actor_name is not None
            else None
        ),
        created_at=notification.created_at,
        read=notification.read,
        page=(
            models.PageNoteOut(
                url=note.page, title=note.title, reason=note.reason, comment=note.comment
            )
            if (note := notification.page)
            else None
        ),
        award=engagement_words.award_note(notification.award) if notification.award else None,
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
        raise Problem("which_notifications", status=422, errors=[field("ids", "ids_or_all")])
    web.store().mark_read(web.signed_in_user().id, None if body.all else body.ids)
