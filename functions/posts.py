"""Posts as the member asking may see them: a request's way into the store's questions and
answers. Unknown and deleted posts are 404 for everyone; hidden ones stay in view of
moderators and of their own author (a new member's post waiting for review, say).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g

from core.gamification import programme
from functions import models, web
from functions.problems import Problem
from functions.store import Answer, PostKind, Question


def question(question_id: int) -> Question:
    found = web.store().question(question_id)
    if not may_see(found):
        raise Problem("no_such_question", {"id": question_id}, status=404)
    return found


def answer(answer_id: int) -> Answer:
    store = web.store()
    found = store.answer(answer_id)
    # An answer is as hidden as its question: its revisions and edits are too.
    if found is None or not (may_see(found) and may_see(store.question(found.question_id))):
        raise Problem("no_such_answer", {"id": answer_id}, status=404)
    return found


def post(kind: PostKind, post_id: int) -> tuple[Question | Answer, int]:
    """The post and its question's id."""
    if kind == "question":
        return question(post_id), post_id
    found = answer(post_id)
    return found, found.question_id


def may_see(found: Question | Answer | None) -> bool:
    if found is None or found.deleted:
        return False
    if not found.hidden:
        return True
    user = web.current_user()
    return web.is_staff(user) or (user is not None and user.id == found.author_id)


def know_authors(user_ids: Iterable[int]) -> None:
    """Read these members' levels and badges, in one read, for :func:`author` to show
    beside their posts in this request."""
    known = g.setdefault("portal_standings", {})
    wanted = sorted(set(user_ids) - set(known))
    if not wanted:
        return
    rules = programme()
    for user in web.store().users_by_id(wanted):
        known[user.id] = (
            rules.level_for(user.reputation).number,
            models.BadgeCounts.model_construct(
                gold=user.gold, silver=user.silver, bronze=user.bronze
            ),
        )


def author(user_id: int, name: str) -> models.Author:
    """A member as the API names them beside a post, flag or action (with their level and
    badges when :func:`know_authors` read them)."""
    standing = g.get("portal_standings", {}).get(user_id)
    if standing is None:
        return models.Author.model_construct(id=user_id, username=name)
    level, badges = standing
    return models.Author.model_construct(id=user_id, username=name, level=level, badges=badges)


def revisions(kind: PostKind, post_id: int) -> list[models.RevisionOut]:
    """A post's revisions, newest first, each with the reason its editor gave."""
    return [
        models.RevisionOut(
            id=r.id,
            title=r.title,
            body=r.body,
            tags=list(r.tags),
            author=author(r.author_id, r.author_name),
            created_at=r.created_at,
            reason=r.reason,
        )
        for r in web.store().revisions(kind, post_id)
    ]
