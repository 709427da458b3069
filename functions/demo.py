"""``portal demo``: a believable community (members, questions in four languages, answers,
comments, votes, accepted answers) so that a fresh portal looks alive.

The data is in ``demo_data/``; everything is written through the same community functions
as the API, at times spread over the last four weeks. Loading twice adds nothing: members
are found by username, questions by their author and title.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from core.languages import CODES
from functions import accounts, community
from functions.store import Store, User, iso

DATA = Path(__file__).parent / "demo_data"
# Demo accounts exist to explore a development portal; set PORTAL_USER_PASSWORD to choose.
DEMO_PASSWORD = "nimbus-demo-2026"


def load(store: Store, now: dt.datetime | None = None) -> dict[str, int]:
    """Add whatever of the demo community is missing; count what is there."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    users = _members(store, now)
    members = list(users.values())
    report = {"users": len(users), "questions": 0, "answers": 0, "added": 0}
    number = 0
    for lang in CODES:
        for item in yaml.safe_load((DATA / f"{lang}.yml").read_text(encoding="utf-8")):
            number += 1
            report["questions"] += 1
            report["answers"] += len(item["answers"])
            author = users[item["author"]]
            if item["title"] in _titles(store, author):
                continue
            _question(store, users, members, item, lang, number, now)
            report["added"] += 1
    return report


def _members(store: Store, now: dt.datetime) -> dict[str, User]:
    rows = yaml.safe_load((DATA / "users.yml").read_text(encoding="utf-8"))
    password = os.environ.get("PORTAL_USER_PASSWORD") or DEMO_PASSWORD
    users = {}
    for row in rows:
        users[row["name"]] = store.user_by_username(row["name"]) or accounts.create_user(
            store,
            row["name"],
            f"{row['name']}@demo.invalid",
            password,
            role=row["role"],
            now=iso(now - dt.timedelta(days=row["joined_days_ago"])),
        )
    return users


def _titles(store: Store, author: User) -> set[str]:
    titles, cursor = set(), None
    while True:
        page = store.questions_by(author.id, cursor=cursor, limit=50)
        titles |= {question.title for question in page.items}
        if not (cursor := page.next_cursor):
            return titles


def _voters(members: list[User], author_id: int, count: int, offset: int) -> list[User]:
    others = [member for member in members if member.id != author_id]
    return [others[(offset + step) % len(others)] for step in range(min(count, len(others)))]


def _question(
    store: Store,
    users: dict[str, User],
    members: list[User],
    item: dict[str, Any],
    lang: str,
    number: int,
    now: dt.datetime,
) -> None:
    asked = now - dt.timedelta(days=item["days_ago"], hours=3 + number % 7, minutes=number * 7)
    asker = users[item["author"]]
    question_id = community.ask(
        store, asker, item["title"], item["body"], item["tags"], lang, iso(asked)
    )
    for voter in _voters(members, asker.id, item.get("up", 0), number):
        store.set_vote(voter.id, "question", question_id, 1, iso(asked + dt.timedelta(hours=1)))
    accepted = None
    for position, entry in enumerate(item["answers"], start=1):
        answered = asked + dt.timedelta(minutes=35 * position + number % 11)
        question = store.question(question_id)
        assert question is not None
        answer_id = community.answer(
            store, users[entry["author"]], question, entry["body"], iso(answered)
        )
        answer = store.answer(answer_id)
        assert answer is not None
        for later, comment in enumerate(entry.get("comments", []), start=1):
            community.comment(
                store,
                users[comment["author"]],
                "answer",
                answer,
                question_id,
                comment["body"],
                iso(answered + dt.timedelta(minutes=12 * later)),
            )
        for voter in _voters(members, answer.author_id, entry.get("up", 0), number + position):
            store.set_vote(voter.id, "answer", answer_id, 1, iso(answered))
        if entry.get("accepted"):
            accepted = (answer, answered + dt.timedelta(minutes=50))
    if accepted:
        question = store.question(question_id)
        assert question is not None
        community.accept(store, asker, question, accepted[0], iso(accepted[1]))
