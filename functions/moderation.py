"""Moderation: members flag posts; moderators work the review queue, act on posts (with a
reason) and read the log of what moderators did.

Flags weigh by the flagger's standing (:mod:`functions.flag_rules`) and hide a post once
they weigh enough; a new member's post with links waits hidden in the queue. Every
moderator action is an event that names who, what, when and why; the moderators' log is
read from those events.
"""

from __future__ import annotations

from flask import Blueprint

from functions import community, models, posts, web, wording
from functions.errors import field
from functions.openapi import route, route_on_posts
from functions.problems import Problem
from functions.store import Answer, Event, PostKind, Question, ReviewItem, User, utcnow

bp = Blueprint("moderation", __name__, url_prefix="/api")


def _any_post(kind: PostKind, post_id: int) -> Question | Answer:
    """A post whatever its state (moderators undelete deleted ones)."""
    store = web.store()
    found = store.question(post_id) if kind == "question" else store.answer(post_id)
    if found is None:
        raise Problem(f"no_such_{kind}", {"id": post_id}, status=404)
    return found


# Flags


def _flag(kind: PostKind, post_id: int, body: models.FlagRequest) -> models.FlagOut:
    post, _ = posts.post(kind, post_id)
    user = web.signed_in_user()
    hidden = community.flag(web.store(), user, kind, post, body.reason, body.note, utcnow())
    return models.FlagOut(hidden=hidden)


# The review queue


def _review_item(item: ReviewItem) -> models.ReviewItemOut:
    store = web.store()
    post = _any_post(item.post_kind, item.post_id)
    question = store.question(item.question_id)
    return models.ReviewItemOut(
        post_kind=item.post_kind,
        post_id=item.post_id,
        question_id=item.question_id,
        question_title=question.title if question else "",
        body_html=post.body_html,
        author=posts.author(post.author_id, post.author_name),
        why=item.why,
        since=item.since,
        flag_weight=item.flag_weight,
        hidden=post.hidden,
        deleted=post.deleted,
        flags=[
            models.FlagEntry(
                id=flag.id,
                reason=flag.reason,
                note=flag.note,
                weight=flag.weight,
                status=flag.status,
                flagger=posts.author(flag.flagger_id, flag.flagger_name),
                created_at=flag.created_at,
            )
            for flag in store.flags_on(item.post_kind, item.post_id)
        ],
        revisions=posts.revisions(item.post_kind, item.post_id),
    )


@route(
    bp,
    "GET",
    "/review",
    summary="Posts waiting for a moderator, oldest first (moderators, and members whose level"
    " unlocks the review queue)",
    query=models.PageQuery,
    response=models.ReviewList,
    staff=True,
    privilege="review_queue",
)
def review(query: models.PageQuery) -> models.ReviewList:
    page = web.store().review_queue(query.cursor, query.limit)
    return models.ReviewList(
        items=[_review_item(item) for item in page.items], next_cursor=page.next_cursor
    )


QUESTION_ACTIONS = ("lock", "unlock", "mark_duplicate", "unmark_duplicate")
# What members whose level unlocks the review queue may do, to a post waiting there.
REVIEWER_ACTIONS = ("approve", "hide")


def moderate(
    kind: PostKind, post: Question | Answer, request: models.ModerationRequest, moderator: User
) -> None:
    """One moderator action on a post. Those on its visibility also settle its review:
    hiding or deleting upholds its flags, approving or restoring rejects them."""
    store, now, action, reason = web.store(), utcnow(), request.action, request.reason
    if not web.is_staff(moderator) and (
        action not in REVIEWER_ACTIONS or not _waiting(kind, post.id)
    ):
        raise Problem("reviewers_review_only", status=403)
    if action != "approve" and reason is None:
        raise Problem(
            "reason_needed",
            {"action": action.replace("_", " "), "kind": wording.words(kind)},
            status=422,
            errors=[field("reason", "reason_length", {"min": 3, "max": 300})],
        )
    if action in QUESTION_ACTIONS:
        if kind != "question":
            raise Problem(
                "question_only_action", status=422, errors=[field("action", "on_a_question")]
            )
        _moderate_question(post.id, request, moderator, now)
        return
    by = {"actor_id": moderator.id, "reason": reason}
    if action == "approve":
        if not store.resolve_review(kind, post.id, False, moderator.id, now, reason):
            raise Problem(
                "not_waiting_for_review",
                {"kind": wording.words(kind)},
                status=422,
                errors=[field("action", "use_restore")],
            )
        store.set_hidden(kind, post.id, False, now, **by)
        return
    if action == "restore":
        store.set_hidden(kind, post.id, False, now, **by)
    elif action == "hide":
        store.set_hidden(kind, post.id, True, now, **by)
    elif action == "delete":
        store.delete_post(kind, post.id, now, **by)
    else:
        store.undelete_post(kind, post.id, now, **by)
    if action != "undelete":
        store.resolve_review(kind, post.id, action in ("hide", "delete"), moderator.id, now, reason)


def _moderate_question(
    question_id: int, request: models.ModerationRequest, moderator: User, now: str
) -> None:
    store, by = web.store(), {"actor_id": moderator.id, "reason": request.reason}
    if request.action in ("lock", "unlock"):
        store.set_locked(question_id, request.action == "lock", now, **by)
        return
    original = None
    if request.action == "mark_duplicate":
        found = store.question(request.duplicate_of) if request.duplicate_of else None
        if found is None or not found.visible or found.id == question_id:
            raise Problem(
                "duplicate_of_needed",
                status=422,
                errors=[field("duplicate_of", "another_question")],
            )
        original = found.id
    store.mark_duplicate(question_id, original, now, **by)


def _waiting(kind: PostKind, post_id: int) -> bool:
    """Whether the post waits in the review queue (a bounded walk: the queue is short)."""
    store, cursor = web.store(), None
    while True:
        page = store.review_queue(cursor, 100)
        if any(item.post_kind == kind and item.post_id == post_id for item in page.items):
            return True
        if page.next_cursor is None:
            return False
        cursor = page.next_cursor


def _moderate(kind: PostKind, post_id: int, body: models.ModerationRequest) -> models.PostState:
    moderate(kind, _any_post(kind, post_id), body, web.signed_in_user())
    post = _any_post(kind, post_id)
    return models.PostState(hidden=post.hidden, deleted=post.deleted)


@route(
    bp,
    "PUT",
    "/answers/{id}/moderator-note",
    summary="A moderator's note on an answer, or none (moderators)",
    body=models.NoteRequest,
    response=models.NoteState,
    staff=True,
)
def moderator_note(id: int, body: models.NoteRequest) -> models.NoteState:
    answer = posts.answer(id)
    text = body.text.strip() if body.text else None
    web.store().set_note(answer.id, text, utcnow(), actor_id=web.signed_in_user().id)
    return models.NoteState(text=text)


# Flags and moderators' actions work alike on both kinds of post.
route_on_posts(
    bp,
    "POST",
    "/flags",
    _flag,
    summary="Flag this {kind} for moderators",
    body=models.FlagRequest,
    response=models.FlagOut,
    status=201,
    signed_in=True,
)
route_on_posts(
    bp,
    "POST",
    "/moderation",
    _moderate,
    summary="Approve, hide, restore, delete or undelete this {kind} (moderators; reviewers"
    " approve or hide what waits for review)",
    body=models.ModerationRequest,
    response=models.PostState,
    staff=True,
    privilege="review_queue",
)


# The moderators' log


def _log_entry(event: Event) -> models.LogEntryOut:
    moderator = web.store().user_by_id(event.actor_id)
    return models.LogEntryOut(
        id=event.id,
        action=event.kind,
        post_kind=event.entity,
        post_id=event.entity_id,
        question_id=event.question_id,
        moderator=posts.author(event.actor_id, moderator.username if moderator else ""),
        reason=event.data.get("reason") or event.data.get("text"),
        at=event.at,
    )


@route(
    bp,
    "GET",
    "/moderation/log",
    summary="What moderators did, newest first (moderators)",
    query=models.ModerationLogQuery,
    response=models.ModerationLog,
    staff=True,
)
def moderation_log(query: models.ModerationLogQuery) -> models.ModerationLog:
    store = web.store()
    actor_id = None
    if query.moderator:
        who = (
            store.user_by_id(int(query.moderator))
            if query.moderator.isascii() and query.moderator.isdigit()
            else store.user_by_username(query.moderator)
        )
        if who is None:
            return models.ModerationLog(items=[], next_cursor=None)
        actor_id = who.id
    if (query.post_kind is None) != (query.post_id is None):
        raise Problem(
            "post_kind_with_id", status=422, errors=[field("post_id", "both_kind_and_id")]
        )
    post = (query.post_kind, query.post_id) if query.post_kind else None
    page = store.moderation_log(
        actor_id=actor_id, post=post, kind=query.action, cursor=query.cursor, limit=query.limit
    )
    return models.ModerationLog(
        items=[_log_entry(event) for event in page.items], next_cursor=page.next_cursor
    )
