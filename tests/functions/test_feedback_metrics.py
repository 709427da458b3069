"""Feedback on pages and the health figures through the real app: `POST /api/feedback` on a
real SQLite file, the consumers run as `portal work` runs them (``deliver``), and what
moderators read at `GET /api/metrics`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from urllib.parse import urlencode

import pytest
from conftest import flask_client
from portal_testing import small_content

from functions import accounts, limits, metrics_consumer, models, notify
from functions.metric_rules import ANSWER_GOAL_SECONDS
from functions.store import MetricUpdate, iso, later
from search_index import pages
from search_index.pages import PageDirectory, PageEntry
from site_config.build import build

WARRANTY = "en/faq/warranty/"
PAGES = {
    WARRANTY: PageEntry("How the warranty works", "faq", "support-content", ("olga",)),
    "en/guides/claim/": PageEntry("Making a claim", "guide", "support-content", ()),
}
PROBLEM = "application/problem+json"
FIGURES = {
    "period",
    "members",
    "feedback",
    "first_answer",
    "unanswered",
    "trending",
    "contributors",
    "articles",
    "search_gaps",
}


@pytest.fixture
def page_directory(community_paths):
    """The pages the app takes feedback on, as the build would publish them."""
    community_paths.index.mkdir(parents=True)
    pages.write(community_paths.index, PAGES)


@pytest.fixture
def moderator(member):
    return member("mod", role="moderator")


def vote(client, page: str = "faq/warranty/", lang: str = "en", **fields):
    return client.call("POST", "/api/feedback", {"lang": lang, "page": page, **fields})


def figures(client, **params: str) -> dict:
    reply = client.get(f"/api/metrics?{urlencode(params)}")
    assert reply.status == 200, reply
    return reply.json


def feedback_events(store) -> list:
    return [e for e in store.events_after(None, 10_000).events if e.kind == "feedback"]


def is_sentence(text: str) -> bool:
    return bool(text) and text[0].isupper() and text.rstrip().endswith(".") and " " in text


def ago(**delta: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**delta)


def question(store, author_id: int, at: str, title: str = "Phone stopped charging") -> int:
    body = "It was fine yesterday; today nothing."
    return store.create_question(
        author_id, title, body, f"<p>{body}</p>", body, ["charging"], "en", at
    )


def answer(store, question_id: int, author_id: int, at: str) -> int:
    body = "Try another cable and a different socket."
    return store.create_answer(question_id, author_id, body, f"<p>{body}</p>", at)


# Who may read the figures, and what they look like


def test_metrics_are_for_moderators_and_admins_only(community_app, anonymous, member):
    """Anonymous visitors are told to sign in (401), members are refused (403), both as
    problem documents; moderators and admins get the figures."""
    unsigned = anonymous.get("/api/metrics")
    refused = member("asha").get("/api/metrics")

    assert unsigned.status == 401 and unsigned.headers["Content-Type"] == PROBLEM
    assert refused.status == 403 and refused.headers["Content-Type"] == PROBLEM
    assert "moderators" in refused.json["detail"]
    assert member("mod", role="moderator").get("/api/metrics").status == 200
    assert member("root", role="admin").get("/api/metrics").status == 200


def test_the_figures_have_the_documented_shape(moderator, deliver):
    """Every section is there, typed as the OpenAPI document says; the period's days, the
    weekly spans that cover it and the goals are as documented."""
    deliver()
    body = figures(moderator)

    assert set(body) == FIGURES
    models.MetricsOut.model_validate(body)  # every field, with its type
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=29)).isoformat()
    assert body["period"] == {"days": 30, "start": start, "end": today.isoformat(), "lang": None}
    members = body["members"]
    assert members["registered"] == 1  # the moderator, who joined 30 days ago
    assert len(members["monthly_active"]) == 6
    assert members["monthly_active"][-1] == {
        "month": today.isoformat()[:7],
        "active": 1,  # signed in today
        "registered": 1,
        "share": 1.0,
    }
    assert members["goal_active_share"] == 0.7 and members["goal_growth_quarter"] == 0.2
    weekly = body["feedback"]["weekly"]
    for empty in ("trending", "contributors", "articles", "search_gaps"):
        assert body[empty] == [], empty
    assert weekly[0]["start"] == start and weekly[-1]["end"] == today.isoformat()
    assert len(weekly) == 5  # 30 days: two, then four weeks
    assert body["feedback"]["positive_share"] is None  # no votes: no share to speak of
    assert body["first_answer"]["goal_seconds"] == ANSWER_GOAL_SECONDS
    assert body["first_answer"]["p50_seconds"] is None
    week = figures(moderator, period="7d", lang="en")
    assert week["period"]["days"] == 7 and week["period"]["lang"] == "en"
    assert len(week["feedback"]["weekly"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "1y"}, "period"),
        ({"period": "30"}, "period"),
        ({"lang": "fr"}, "lang"),
        ({"period": "7d", "lang": "EN"}, "lang"),
    ],
)
def test_bad_period_or_language_is_a_422_problem(moderator, params, field):
    """A 422 problem document: a sentence, and the field to fix with a stable code."""
    reply = moderator.get(f"/api/metrics?{urlencode(params)}")

    assert reply.status == 422, reply
    assert reply.headers["Content-Type"] == PROBLEM
    problem = reply.json
    assert problem["status"] == 422 and is_sentence(problem["detail"]), problem
    assert [error["field"] for error in problem["errors"]] == [field]
    assert [error["code"] for error in problem["errors"]] == ["one_of"]
    assert all(is_sentence(error["message"]) for error in problem["errors"])


# Votes


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        pytest.param({"page": "faq/nothing-here/", "helpful": True}, 404, None, id="unknown-page"),
        pytest.param({"helpful": False, "reason": "boring"}, 422, "reason", id="unknown-reason"),
        pytest.param({"helpful": True, "reason": "unclear"}, 422, "reason", id="reason-with-yes"),
        pytest.param({"helpful": True, "comment": "Great"}, 422, "reason", id="comment-with-yes"),
        pytest.param(
            {"helpful": False, "comment": "x" * 1001}, 422, "comment", id="comment-too-long"
        ),
        pytest.param({"helpful": "no"}, 422, "helpful", id="helpful-as-text"),
        pytest.param({}, 422, "helpful", id="helpful-missing"),
        pytest.param({"page": "faq/warranty", "helpful": True}, 422, "page", id="page-no-slash"),
        pytest.param({"lang": "fr", "helpful": True}, 422, "lang", id="unknown-language"),
        pytest.param({"helpful": True, "score": 5}, 422, "score", id="unknown-field"),
    ],
)
def test_bad_votes_are_refused_with_a_problem(
    page_directory, anonymous, store, changes, status, field
):
    """Each bad vote gets a problem saying what to change, and records nothing."""
    reply = vote(anonymous, **changes)

    assert reply.status == status, reply
    assert reply.headers["Content-Type"] == PROBLEM
    assert is_sentence(reply.json["detail"])
    if field:
        assert field in [error["field"] for error in reply.json["errors"]]
    assert feedback_events(store) == []


def test_a_vote_needs_the_csrf_token_and_a_json_body(page_directory, anonymous, store):
    good = {"lang": "en", "page": "faq/warranty/", "helpful": True}
    no_token = anonymous.call("POST", "/api/feedback", good, csrf=False)
    form = anonymous.call(
        "POST",
        "/api/feedback",
        raw=b"lang=en&page=faq/warranty/&helpful=true",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    broken = anonymous.call(
        "POST",
        "/api/feedback",
        raw=b'{"lang": "en", "helpful": tru',
        headers={"Content-Type": "application/json"},
    )
    listed = anonymous.call("POST", "/api/feedback", [good])

    assert no_token.status == 403 and "X-CSRF-Token" in no_token.json["detail"]
    assert form.status == 415 and "JSON" in form.json["detail"]
    assert broken.status == 400 and "not valid JSON" in broken.json["detail"]
    assert listed.status == 400 and "JSON object" in listed.json["detail"]
    assert {r.headers["Content-Type"] for r in (no_token, form, broken, listed)} == {PROBLEM}
    assert feedback_events(store) == []
    assert vote(anonymous, helpful=True).status == 200  # the same client, done right


def test_a_later_vote_replaces_the_earlier_and_the_figures_follow(
    page_directory, anonymous, moderator, deliver, store, community_app
):
    """One vote per visitor and page: "yes" then "no" leaves one "no" (the counts move from
    positive to negative once the consumer ran); a second visitor's vote counts too."""
    assert anonymous.get("/api/feedback?lang=en&page=faq/warranty/").json == {
        "helpful": None,
        "reason": None,
        "comment": None,
    }
    first = vote(anonymous, helpful=True)
    assert first.status == 200 and first.json["helpful"] is True
    deliver()
    feedback = figures(moderator)["feedback"]
    assert (feedback["positive"], feedback["negative"], feedback["positive_share"]) == (1, 0, 1.0)

    changed = vote(anonymous, helpful=False, reason="outdated", comment="  The form moved.  ")
    assert changed.json == {"helpful": False, "reason": "outdated", "comment": "The form moved."}
    assert anonymous.get("/api/feedback?lang=en&page=faq/warranty/").json == changed.json
    deliver()
    body = figures(moderator)
    assert (body["feedback"]["positive"], body["feedback"]["negative"]) == (0, 1)
    (article,) = body["articles"]
    assert article["url"] == WARRANTY and article["title"] == "How the warranty works"
    assert (article["no"], article["yes"]) == (1, 0)
    assert article["reasons"] == {"outdated": 1, "unclear": 0, "unsolved": 0, "other": 0}
    assert [c["comment"] for c in article["comments"]] == ["The form moved."]

    # Saying the same again changes nothing: no event, nothing for the consumers.
    assert (
        vote(anonymous, helpful=False, reason="outdated", comment="The form moved.").status == 200
    )
    assert deliver() == 0

    # Another visitor (another browser session) is another vote; so is a member.
    assert vote(flask_client(community_app), helpful=True).status == 200
    assert vote(moderator, helpful=True).status == 200
    deliver()
    feedback = figures(moderator)["feedback"]
    assert (feedback["positive"], feedback["negative"]) == (2, 1)
    assert feedback["positive_share"] == pytest.approx(2 / 3)
    assert len(feedback_events(store)) == 4
    # The other page has no votes; per-page votes are kept apart.
    assert anonymous.get("/api/feedback?lang=en&page=guides/claim/").json["helpful"] is None


def test_votes_are_limited_per_address(page_directory, community_app, store):
    """60 votes from one address in ten minutes; the 61st gets a 429 with Retry-After, even
    from a new visitor on that address, while another address still votes."""
    assert limits.FEEDBACK_PER_ADDRESS == 60
    crowded = flask_client(community_app, address="10.0.0.1")
    statuses = [vote(crowded, helpful=n % 2 == 0).status for n in range(60)]  # each a change
    assert statuses == [200] * 60

    stopped = vote(crowded, helpful=True)
    assert stopped.status == 429 and stopped.headers["Content-Type"] == PROBLEM
    assert 1 <= int(stopped.headers["Retry-After"]) <= limits.FEEDBACK_WINDOW.total_seconds()
    assert "votes" in stopped.json["detail"] and is_sentence(stopped.json["detail"])
    assert vote(flask_client(community_app, address="10.0.0.1"), helpful=True).status == 429
    assert vote(flask_client(community_app, address="10.0.0.2"), helpful=True).status == 200
    assert len(feedback_events(store)) == 60 + 1


def test_a_no_reaches_the_pages_owner_and_a_yes_reaches_nobody(
    page_directory, anonymous, member, deliver, community_app
):
    """Olga keeps the warranty page (its ``notify``): a reader's "no" reaches her as a
    "feedback" notification with the page's title, the reason and the comment."""
    olga = member("olga", role="moderator")
    other = member("ivan")
    assert vote(flask_client(community_app), helpful=True).status == 200
    deliver()
    assert olga.get("/api/notifications").json["items"] == []

    reply = vote(anonymous, helpful=False, reason="unclear", comment="Which receipt?")
    assert reply.status == 200
    vote(flask_client(community_app), page="guides/claim/", helpful=False, reason="other")
    deliver()

    (note,) = olga.get("/api/notifications").json["items"]
    assert note["kind"] == "feedback" and note["question_id"] is None
    assert note["actor"] is None  # a visitor who was not signed in
    assert note["page"] == {
        "url": WARRANTY,
        "title": "How the warranty works",
        "reason": "unclear",
        "comment": "Which receipt?",
    }
    assert other.get("/api/notifications").json["items"] == []  # not an owner

    # A member's "no" names them; the owner's own "no" tells her nothing.
    vote(other, helpful=False, reason="outdated")
    vote(olga, helpful=False, reason="other")
    deliver()
    latest, _ = olga.get("/api/notifications").json["items"]
    assert latest["actor"]["username"] == "ivan" and latest["page"]["reason"] == "outdated"


# Searches that found nothing


@pytest.fixture
def searchable(community_paths):
    """A built site (and its search index) in the app's own directories."""
    small_content(community_paths.content)
    build(community_paths.settings(), say=lambda line: None)


def search(client, q: str, **params: str):
    return client.get(f"/api/search?{urlencode({'q': q, 'lang': 'en', **params})}")


def test_a_submitted_search_that_finds_nothing_is_a_search_gap(
    searchable, anonymous, moderator, deliver, community_app
):
    """Only a search the reader submitted (submitted=1), in a language, on its first page,
    that found nothing; its words normalised; the same words from one address once."""
    missed = search(anonymous, "  Qzxv   FLURBLE ", submitted="1")
    assert missed.status == 200 and missed.json["total"] == 0
    assert search(anonymous, "qzxv flurble", submitted="1").json["total"] == 0  # again
    other = flask_client(community_app, address="10.0.0.9")
    assert search(other, "qzxv flurble", submitted="1").json["total"] == 0
    assert search(anonymous, "qzxv flurble").status == 200  # typed, not submitted
    assert search(anonymous, "warranty", submitted="1").json["total"] > 0  # found something
    assert anonymous.get("/api/search?q=qzxv&submitted=1").status == 200  # no language
    deliver()

    gaps = figures(moderator)["search_gaps"]
    assert gaps == [{"query": "qzxv flurble", "lang": "en", "count": 2}]
    assert figures(moderator, lang="ru")["search_gaps"] == []
    assert figures(moderator, lang="en")["search_gaps"] == gaps


def test_search_gaps_are_limited_per_address(searchable, community_app, moderator, deliver):
    """20 misses per address in ten minutes are counted; more from there are answered but
    not counted, while another address still counts."""
    assert limits.SEARCH_MISSES_PER_ADDRESS == 20
    crowded = flask_client(community_app, address="10.0.0.7")
    replies = [search(crowded, f"qzxv{n}", submitted="1") for n in range(20 + 3)]
    assert {reply.status for reply in replies} == {200}
    search(flask_client(community_app, address="10.0.0.8"), "qzxv-other", submitted="1")
    deliver()

    gaps = figures(moderator, lang="en")["search_gaps"]
    store = community_app.extensions["portal_store"]
    recorded = [e for e in store.events_after(None, 10_000).events if e.kind == "search_missed"]
    assert len(recorded) == 20 + 1
    assert [e.data["query"] for e in recorded][-1] == "qzxv-other"
    assert len(gaps) == 10 and all(gap["count"] == 1 for gap in gaps)  # the top ten shown


def test_the_store_records_a_miss_as_a_gap(store, moderator, deliver):
    """Without an index: what the search records is what the figures count."""
    now = iso(dt.datetime.now(dt.UTC))
    store.record_search_missed("ru", "гарантия роутер", now)
    store.record_search_missed("ru", "гарантия роутер", now)
    store.record_search_missed("en", "router warranty", now)
    deliver()

    assert figures(moderator)["search_gaps"] == [
        {"query": "гарантия роутер", "lang": "ru", "count": 2},
        {"query": "router warranty", "lang": "en", "count": 1},
    ]
    assert figures(moderator, lang="en")["search_gaps"] == [
        {"query": "router warranty", "lang": "en", "count": 1}
    ]


# Answers and the questions still waiting


def test_the_unanswered_list_holds_questions_waiting_over_two_hours(store, moderator):
    """Asked three hours ago and still unanswered: listed. One hour ago: not yet. Three
    hours ago but answered: not listed."""
    asha = accounts.create_user(
        store, "asha", "asha@example.com", "x" * 12, "member", iso(ago(days=9))
    )
    waiting = question(store, asha.id, iso(ago(hours=3)), "Waiting three hours now")
    question(store, asha.id, iso(ago(hours=1)), "Waiting one hour now")
    answered = question(store, asha.id, iso(ago(hours=4)), "Answered after a while")
    answer(store, answered, moderator.user["id"], iso(ago(hours=2)))

    unanswered = figures(moderator)["unanswered"]

    assert unanswered["count"] == 1
    (item,) = unanswered["items"]
    assert item["id"] == waiting and item["title"] == "Waiting three hours now"
    assert item["lang"] == "en" and str(waiting) in item["url"]
    assert 3 * 3600 <= item["waiting_seconds"] < 3 * 3600 + 120
    assert figures(moderator, lang="ru")["unanswered"] == {"count": 0, "items": []}


def test_time_to_first_answer_counts_one_of_two_within_the_goal(store, moderator, deliver):
    """Two questions asked at T, first answered at T+1:59 and T+2:01: one of two within the
    two-hour goal, and the median at the 1:59 answer's minute."""
    asha = accounts.create_user(
        store, "asha", "asha@example.com", "x" * 12, "member", iso(ago(days=9))
    )
    ivan = accounts.create_user(
        store, "ivan", "ivan@example.com", "x" * 12, "member", iso(ago(days=9))
    )
    asked = iso(ago(days=3).replace(hour=9, minute=0, second=0))
    quick = question(store, asha.id, asked, "Answered within the goal")
    slow = question(store, asha.id, asked, "Answered just after the goal")
    answer(store, quick, ivan.id, later(asked, 119 * 60))
    answer(store, slow, ivan.id, later(asked, 121 * 60))
    answer(store, quick, ivan.id, later(asked, 130 * 60))  # not a first answer
    deliver()

    first = figures(moderator)["first_answer"]

    assert (first["asked"], first["answered"]) == (2, 2)
    assert first["within_goal"] == 1
    assert first["within_goal_share"] == 0.5
    assert first["p50_seconds"] == 119 * 60
    assert 119 * 60 < first["p90_seconds"] <= ANSWER_GOAL_SECONDS + 900
    (contributor,) = figures(moderator)["contributors"]
    assert contributor["user"]["username"] == "ivan" and contributor["answers"] == 3
    assert figures(moderator, lang="ru")["first_answer"]["asked"] == 0


# The consumer counts each event once


def test_running_the_consumer_again_changes_nothing(
    page_directory, anonymous, moderator, store, deliver
):
    """The metrics consumer saves its cursor with its counts: once caught up, running it
    again handles nothing and every figure stays as it was."""
    asked = iso(ago(days=2))
    question_id = question(store, moderator.user["id"], asked)
    answer(store, question_id, moderator.user["id"], later(asked, 600))
    vote(anonymous, helpful=False, reason="unclear")
    store.record_search_missed("en", "router", iso(ago(minutes=1)))
    assert deliver() > 0
    before = figures(moderator)
    assert store.consumer_cursor(metrics_consumer.CONSUMER) == store.latest_cursor()

    assert deliver() == 0
    assert deliver() == 0
    after = figures(moderator)
    assert after == before
    assert (after["feedback"]["negative"], after["first_answer"]["answered"]) == (1, 1)


def test_a_batch_that_fails_midway_counts_nothing_until_it_runs_again(
    page_directory, anonymous, moderator, store, deliver, monkeypatch
):
    """A write that fails after the batch's counts went in (here: a bad active pair) rolls
    back the counts and the cursor together; the next run counts the batch exactly once."""
    deliver()
    cursor = store.consumer_cursor(metrics_consumer.CONSUMER)
    vote(anonymous, helpful=True)
    real_fold = metrics_consumer.fold

    def failing_fold(*args, **kwargs) -> MetricUpdate:
        update = real_fold(*args, **kwargs)
        assert update.counts  # the batch does count something
        return MetricUpdate(update.counts, update.clocks, [("2026-11", 1, "not a pair")])

    monkeypatch.setattr(metrics_consumer, "fold", failing_fold)
    with pytest.raises((sqlite3.ProgrammingError, ValueError)):  # SQLite's, DynamoDB's
        deliver()
    assert store.consumer_cursor(metrics_consumer.CONSUMER) == cursor
    assert figures(moderator)["feedback"]["positive"] == 0

    monkeypatch.setattr(metrics_consumer, "fold", real_fold)
    deliver()
    assert figures(moderator)["feedback"]["positive"] == 1
    assert deliver() == 0
    assert figures(moderator)["feedback"]["positive"] == 1


def test_with_mail_set_up_the_owner_also_gets_an_email(
    page_directory, community_paths, anonymous, member, store
):
    """The notifications consumer queues the owner's email beside the notification (``portal
    work`` sends it): the page's title, the reason in words, the comment and the link."""
    olga = member("olga", role="moderator")
    assert vote(anonymous, helpful=False, reason="outdated", comment="Old prices").status == 200
    (event,) = feedback_events(store)
    owners = PageDirectory(community_paths.index).get
    notify.handle(store, [event], "https://help.example.com/", owners)
    mail = store.mail(f"{event.id}:{olga.user['id']}")
    assert mail is not None and mail.to == "olga@example.com"
    assert mail.subject == "A reader found this page unhelpful: How the warranty works"
    assert "Why: it is out of date" in mail.text and "Old prices" in mail.text
    assert f"https://help.example.com/{WARRANTY}" in mail.text


def test_two_runners_on_the_same_batch_count_it_once(page_directory, anonymous, moderator, store):
    """``portal work`` started by hand beside ``portal serve``: both read the same batch,
    the second to write finds the cursor moved and counts nothing."""
    vote(anonymous, helpful=True)
    after = store.consumer_cursor(metrics_consumer.CONSUMER)
    page = store.events_after(after, 500)
    metrics_consumer.handle(store, page.events, after, page.cursor)
    metrics_consumer.handle(store, page.events, after, page.cursor)  # the slower runner
    assert store.consumer_cursor(metrics_consumer.CONSUMER) == page.cursor
    assert figures(moderator)["feedback"]["positive"] == 1


def test_a_new_accepted_answer_takes_the_earlier_ones_acceptance_away(store, moderator, deliver):
    asker, first, second = (
        accounts.create_user(store, name, f"{name}@example.com", "x" * 12, now=iso(ago(days=9)))
        for name in ("asker", "first", "second")
    )
    asked = iso(ago(days=1))
    question_id = question(store, asker.id, asked)
    one = answer(store, question_id, first.id, later(asked, 60))
    two = answer(store, question_id, second.id, later(asked, 120))
    store.accept_answer(question_id, one, asker.id, later(asked, 180))
    store.accept_answer(question_id, two, asker.id, later(asked, 240))
    deliver()
    accepted = {
        row["user"]["username"]: row["accepted"] for row in figures(moderator)["contributors"]
    }
    assert accepted == {"first": 0, "second": 1}


def test_a_no_said_again_keeps_its_reason_and_tells_the_owner_once(
    page_directory, anonymous, member, deliver, store
):
    olga = member("olga", role="moderator")
    vote(anonymous, helpful=False)
    vote(anonymous, helpful=False, reason="outdated")  # the reason: nothing new for Olga
    assert vote(anonymous, helpful=False).json["reason"] == "outdated"  # clicked again
    stored = anonymous.get("/api/feedback?lang=en&page=faq/warranty/").json
    assert (stored["helpful"], stored["reason"]) == (False, "outdated")
    vote(anonymous, helpful=False, reason="outdated", comment="Prices changed in May")
    deliver()
    notes = olga.get("/api/notifications").json["items"]
    assert [note["page"]["comment"] for note in notes] == ["Prices changed in May", None]


def test_an_owner_named_in_owners_yml_hears_only_as_a_moderator(
    page_directory, anonymous, member, deliver
):
    """Whoever registers a username listed in owners.yml first gets nothing from it."""
    squatter = member("olga")
    vote(anonymous, helpful=False, comment="Which receipt?")
    deliver()
    assert squatter.get("/api/notifications").json["items"] == []


def test_a_filtered_search_or_the_same_one_again_is_no_new_gap(
    searchable, community_app, moderator, deliver
):
    reader = flask_client(community_app, address="10.9.0.1")
    for _ in range(3):
        assert search(reader, "zzqx", lang="en", submitted="1").status == 200
    assert search(reader, "qqzx", lang="en", kind="faq", submitted="1").status == 200
    deliver()
    gaps = figures(moderator)["search_gaps"]
    assert [(gap["query"], gap["count"]) for gap in gaps] == [("zzqx", 1)]
