"""``portal demo``: a believable community (members, questions in four languages, answers,
comments, votes, accepted answers) so that a fresh portal looks alive, with the points
members brought from an older forum (the awards consumer books the rest from what they
did: levels, badges, leaderboards), and a few months of history for the health
dashboard: members signing in, readers' votes on the knowledge base's pages (with reasons
and comments), and searches that found nothing.

The data is in ``demo_data/``; everything is written through the same community functions
and store calls as the API, at times spread over the last weeks. Loading twice adds
nothing: members are found by username, questions by their author and title, votes by
their visitor and page, and the sign-ins and searches are written with the members.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from core.gamification import programme
from core.languages import CODES
from functions import accounts, community
from functions.consumers import AWARDS, catch_up
from functions.store import Store, User, iso

DATA = Path(__file__).parent / "demo_data"
# Demo accounts exist to explore a development portal; set PORTAL_USER_PASSWORD to choose.
DEMO_PASSWORD = "nimbus-demo-2026"


# The community moved from an older forum: its members brought their points along.
IMPORTED_POINTS = 40
IMPORTED_REASON = "Points from the previous support forum"
HISTORY_WEEKS = 10  # how far back readers' votes and sign-ins go
ACTIVE_CHANCE = 0.72  # the chance a member signs in during a given month
# Searches readers made that found nothing, by language: the gaps the dashboard lists.
MISSED_SEARCHES = {
    "en": ["esim transfer", "nimbus watch strap size", "trade in old phone", "esim transfer"],
    "hi": ["ईसिम ट्रांसफर", "पुराना फोन बदलें"],
    "ru": ["перенос esim", "обмен старого телефона", "перенос esim"],
    "km": ["ផ្ទេរ esim", "ប្តូរទូរស័ព្ទចាស់"],
}
# What readers wrote after "no", by language.
COMMENTS = {
    "en": ["The prices here are from last year.", "I could not find the form this mentions."],
    "hi": ["यहाँ दी गई कीमतें पुरानी हैं।", "जिस फॉर्म का ज़िक्र है, वह मुझे नहीं मिला।"],
    "ru": ["Цены здесь прошлогодние.", "Не нашёл форму, о которой здесь говорится."],
    "km": ["តម្លៃនៅទីនេះជារបស់ឆ្នាំមុន។", "ខ្ញុំរកមិនឃើញទម្រង់ដែលបាននិយាយនៅទីនេះទេ។"],
}
REASONS = ("outdated", "unclear", "unsolved", "other")


def load(store: Store, now: dt.datetime | None = None, pages: Sequence[str] = ()) -> dict[str, int]:
    """Add whatever of the demo community is missing; count what is there. ``pages`` are
    the knowledge base's pages ("en/faq/refunds/") readers' votes go to."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    known = {row["name"] for row in _rows() if store.user_by_username(row["name"])}
    users = _members(store, now)
    # Their points so far are booked before they write, so their levels let them.
    catch_up(store, AWARDS)
    users = {name: store.user_by_username(name) or user for name, user in users.items()}
    members = list(users.values())
    if len(known) < len(users):  # first load: the members' history comes with them
        _sign_ins(store, [user for name, user in users.items() if name not in known], now)
        _missed_searches(store, now)
    report = {"users": len(users), "questions": 0, "answers": 0, "added": 0}
    report["votes"] = _votes(store, pages, now)
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
    if len(known) < len(users):  # and a few spent points on rewards, once
        _redemptions(store, users, now)
    return report


# Who redeemed what, and whether a moderator has handed it over yet.
REDEMPTIONS = (
    ("asha_k", "priority_service", True),
    ("olga_k", "priority_service", False),
)


def _redemptions(store: Store, users: dict[str, User], now: dt.datetime) -> None:
    catch_up(store, AWARDS)  # what they earned so far is what they can spend
    rules, moderator = programme(), users["elena_nimbus"]
    for number, (name, reward, handed_over) in enumerate(REDEMPTIONS):
        member, item = store.user_by_username(name), rules.rewards[reward]
        at = now - dt.timedelta(days=6 - number, hours=2)
        if member is None or member.balance < item.cost:
            continue
        made = store.redeem(member.id, reward, item.cost, item.stock, iso(at))
        if handed_over:
            store.fulfil(made.id, moderator.id, iso(at + dt.timedelta(days=1)))


def _rows() -> list[dict[str, Any]]:
    return yaml.safe_load((DATA / "users.yml").read_text(encoding="utf-8"))


def _members(store: Store, now: dt.datetime) -> dict[str, User]:
    rows = _rows()
    password = os.environ.get("PORTAL_USER_PASSWORD") or DEMO_PASSWORD
    users = {}
    for row in rows:
        joined = iso(now - dt.timedelta(days=row["joined_days_ago"]))
        user = store.user_by_username(row["name"])
        if user is None:
            user = accounts.create_user(
                store, row["name"], f"{row['name']}@demo.invalid", password, row["role"], joined
            )
            points = IMPORTED_POINTS + row["joined_days_ago"] // 3
            store.grant_points(user.id, points, IMPORTED_REASON, None, joined)
        users[row["name"]] = user
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
        # Most first answers come within the two-hour goal; some take longer.
        answered = asked + dt.timedelta(minutes=35 * position + number * 37 % 130)
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


def _sign_ins(store: Store, members: list[User], now: dt.datetime) -> None:
    """Members signing in over the last months, about :data:`ACTIVE_CHANCE` of them each
    month (never before they joined)."""
    chance = random.Random(7)
    for member in members:
        joined = dt.datetime.fromisoformat(member.created_at.replace("Z", "+00:00"))
        for weeks_ago in range(0, HISTORY_WEEKS + 8, 4):
            at = now - dt.timedelta(weeks=weeks_ago, days=chance.randrange(0, 7), hours=3)
            if at > joined and chance.random() < ACTIVE_CHANCE:
                store.record_sign_in(member.id, iso(at))


def _missed_searches(store: Store, now: dt.datetime) -> None:
    for lang, queries in MISSED_SEARCHES.items():
        for number, query in enumerate(queries):
            at = now - dt.timedelta(days=2 + number * 3, hours=number)
            store.record_search_missed(lang, query, iso(at))


def _votes(store: Store, pages: Sequence[str], now: dt.datetime) -> int:
    """Readers' votes on pages, a few a week for :data:`HISTORY_WEEKS` weeks, more of them
    lately; most say the page helped. The same visitors each time, so a second load adds
    nothing."""
    chance = random.Random(11)
    added = 0
    for number, key in enumerate(sorted(pages)):
        lang, _, page = key.partition("/")
        for visitor in range(chance.randrange(2, 9)):
            at = now - dt.timedelta(
                days=HISTORY_WEEKS * 7 * chance.random() ** 1.25,
                minutes=chance.randrange(0, 600),
            )
            helpful = chance.random() < (0.45 if number % 7 == 0 else 0.8)
            reason = None if helpful else chance.choice(REASONS)
            comment = None if helpful or chance.random() < 0.6 else chance.choice(COMMENTS[lang])
            added += store.give_feedback(
                f"demo:{visitor}", lang, page, helpful, reason, comment, None, iso(at)
            )
    return added
