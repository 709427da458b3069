"""What members do in the community, as functions over a store: ask, answer, comment, edit,
vote, accept. Routes and ``portal demo`` both go through here, so both obey the same rules.

Each function takes the acting user and the time, checks who may do it and the limits,
and writes through the store, which records the event; what follows from it
(notifications, email, search) is done by the event log's consumers, not here. A rule that
says no raises a :mod:`functions.errors` exception.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.roles import is_staff
from core.tags import tag_for
from functions import content, flag_rules, limits, privileges, wording
from functions.errors import AlreadyDone, Invalid, LimitReached, NotAllowed, field
from functions.store import Answer, Comment, Conflict, PostKind, Question, Store, User


def status_of(question: Question) -> str:
    """Where a question stands, from its visible answers: one accepted (an accepted answer
    is always a visible one), some, or none yet. The API and search both ask this."""
    if question.accepted_answer_id is not None:
        return "accepted"
    return "answered" if question.answer_count > 0 else "open"


def limit_reached(limited: limits.Limited) -> LimitReached:
    return LimitReached(limited.code, limited.params, limited.retry_after)


def check_open(user: User, question: Question | None) -> None:
    """A locked question takes no new answers, comments, votes, edits or acceptance, but
    from moderators."""
    if question is not None and question.locked and not is_staff(user.role):
        raise NotAllowed("question_locked")


def may_edit(user: User | None, author_id: int) -> bool:
    """The author, and members whose level lets them edit others' posts (moderators too)."""
    return user is not None and (user.id == author_id or privileges.has(user, "edit_others"))


def may_accept(user: User | None, question: Question) -> bool:
    return user is not None and (user.id == question.author_id or is_staff(user.role))


def _check_new_account(store: Store, user: User, kind: PostKind, body_html: str, now: str) -> None:
    if not limits.is_new_account(user.role, user.created_at, now):
        return
    limited = limits.new_account_links(
        content.link_count(body_html), user.created_at, now
    ) or limits.new_account_posts(
        kind, store.posts_since(user.id, kind, limits.new_account_since(now)), user.created_at, now
    )
    if limited:
        raise limit_reached(limited)


def named_tags(tags: Sequence[str]) -> list[str]:
    """Tags as identifiers: a tag given by its name in some language ("гарантия") is that
    tag ("warranty"); each once."""
    return list(dict.fromkeys(tag_for(tag) for tag in tags))


def ask(
    store: Store, user: User, title: str, body: str, tags: Sequence[str], lang: str, now: str
) -> int:
    tags = named_tags(tags)
    body_html = content.render(body)
    _check_new_account(store, user, "question", body_html, now)
    excerpt = content.excerpt(body_html)
    return store.create_question(
        user.id,
        title.strip(),
        body,
        body_html,
        excerpt,
        tags,
        lang,
        now,
        _held(user, body_html, now),
    )


def _held(user: User, body_html: str, now: str) -> bool:
    """A new member's post with links waits for a moderator (see functions/flag_rules.py)."""
    new = limits.is_new_account(user.role, user.created_at, now)
    return flag_rules.waits_for_review(new, content.link_count(body_html))


def edit_question(
    store: Store,
    user: User,
    question: Question,
    now: str,
    title: str | None = None,
    body: str | None = None,
    tags: Sequence[str] | None = None,
    reason: str | None = None,
) -> None:
    if not may_edit(user, question.author_id):
        privileges.require(user, "edit_others")
    check_open(user, question)
    body = question.body if body is None else body
    body_html = content.render(body)
    if body != question.body:
        _check_links(user, body_html, now)
    store.edit_question(
        question.id,
        user.id,
        question.title if title is None else title.strip(),
        body,
        body_html,
        content.excerpt(body_html),
        question.tags if tags is None else named_tags(tags),
        now,
        reason,
    )
    if question.visible and _held(user, body_html, now):
        store.hold_for_review("question", question.id, now)


def _check_links(user: User, body_html: str, now: str) -> None:
    if limits.is_new_account(user.role, user.created_at, now):
        limited = limits.new_account_links(content.link_count(body_html), user.created_at, now)
        if limited:
            raise limit_reached(limited)


def answer(store: Store, user: User, question: Question, body: str, now: str) -> int:
    check_open(user, question)
    body_html = content.render(body)
    _check_new_account(store, user, "answer", body_html, now)
    return store.create_answer(
        question.id, user.id, body, body_html, now, _held(user, body_html, now)
    )


def edit_answer(
    store: Store, user: User, answer: Answer, body: str, now: str, reason: str | None = None
) -> None:
    if not may_edit(user, answer.author_id):
        privileges.require(user, "edit_others")
    check_open(user, store.question(answer.question_id))
    body_html = content.render(body)
    _check_links(user, body_html, now)
    store.edit_answer(answer.id, user.id, body, body_html, now, reason)
    if answer.visible and _held(user, body_html, now):
        store.hold_for_review("answer", answer.id, now)


def comment(
    store: Store,
    user: User,
    kind: PostKind,
    post: Question | Answer,
    question_id: int,
    body: str,
    now: str,
) -> Comment:
    question = post if kind == "question" else store.question(question_id)
    check_open(user, question)
    # Anyone may comment on their own posts and on the answers to their own question.
    if user.id not in (post.author_id, question.author_id if question else None):
        privileges.require(user, "comment_everywhere")
    return store.add_comment(kind, post.id, question_id, user.id, body.strip(), now)


def vote(
    store: Store, user: User, kind: PostKind, post: Question | Answer, value: int, now: str
) -> int:
    if post.author_id == user.id:
        raise NotAllowed("own_post_vote", {"kind": wording.words(kind)})
    if value < 0:
        privileges.require(user, "vote_down")
    check_open(user, post if kind == "question" else store.question(post.question_id))
    return store.set_vote(user.id, kind, post.id, value, now)


def accept(store: Store, user: User, question: Question, answer: Answer | None, now: str) -> None:
    if not may_accept(user, question):
        raise NotAllowed("accept_not_yours")
    check_open(user, question)
    if answer is not None and answer.question_id != question.id:
        raise Invalid(
            "answer_of_another_question",
            {"id": answer.id},
            errors=[field("answer_id", "answer_to_this_question")],
        )
    if answer is not None and not answer.visible:
        raise Invalid(
            "answer_hidden", {"id": answer.id}, errors=[field("answer_id", "visible_answer")]
        )
    store.accept_answer(question.id, answer.id if answer else None, user.id, now)


def flag(
    store: Store,
    user: User,
    kind: PostKind,
    post: Question | Answer,
    reason: str,
    note: str | None,
    now: str,
) -> bool:
    """Flag a post for moderators; True if its flags now hide it until one looks."""
    if post.author_id == user.id:
        raise NotAllowed("own_post_flag", {"kind": wording.words(kind)})
    privileges.require(user, "flag")
    weight = flag_rules.flag_weight(
        user.role,
        user.flags_upheld,
        user.flags_rejected,
        new_account=limits.is_new_account(user.role, user.created_at, now),
    )
    try:
        total = store.add_flag(kind, post.id, user.id, reason, note, weight, now)
    except Conflict:
        raise AlreadyDone("flagged_already", {"kind": wording.words(kind)}) from None
    if not flag_rules.hides(total) or not post.visible:
        return False
    store.set_hidden(kind, post.id, True, now, reason="flagged")
    return True
