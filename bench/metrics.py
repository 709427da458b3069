"""The community-health figures at scale: the metrics consumer, ``GET /api/metrics`` and
"Was this helpful?" votes, with a year of a busy community in the store.

Set-up (not measured): a fresh SQLite store in a temporary folder, filled in bulk through
SQL: 4,000 members who joined over 500 days (a core of regulars and each month's newcomers
act, so about a third are active in a month); 100,000 questions asked over the last 400
days, more of them lately (the titles, tags and languages of :func:`bench.search.corpus`);
answers to most of them (the first after a lognormal wait, a median of 90 minutes); and an
event log of about 1,000,000 events of the kinds the product writes, each with the data
payload the store gives it: sign-ups and sign-ins, questions, answers, acceptances, votes,
comments, votes on the knowledge base's real pages (content/*/faq and guides; some with a
reason and a comment, some replacing an earlier vote) and searches that found nothing.
Questions, answers, members and page votes have their rows too; votes on posts and
comments exist as events only (the dashboard reads nothing else of them).

Figures:

- ``consume_events_per_s``: the real metrics consumer catching up with the whole log
  (:func:`functions.consumers.catch_up`, in this process);
- ``inprocess``: :func:`functions.metrics.figures` for each period, for every language and
  for one, in this process (no HTTP), to tell the figures' time from the server's;
- ``metrics_p50_ms`` / ``metrics_p95_ms``: ``GET /api/metrics`` through ``portal serve`` on
  127.0.0.1 (2 workers x 4 threads), signed in as a moderator, periods 30d, 90d and 365d,
  every language and one (each language in turn), from two client threads: a fixed number
  of requests, each with a timeout, and per variant;
- ``feedback_per_s``: ``POST /api/feedback`` from distinct anonymous visitors, each with a
  fresh session (fetched before the timed window, so the rate is the votes alone) and its
  own ``X-Forwarded-For`` address among addresses that each stay under the per-address
  limit (the server trusts one proxy hop), from eight connections; a fixed number of votes
  within a time bound. The worker beside the web workers counts the votes meanwhile, and
  how long it takes to catch up after the last one is recorded.

Only successful responses count. Each HTTP phase runs three times; the headline is the
best run in which nothing failed (failures are counted by status in every run, and a run
with failures is never the best). Targets: ``metrics_p95_ms`` <= 100,
``feedback_per_s`` >= 300.
"""

from __future__ import annotations

import bisect
import http.client
import json
import math
import os
import random
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.api import Browser
from bench.search import corpus, percentiles, sentences
from core.languages import CODES
from core.settings import PROJECT_ROOT, Settings
from functions import accounts, consumers, metrics, metrics_consumer
from functions.metric_rules import REASONS
from functions.models import MetricsOut
from functions.store import utcnow
from functions.store.sqlite import SQLiteStore
from portal import publisher
from search_index import pages as page_directory
from search_index.analyzers import words
from search_index.pages import PageDirectory, PageEntry
from site_config.frontmatter import read_page

SEED = 20261202
DAY = 86_400
# The community
MEMBERS = 4_000
MEMBER_DAYS = 500  # members joined over this many days
QUESTIONS = 100_000
QUESTION_DAYS = 400  # questions, votes on pages and missed searches: over these days
ANSWERED_SHARE = 0.88  # questions that get an answer (unless it would come after now)
FIRST_ANSWER_MEDIAN_S = 90 * 60
MORE_ANSWERS = ((0, 1, 2, 3), (4, 3, 2, 1))  # further answers, and their weights
ACCEPTED_SHARE = 0.4  # answered questions whose asker accepts an answer
VOTES = 330_000
COMMENTS = 100_000
SIGN_INS = 150_000
PAGE_VOTES = 80_000
PAGE_VOTES_BY_MEMBERS = 0.15  # the rest are anonymous visitors
PAGE_VOTES_REPLACED = 0.05  # visitors who change their vote later
PAGE_LANGS = (0.4, 0.25, 0.2, 0.15)  # votes on pages, by language (in CODES order)
SEARCH_MISSES = 20_000
# Who acts (see Members): a core of regulars, newcomers in their first month, and how much
# more the earliest regulars do than the latest.
CORE_EVERY = 5
NEWCOMER_SHARE, NEWCOMER_DAYS = 0.25, 30
ASKER_SKEW, ANSWERER_SKEW, VOTER_SKEW, SIGN_IN_SKEW = 1.0, 1.8, 1.5, 1.0
QUERIES_PER_LANG = 1_500  # distinct queries that found nothing, a few of them common
# The server and the load (127.0.0.1 only; every phase bounded in count and time)
MODERATOR = "healthmod"
PASSWORD = "bench password 2026"
WORKERS, THREADS = 2, 4  # portal serve --workers 2 --threads 4, as bench/api.py on 2 cores
REPEATS = 3
PERIODS = ("30d", "90d", "365d")
METRICS_REQUESTS = 240  # per run: 40 for each period, every language and one
METRICS_CLIENTS = 2
METRICS_SECONDS = 90  # per run, at most
INPROCESS_ROUNDS = 3
FEEDBACK_PER_RUN = 3_000
FEEDBACK_CLIENTS = 8
FEEDBACK_SECONDS = 30  # per run, at most
VOTES_PER_ADDRESS = 40  # under limits.FEEDBACK_PER_ADDRESS (60 in 10 minutes)
CATCH_UP_SECONDS = 120  # the worker's time to count a run's votes, at most
REQUEST_TIMEOUT_S = 30
TARGETS = {"metrics_p95_ms": 100, "feedback_per_s": 300}
TESTS = PROJECT_ROOT / "tests"


def portal_testing() -> ModuleType:
    """tests/portal_testing.py: the paths of a portal and a real ``portal serve``."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import portal_testing as module

    return module


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


# The history: members, posts, votes on pages and the event log


@dataclass(slots=True)
class Post:
    """A question or an answer, and what later events change on it."""

    kind: str  # "question" or "answer"
    id: int
    question_id: int
    author: int
    at: float
    lang: str
    body: str
    title: str = ""
    tags: tuple[str, ...] = ()
    score: int = 0
    answers: int = 0  # a question's answers
    accepted: int | None = None
    last_activity: float = 0.0


@dataclass
class History:
    """Rows for the store's tables, and the event log (in no order until loaded)."""

    now: float
    joined: list[float] = field(default_factory=list)  # member n joined at joined[n - 1]
    questions: list[Post] = field(default_factory=list)
    answers: list[Post] = field(default_factory=list)
    feedback: dict[tuple[str, str, str], tuple] = field(default_factory=dict)
    events: list[tuple] = field(default_factory=list)

    def event(
        self,
        at: float,
        kind: str,
        entity: str,
        entity_id: int,
        question_id: int | None,
        actor: int | None,
        affected: int | None = None,
        **data: object,
    ) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self.events.append((at, kind, entity, entity_id, question_id, actor, affected, payload))


class Members:
    """Who acts at a moment: most often the core (every :data:`CORE_EVERY`-th member, the
    earliest of them most), otherwise a newcomer who joined in the :data:`NEWCOMER_DAYS`
    before. Other members fall quiet, as most do, so about a third are active in a month."""

    def __init__(self, history: History, rng: random.Random) -> None:
        self.joined = history.joined  # member n joined at joined[n - 1]
        self.rng = rng

    def pick(self, at: float, skew: float = 1.0) -> int:
        """A member who had joined by ``at``; ``skew`` above one favours the earliest of the
        core, as a few old hands write most answers."""
        joined = max(1, bisect.bisect_right(self.joined, at))
        if self.rng.random() < NEWCOMER_SHARE:
            first = bisect.bisect_left(self.joined, at - NEWCOMER_DAYS * DAY)
            if first < joined:
                return self.rng.randrange(first, joined) + 1
        core = -(-joined // CORE_EVERY)  # members 1, 1 + CORE_EVERY, ... who had joined
        return CORE_EVERY * int(core * self.rng.random() ** skew) + 1


def days_ago(rng: random.Random, days: int) -> float:
    """Seconds back from now, within ``days``: half evenly spread, half more of them lately,
    as in a community that grows."""
    back = rng.uniform(0, days) if rng.random() < 0.5 else rng.triangular(0, days, 0)
    return back * DAY


def wait(rng: random.Random, median_s: float, sigma: float) -> float:
    """A lognormal wait: most are near the median, a few are much longer."""
    return max(20.0, rng.lognormvariate(math.log(median_s), sigma))


def add_members(history: History, rng: random.Random) -> None:
    history.joined = sorted(history.now - days_ago(rng, MEMBER_DAYS) for _ in range(MEMBERS))
    for number, joined in enumerate(history.joined, start=1):
        history.event(joined, "signed_up", "user", number, None, number, number)


def add_questions(history: History, members: Members, rng: random.Random) -> None:
    docs = corpus(QUESTIONS)
    times = sorted(history.now - days_ago(rng, QUESTION_DAYS) for _ in docs)
    for number, (doc, at) in enumerate(zip(docs, times, strict=True), start=1):
        asker = members.pick(at, ASKER_SKEW)
        question = Post("question", number, number, asker, at, doc.lang, doc.body, doc.title)
        question.tags, question.last_activity = doc.tags, at
        history.questions.append(question)
        history.event(
            at, "asked", "question", number, number, asker, asker, lang=doc.lang, tags=doc.tags
        )


def add_answers(history: History, members: Members, rng: random.Random) -> None:
    """Answers to most questions (none after now), and acceptances of some."""
    pools = {lang: sentences(lang) for lang in CODES}
    for question in history.questions:
        if rng.random() > ANSWERED_SHARE:
            continue
        at = question.at + wait(rng, FIRST_ANSWER_MEDIAN_S, 1.6)
        answers: list[Post] = []
        for _ in range(1 + rng.choices(*MORE_ANSWERS)[0]):
            if at > history.now:
                break
            body = " ".join(rng.sample(pools[question.lang], rng.randint(1, 3)))
            answer = Post(
                "answer",
                len(history.answers) + 1,
                question.id,
                members.pick(at, ANSWERER_SKEW),
                at,
                question.lang,
                body,
            )
            answers.append(answer)
            history.answers.append(answer)
            question.answers, question.last_activity = question.answers + 1, at
            history.event(
                at, "answered", "answer", answer.id, question.id, answer.author, question.author
            )
            at += wait(rng, 8 * 3600, 1.5)
        if answers and rng.random() < ACCEPTED_SHARE:
            accept(
                history, question, answers[0] if rng.random() < 0.6 else rng.choice(answers), rng
            )


def accept(history: History, question: Post, answer: Post, rng: random.Random) -> None:
    at = answer.at + wait(rng, 12 * 3600, 1.2)
    if at <= history.now:
        question.accepted = answer.id
        history.event(
            at,
            "accepted",
            "answer",
            answer.id,
            question.id,
            question.author,
            answer.author,
            previous=None,
        )


def later_acts(history: History, rng: random.Random, count: int) -> Iterator[tuple[Post, float]]:
    """``count`` posts, each with a moment (before now) someone acted on it."""
    posts = history.questions + history.answers
    made = 0
    while made < count:
        post = rng.choice(posts)
        at = post.at + wait(rng, DAY, 1.5)
        if at <= history.now:
            made += 1
            yield post, at


def add_votes_and_comments(history: History, members: Members, rng: random.Random) -> None:
    for post, at in later_acts(history, rng, VOTES):
        value = 1 if rng.random() < 0.85 else -1
        post.score += value
        history.event(
            at,
            "voted",
            post.kind,
            post.id,
            post.question_id,
            members.pick(at, VOTER_SKEW),
            post.author,
            old=0,
            new=value,
        )
    for number, (post, at) in enumerate(later_acts(history, rng, COMMENTS), start=1):
        history.event(
            at,
            "commented",
            "comment",
            number,
            post.question_id,
            members.pick(at, VOTER_SKEW),
            post.author,
            on=post.kind,
            post_id=post.id,
        )


def add_sign_ins(history: History, members: Members, rng: random.Random) -> None:
    for _ in range(SIGN_INS):
        at = history.now - days_ago(rng, MEMBER_DAYS)
        member = members.pick(at, SIGN_IN_SKEW)
        history.event(at, "signed_in", "user", member, None, member)


def add_page_votes(
    history: History, members: Members, pages: dict[str, list[str]], rng: random.Random
) -> None:
    """Votes on pages: popular pages get most, each page has its own share of "yes", and
    a few visitors change their vote later (the event names the vote it replaced)."""
    comments = {lang: [s[:200] for s in sentences(lang)[:300]] for lang in CODES}
    helpful = {page: rng.uniform(0.45, 0.9) for keys in pages.values() for page in keys}
    for number in range(1, PAGE_VOTES + 1):
        lang = rng.choices(CODES, PAGE_LANGS)[0]
        keys = pages[lang]
        page = rng.choices(keys, [1 / rank for rank in range(1, len(keys) + 1)])[0]
        at = history.now - days_ago(rng, QUESTION_DAYS)
        member = members.pick(at) if rng.random() < PAGE_VOTES_BY_MEMBERS else None
        visitor = f"member:{member}" if member else f"visitor:bench{number:08d}"
        if (lang, page, visitor) in history.feedback:
            continue  # one vote per visitor and page
        vote = page_vote(rng, helpful[page], comments[lang])
        page_vote_event(history, number, lang, page, visitor, member, at, vote, None)
        replaced = at + wait(rng, 3600, 2.0)
        if rng.random() < PAGE_VOTES_REPLACED and replaced <= history.now:
            previous = {"helpful": vote[0], "reason": vote[1], "at": iso(at)}
            vote = page_vote(rng, 1 - helpful[page], comments[lang])
            page_vote_event(history, number, lang, page, visitor, member, replaced, vote, previous)


def page_vote(rng: random.Random, yes: float, comments: list[str]) -> tuple:
    """(helpful, reason, comment): a reason with most "no" votes, a comment with some."""
    if rng.random() < yes:
        return True, None, None
    reason = rng.choices(REASONS, (3, 3, 3, 1))[0] if rng.random() < 0.8 else None
    return False, reason, rng.choice(comments) if rng.random() < 0.25 else None


def page_vote_event(
    history: History,
    vote_id: int,
    lang: str,
    page: str,
    visitor: str,
    member: int | None,
    at: float,
    vote: tuple,
    previous: dict | None,
) -> None:
    helpful, reason, comment = vote
    page_path = page.split("/", 1)[1]  # "en/faq/refunds/" -> "faq/refunds/"
    history.feedback[(lang, page_path, visitor)] = (
        lang,
        page_path,
        visitor,
        vote_id,
        int(helpful),
        reason,
        comment,
        member,
        iso(at),
    )
    history.event(
        at,
        "feedback",
        "page",
        vote_id,
        None,
        member,
        lang=lang,
        page=page_path,
        helpful=helpful,
        reason=reason,
        comment=comment,
        previous=previous,
    )


def add_search_misses(history: History, rng: random.Random) -> None:
    """Searches that found nothing: a few queries often, most of them once or twice."""
    queries = {}
    for lang in CODES:
        found: dict[str, None] = {}
        for sentence in sentences(lang):
            if len(found) == QUERIES_PER_LANG:
                break
            if terms := words(sentence, lang):
                start = rng.randrange(len(terms))
                found[" ".join(terms[start : start + rng.randint(1, 3)])] = None
        queries[lang] = list(found)
    for _ in range(SEARCH_MISSES):
        lang = rng.choice(CODES)
        weights = [1 / rank for rank in range(1, len(queries[lang]) + 1)]
        query = rng.choices(queries[lang], weights)[0]
        history.event(
            history.now - days_ago(rng, QUESTION_DAYS),
            "search_missed",
            "search",
            0,
            None,
            None,
            lang=lang,
            query=query,
        )


def make_history(pages: dict[str, list[str]], now: float) -> History:
    rng = random.Random(SEED)
    history = History(now)
    add_members(history, rng)
    members = Members(history, rng)
    add_questions(history, members, rng)
    add_answers(history, members, rng)
    add_votes_and_comments(history, members, rng)
    add_sign_ins(history, members, rng)
    add_page_votes(history, members, pages, rng)
    add_search_misses(history, rng)
    return history


# Loading it, in bulk


def user_rows(history: History) -> Iterator[tuple]:
    asked = Counter(question.author for question in history.questions)
    answered = Counter(answer.author for answer in history.answers)
    for number, joined in enumerate(history.joined, start=1):
        name = f"member{number}"
        yield (
            number,
            name,
            name,
            f"{name}@bench.invalid",
            f"{name}@bench.invalid",
            "member",
            "!",
            iso(joined),
            asked[number],
            answered[number],
        )


def question_rows(history: History) -> Iterator[tuple]:
    for q in history.questions:
        yield (
            q.id,
            q.author,
            q.title,
            q.body,
            f"<p>{q.body}</p>",
            q.body[:140],
            json.dumps(list(q.tags)),
            q.lang,
            q.score,
            q.answers,
            q.accepted,
            iso(q.at),
            iso(q.at),
            iso(q.last_activity),
        )


def answer_rows(history: History) -> Iterator[tuple]:
    for a in history.answers:
        yield (
            a.id,
            a.question_id,
            a.author,
            a.body,
            f"<p>{a.body}</p>",
            a.score,
            iso(a.at),
            iso(a.at),
        )


def event_rows(history: History) -> Iterator[tuple]:
    """The events in the order they happened, which is the order of the log (seq)."""
    history.events.sort(key=lambda event: event[0])
    for number, (at, *event) in enumerate(history.events, start=1):
        yield number, *event, iso(at)


INSERTS: dict[str, str] = {
    "users": "INSERT INTO users (id, username, username_key, email, email_key, role,"
    " password_hash, created_at, question_count, answer_count) VALUES (?,?,?,?,?,?,?,?,?,?)",
    "questions": "INSERT INTO questions (id, author_id, title, body, body_html, excerpt, tags,"
    " lang, score, answer_count, accepted_answer_id, created_at, updated_at, last_activity_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "question_tags": "INSERT INTO question_tags (tag, question_id) VALUES (?, ?)",
    "answers": "INSERT INTO answers (id, question_id, author_id, body, body_html, score,"
    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
    "feedback": "INSERT INTO feedback (lang, page, visitor, id, helpful, reason, comment,"
    " user_id, at) VALUES (?,?,?,?,?,?,?,?,?)",
    "event_log": "INSERT INTO event_log (id, kind, entity, entity_id, question_id, actor_id,"
    " affected_id, data, at) VALUES (?,?,?,?,?,?,?,?,?)",
}


def load(store_path: Path, history: History) -> dict[str, float | int]:
    """Write the history with ``executemany`` in one transaction; how much, how fast."""
    rows: dict[str, Iterable[tuple]] = {
        "users": user_rows(history),
        "questions": question_rows(history),
        "question_tags": ((tag, q.id) for q in history.questions for tag in q.tags),
        "answers": answer_rows(history),
        "feedback": history.feedback.values(),
        "event_log": event_rows(history),
    }
    started = time.perf_counter()
    db = sqlite3.connect(store_path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous = OFF")  # set-up: a crash here only loses the set-up
        db.execute("PRAGMA cache_size = -500000")
        db.execute("BEGIN")
        counts = {table: db.executemany(INSERTS[table], rows[table]).rowcount for table in rows}
        db.execute("COMMIT")
    finally:
        db.close()
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


# The pages readers vote on


def write_pages(index_dir: Path) -> dict[str, list[str]]:
    """pages.json for the real FAQ and guide pages, whose "no" votes reach the moderator;
    each language's page keys ("en/faq/refunds/"), in a stable order."""
    entries: dict[str, PageEntry] = {}
    for lang in CODES:
        for path in sorted((PROJECT_ROOT / "content" / lang).glob("*/*.md")):
            if path.parent.name in ("faq", "guides"):
                meta = read_page(path, lang).meta
                key = f"{lang}/{path.parent.name}/{path.stem}/"
                entries[key] = PageEntry(meta.title, meta.kind, meta.owner, (MODERATOR,))
    index_dir.mkdir(parents=True, exist_ok=True)
    page_directory.write(index_dir, entries)
    return {lang: [key for key in entries if key.startswith(f"{lang}/")] for lang in CODES}


# Counting it all, and the figures in this process


def catch_up(store: SQLiteStore, settings: Settings) -> dict[str, float | int]:
    """The metrics consumer over the whole log, as ``portal work`` runs it."""
    (consumer,) = [c for c in consumers.consumers(settings) if c.name == metrics_consumer.CONSUMER]
    started = time.perf_counter()
    handled = consumers.catch_up(store, consumer)
    seconds = time.perf_counter() - started
    return {
        "events": handled,
        "seconds": round(seconds, 1),
        "events_per_s": round(handled / seconds),
        "batch": consumer.batch,
    }


def settle_other_consumers(store: SQLiteStore, settings: Settings) -> None:
    """The other consumers start where the log ends, as on a site that has kept up: the
    worker ``portal serve`` starts would otherwise spend the benchmark on a year of
    notifications."""
    others = [c.name for c in consumers.consumers(settings) if c.name != metrics_consumer.CONSUMER]
    for name in (*others, publisher.CONSUMER):
        store.save_consumer_cursor(name, store.latest_cursor())


def inprocess_figures(store: SQLiteStore, index_dir: Path) -> tuple[dict, dict]:
    """:func:`functions.metrics.figures` without HTTP, each variant's times; and the
    community's shape, as the 30-day dashboard shows it."""
    page_of = PageDirectory(index_dir).get
    times: dict[str, list[float]] = {}
    for _ in range(INPROCESS_ROUNDS):
        for period in PERIODS:
            for lang in (None, *CODES):
                started = time.perf_counter()
                out = metrics.figures(store, page_of, utcnow(), metrics.PERIOD_DAYS[period], lang)
                label = f"{period} {'one language' if lang else 'every language'}"
                times.setdefault(label, []).append(time.perf_counter() - started)
                if period == "30d" and lang is None:
                    shape = community_shape(out)
    return {label: percentiles(samples) for label, samples in times.items()}, shape


def community_shape(out: MetricsOut) -> dict:
    """A few of the dashboard's own figures: what the history looks like to a moderator."""
    last_month = out.members.monthly_active[-2]  # the last whole month
    wait = out.first_answer.p50_seconds
    return {
        "registered": out.members.registered,
        "active_share_last_month": last_month.share and round(last_month.share, 2),
        "first_answer_p50_minutes": wait and round(wait / 60),
        "answered_within_goal_share": out.first_answer.within_goal_share
        and round(out.first_answer.within_goal_share, 2),
        "waiting_past_goal": out.unanswered.count,
        "positive_feedback_share": out.feedback.positive_share
        and round(out.feedback.positive_share, 2),
        "trending": [trend.name for trend in out.trending[:5]],
    }


# HTTP: requests from client threads, each over one kept-alive connection


@dataclass(frozen=True)
class Call:
    """One request of a timed phase, and the variant it is counted under."""

    label: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


def send_all(port: int, calls: list[Call], clients: int, seconds: float) -> list[tuple]:
    """Send ``calls`` in order from ``clients`` threads until all are sent or ``seconds``
    have passed; (label, status or error name, seconds) for each one sent."""
    pending = iter(calls)
    lock = threading.Lock()
    samples: list[tuple] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        mine = []
        while time.monotonic() < deadline:
            with lock:
                call = next(pending, None)
            if call is None:
                break
            started = time.perf_counter()
            try:
                connection.request(call.method, call.path, call.body, call.headers)
                response = connection.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()  # the next request connects again
            mine.append((call.label, status, time.perf_counter() - started))
        connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def timed(port: int, calls: list[Call], clients: int, seconds: float, ok: int) -> dict:
    """One run: successful requests per second, their latency, failures by status."""
    started = time.perf_counter()
    samples = send_all(port, calls, clients, seconds)
    elapsed = time.perf_counter() - started
    succeeded = [sample for sample in samples if sample[1] == ok]
    failures = Counter(str(status) for _, status, _ in samples if status != ok)
    labels = sorted({label for label, _, _ in succeeded})
    return {
        "requests": len(samples),
        "succeeded": len(succeeded),
        "not_sent_in_time": len(calls) - len(samples),
        "seconds": round(elapsed, 2),
        "per_s": round(len(succeeded) / elapsed, 1),
        **(percentiles([s[2] for s in succeeded]) if succeeded else {}),
        "failures": dict(failures),
        "clean": not failures and len(samples) == len(calls),
        "variants": {
            label: percentiles([s[2] for s in succeeded if s[0] == label]) for label in labels
        },
    }


def best(runs: list[dict], key: str, lowest: bool) -> dict:
    """The best run in which nothing failed (and every request was sent); when every run
    had failures, the best of them, marked ``clean: false``."""
    clean = [run for run in runs if run["clean"]] or runs
    chosen = min(clean, key=lambda run: run.get(key, math.inf) * (1 if lowest else -1))
    return dict(chosen)


def metrics_calls(cookie: str) -> list[Call]:
    """``GET /api/metrics`` for each period, every language and one (each in turn)."""
    calls = []
    for number in range(METRICS_REQUESTS):
        period = PERIODS[number % len(PERIODS)]
        lang = CODES[number // (2 * len(PERIODS)) % len(CODES)] if number % 2 else None
        path = f"/api/metrics?period={period}" + (f"&lang={lang}" if lang else "")
        label = f"{period} {'one language' if lang else 'every language'}"
        calls.append(Call(label, "GET", path, {"Cookie": cookie}))
    return calls


def sign_in(port: int) -> str:
    """The moderator's session cookie."""
    browser = Browser(port)
    token = browser.send("GET", "/api/session")["csrf_token"]
    browser.send("POST", "/api/session", {"username": MODERATOR, "password": PASSWORD}, token)
    return browser.cookie


def visitor_sessions(port: int, count: int) -> list[tuple[str, str]]:
    """Fresh anonymous sessions, (cookie, CSRF token) each, as a reader's first page view
    makes them: set-up, fetched before the timed window."""

    def fetch(_: int) -> tuple[str, str]:
        browser = Browser(port)
        token = browser.send("GET", "/api/session")["csrf_token"]
        return browser.cookie, token

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(fetch, range(count)))


def feedback_calls(
    run: int, sessions: list[tuple[str, str]], pages: dict[str, list[str]]
) -> list[Call]:
    """One vote from each visitor, on a page in their language; a third say "no", with a
    reason and sometimes a comment. Visitors share an address ``VOTES_PER_ADDRESS`` at a
    time (10.<run>.x.y, so no run meets an earlier run's count)."""
    rng = random.Random(SEED + run)
    calls = []
    for number, (cookie, token) in enumerate(sessions):
        lang = CODES[number % len(CODES)]
        vote: dict[str, object] = {"lang": lang, "page": rng.choice(pages[lang]).split("/", 1)[1]}
        vote["helpful"] = rng.random() < 0.67
        if not vote["helpful"]:
            vote["reason"] = rng.choice(REASONS)
            if rng.random() < 0.3:
                vote["comment"] = "The steps do not match what my phone shows."
        address = number // VOTES_PER_ADDRESS
        headers = {
            "Cookie": cookie,
            "X-CSRF-Token": token,
            "Content-Type": "application/json",
            "X-Forwarded-For": f"10.{run + 1}.{address // 250}.{address % 250 + 1}",
        }
        calls.append(Call("feedback", "POST", "/api/feedback", headers, json.dumps(vote).encode()))
    return calls


# The phases


def prepare(paths: Any, pages: dict[str, list[str]]) -> dict:
    """The store with its history, counted; the set-up's figures and the consumer's."""
    store = SQLiteStore(paths.store)
    now = time.time()
    joined = iso(now - MEMBER_DAYS * DAY)
    accounts.create_user(
        store, MODERATOR, f"{MODERATOR}@bench.invalid", PASSWORD, "moderator", joined
    )
    started = time.perf_counter()
    history = make_history(pages, now)
    made_s = round(time.perf_counter() - started, 1)
    loaded = load(paths.store, history)
    del history  # half a gigabyte the server phases do not need
    caught = catch_up(store, paths.settings())
    inprocess, shape = inprocess_figures(store, paths.index)
    settle_other_consumers(store, paths.settings())
    store.close()
    size_mb = round(paths.store.stat().st_size / 1e6)
    return {
        "store": {**loaded, "made_seconds": made_s, "size_mb": size_mb},
        "community": shape,
        "consume": caught,
        "inprocess": inprocess,
    }


def metrics_phase(port: int) -> list[dict]:
    calls = metrics_calls(sign_in(port))
    # Warm-up, not counted: each worker's connection, page directory and first figures.
    send_all(port, calls[: 4 * len(PERIODS) * len(CODES)], METRICS_CLIENTS, METRICS_SECONDS)
    return [timed(port, calls, METRICS_CLIENTS, METRICS_SECONDS, ok=200) for _ in range(REPEATS)]


def feedback_phase(port: int, pages: dict[str, list[str]], store: SQLiteStore) -> list[dict]:
    """Each run: fresh visitors' votes, then whether each landed, and how long the worker
    took to count them after the last one."""
    runs = []
    for run in range(REPEATS):
        calls = feedback_calls(run, visitor_sessions(port, FEEDBACK_PER_RUN), pages)
        before = stored_votes(store)
        result = timed(port, calls, FEEDBACK_CLIENTS, FEEDBACK_SECONDS, ok=200)
        result["votes_stored"] = stored_votes(store) - before
        result["clean"] = result["clean"] and result["votes_stored"] == result["succeeded"]
        result["counted_within_s"] = counted_within(store)
        del result["variants"]  # one variant
        runs.append(result)
    return runs


def stored_votes(store: SQLiteStore) -> int:
    db = sqlite3.connect(store.path)
    try:
        return db.execute("SELECT count(*) FROM feedback").fetchone()[0]
    finally:
        db.close()


def counted_within(store: SQLiteStore) -> float | None:
    """Seconds until the metrics consumer's cursor reaches the end of the log (None if it
    did not within :data:`CATCH_UP_SECONDS`)."""
    started = time.perf_counter()
    end = store.latest_cursor()
    while time.perf_counter() - started < CATCH_UP_SECONDS:
        if store.consumer_cursor(metrics_consumer.CONSUMER) == end:
            return round(time.perf_counter() - started, 2)
        time.sleep(0.05)
    return None


def summary(setup: dict, metric_runs: list[dict], feedback_runs: list[dict]) -> dict:
    reads = best(metric_runs, "p95_ms", lowest=True)
    votes = best(feedback_runs, "per_s", lowest=False)
    return {
        "consume_events_per_s": setup["consume"]["events_per_s"],
        "metrics_p50_ms": reads.get("p50_ms"),
        "metrics_p95_ms": reads.get("p95_ms"),
        "feedback_per_s": votes["per_s"],
        "meets_targets": reads["clean"]
        and votes["clean"]
        and reads["p95_ms"] <= TARGETS["metrics_p95_ms"]
        and votes["per_s"] >= TARGETS["feedback_per_s"],
        "targets": {"metrics_p95_ms": "<= 100", "feedback_per_s": ">= 300"},
        **setup,
        "metrics": reads,
        "feedback": votes,
        "runs": {"metrics": metric_runs, "feedback": feedback_runs},
    }


def main() -> None:
    from bench.results_io import write

    testing = portal_testing()
    started = time.perf_counter()
    load_before = [round(value, 2) for value in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="portal-bench-metrics-") as folder:
        paths = testing.PortalPaths.under(Path(folder))
        paths.site.mkdir(parents=True)  # the API alone is measured; no site
        pages = write_pages(paths.index)
        setup = prepare(paths, pages)
        print(f"set-up: {setup['store']}; consumer: {setup['consume']}", file=sys.stderr)
        environ = paths.environ(
            PORTAL_ENV="production",
            PORTAL_SECRET_KEY=secrets.token_hex(32),
            PORTAL_PROXY_HOPS="1",  # each simulated visitor sends its own X-Forwarded-For
        )
        port = testing.free_port()
        with testing.serving(environ, workers=WORKERS, port=port, threads=THREADS):
            metric_runs = metrics_phase(port)
            store = SQLiteStore(paths.store)
            try:
                feedback_runs = feedback_phase(port, pages, store)
            finally:
                store.close()
    results = {
        # The machine is shared: a busy neighbour shows here and explains a slow run.
        "load_average_before": load_before,
        **summary(setup, metric_runs, feedback_runs),
        "server": {
            "workers": WORKERS,
            "threads": THREADS,
            "store": "sqlite (WAL)",
            "proxy_hops": 1,
        },
        "load": {
            "metrics": f"{METRICS_REQUESTS} requests a run from {METRICS_CLIENTS} client "
            "threads in this process, kept-alive connections to 127.0.0.1, moderator's cookie",
            "feedback": f"{FEEDBACK_PER_RUN} votes a run from {FEEDBACK_CLIENTS} client threads "
            "in this process, kept-alive connections to 127.0.0.1; each vote a fresh anonymous "
            f"session, {VOTES_PER_ADDRESS} visitors to an X-Forwarded-For address",
            "feedback_per_s_includes": "POST /api/feedback only (the per-address limit check, "
            "the attempt and the vote with its event); each visitor's GET /api/session is "
            "made before the timed window",
        },
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "total_seconds": round(time.perf_counter() - started),
    }
    path = write("metrics", results)
    print(
        f"{path}: consumer {results['consume_events_per_s']} events/s; GET /api/metrics p50 "
        f"{results['metrics_p50_ms']} ms p95 {results['metrics_p95_ms']} ms; feedback "
        f"{results['feedback_per_s']} votes/s; {results['total_seconds']} s in all",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
