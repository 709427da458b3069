"""Promoting an answer into the knowledge base, end to end against a real `portal serve`:
the Markdown file, the page served, the search hit, the question's link, the event and
taking it back; the rules; and a publish that fails midway leaves the site as it was."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import PASSWORD, http_client
from portal_testing import PortalPaths, run_portal, serving, small_content, wait_for

from core import publish
from functions import accounts, content, errors, promotion
from functions.store import Answer, Question, open_store
from portal import publisher as publishing
from portal.worker import Worker
from search_index.pages import PageDirectory
from site_config.frontmatter import read_page

BODY = "Hold the power button for 30 seconds: the zorbolith controller resets, and it charges."
PAGE = {
    "title": "Reset the charging controller",
    "summary": "When a phone stops charging, a long press resets its charging controller.",
}


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def search(base: str, words: str) -> list[str]:
    query = urllib.parse.urlencode({"q": words, "lang": "en"})
    return [item["url"] for item in json.loads(read(f"{base}/api/search?{query}"))["items"]]


@pytest.fixture
def site(tmp_path) -> PortalPaths:
    paths = PortalPaths.under(tmp_path)
    small_content(paths.content)
    assert run_portal("build", env=paths.environ()).returncode == 0
    return paths


def members(paths: PortalPaths, base: str, *names_and_roles: tuple[str, str]):
    store = open_store(paths.store_url)
    try:
        for name, role in names_and_roles:
            accounts.create_user(
                store, name, f"{name}@example.com", PASSWORD, role, "2026-01-01T00:00:00Z"
            )
    finally:
        store.close()
    clients = []
    for name, _ in names_and_roles:
        client = http_client(base)
        assert client.sign_in(name).status == 200
        clients.append(client)
    return clients


def test_promote_serve_search_and_take_back(site):
    with serving(site.environ()) as base:
        asker, helper, moderator = members(
            site, base, ("asha", "member"), ("ravi", "member"), ("mod", "moderator")
        )
        question = asker.ask(title="Phone will not charge after a drop")
        answer = helper.call(
            "POST", f"/api/questions/{question['id']}/answers", {"body": BODY}
        ).json
        promote = f"/api/answers/{answer['id']}/promotion"
        assert moderator.call("PUT", promote, PAGE).status == 422  # not accepted, no votes
        assert asker.call("PUT", promote, PAGE).status == 403  # moderators only
        discussion = f"en/community/question/?id={question['id']}"
        accept = {"answer_id": answer["id"]}
        asker.call("PUT", f"/api/questions/{question['id']}/accepted-answer", accept)
        assert wait_for(lambda: discussion in search(base, "zorbolith"))

        promoted = moderator.call("PUT", promote, {**PAGE, "tags": ["charging"]})
        assert promoted.status == 200, promoted
        url = promoted.json["url"]
        assert url == f"en/community/answer-{answer['id']}/"

        # The page is served, links back to the discussion, and search finds it instead.
        assert wait_for(lambda: status_of(f"{base}/{url}") == 200, 60), "never published"
        page = read(f"{base}/{url}")
        assert PAGE["title"] in page and "zorbolith" in page
        assert f"question/?id={question['id']}" in page  # the link back to the discussion
        assert wait_for(lambda: [hit.split("#")[0] for hit in search(base, "zorbolith")] == [url])
        assert discussion not in search(base, "zorbolith")  # the question gave way
        assert asker.get(f"/api/questions/{question['id']}").json["promoted_url"] == url
        # Readers can say whether it helped: the page is in the published pages, kept by
        # the moderators' team.
        entry = PageDirectory(site.index).get(url)
        assert entry is not None and (entry.title, entry.owner) == (PAGE["title"], "community")
        assert (
            asker.call(
                "POST", "/api/feedback", {"lang": "en", "page": url[3:], "helpful": True}
            ).status
            == 200
        )

        # The Markdown file names its source, credits the authors and who promoted it.
        written = read_page(site.content / "en" / "community" / f"answer-{answer['id']}.md")
        assert written.meta.source.answer_id == str(answer["id"])
        assert written.meta.authors == ["ravi", "asha"]
        assert written.meta.promoted.by == "mod" and written.meta.tags == ["charging"]
        assert "<script" not in written.body

        # The answerer is credited through the event.
        store = open_store(site.store_url)
        try:
            (event,) = [e for e in store.events_after(None, 1000).events if e.kind == "promoted"]
            assert (event.entity_id, event.affected_id) == (answer["id"], helper.user["id"])
        finally:
            store.close()

        # Taken back: the page goes, the question is as it was and searchable again.
        assert moderator.call("DELETE", f"{promote}?reason=Outdated%20now").status == 204
        assert wait_for(lambda: status_of(f"{base}/{url}") == 404, 60), "never unpublished"
        assert wait_for(lambda: PageDirectory(site.index).get(url) is None)
        assert not (site.content / "en" / "community" / f"answer-{answer['id']}.md").exists()
        assert wait_for(lambda: discussion in search(base, "zorbolith"))
        seen = asker.get(f"/api/questions/{question['id']}").json
        assert seen["promoted_url"] is None and seen["status"] == "accepted"
        assert moderator.call("DELETE", promote).status == 404


def test_the_rules():
    def question(accepted=None, hidden=False):
        return Question(
            1, 1, "a", "t", "b", "h", "e", (), "en", 0, 1, accepted, 0, "", "", "", hidden
        )

    def answer(score=0, hidden=False):
        return Answer(2, 1, 3, "r", "b", "h", score, "", "", hidden)

    assert promotion.may_promote(question(accepted=2), answer())
    assert promotion.may_promote(question(), answer(score=promotion.PROMOTE_MIN_SCORE))
    assert not promotion.may_promote(question(), answer(score=2))
    assert not promotion.may_promote(question(accepted=2), answer(hidden=True))
    assert not promotion.may_promote(question(accepted=2, hidden=True), answer())


def test_a_publish_that_fails_midway_leaves_the_site_and_keeps_the_page(site, monkeypatch):
    store = open_store(site.store_url)
    asha = accounts.create_user(
        store, "asha", "a@example.com", PASSWORD, "member", "2026-01-01T00:00:00Z"
    )
    mod = accounts.create_user(
        store, "mod", "m@example.com", PASSWORD, "moderator", "2026-01-01T00:00:00Z"
    )
    question_id = store.create_question(
        asha.id, "Phone will not charge", "B", "<p>B</p>", "B", [], "en", "2026-11-01T00:00:00Z"
    )
    answer_id = store.create_answer(
        question_id, mod.id, BODY, f"<p>{BODY}</p>", "2026-11-01T01:00:00Z"
    )
    store.accept_answer(question_id, answer_id, asha.id, "2026-11-01T02:00:00Z")
    promotion.promote(
        store,
        mod,
        store.answer(answer_id),
        PAGE["title"],
        PAGE["summary"],
        [],
        None,
        "2026-11-02T00:00:00Z",
    )
    before = publish.current(site.site)

    def broken_build(*args, **kwargs):
        raise RuntimeError("the machine went away mid-build")

    monkeypatch.setattr(
        publishing, "rebuild", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("mid-build"))
    )
    worker = Worker(site.settings(), store)
    with pytest.raises(RuntimeError):
        worker.publisher.run_once()
    assert publish.current(site.site) == before  # the last good site is still served
    path = site.content / "en" / "community" / f"answer-{answer_id}.md"
    assert path.is_file()  # the page is not lost
    assert store.consumer_cursor(publishing.CONSUMER) is None  # and it will be published

    monkeypatch.undo()
    assert worker.publisher.run_once() > 0
    assert publish.current(site.site) != before
    assert (
        publish.current(site.site) / "en" / "community" / f"answer-{answer_id}" / "index.html"
    ).is_file()
    worker.close()
    store.close()


def test_promote_from_the_command_line_two_at_once(site):
    """Two promotions made at the same moment both end up on the site."""
    store = open_store(site.store_url)
    day = "2026-11-01T00:00:00Z"
    asha = accounts.create_user(store, "asha", "a@example.com", PASSWORD, "member", day)
    accounts.create_user(store, "mod", "m@example.com", PASSWORD, "moderator", day)
    answers = []
    for number in (1, 2):
        question_id = store.create_question(
            asha.id, f"Question {number}", "B", "<p>B</p>", "B", [], "en", day
        )
        answer_id = store.create_answer(question_id, asha.id, BODY, f"<p>{BODY}</p>", day)
        store.accept_answer(question_id, answer_id, asha.id, day)
        answers.append(answer_id)
    store.close()
    env = site.environ()
    refused = run_portal("promote", str(answers[0]), "--by", "asha", env=env)
    assert refused.returncode == 2 and "not a moderator" in refused.stderr
    bad = run_portal("promote", str(answers[0]), "--by", "mod", "--lang", "de", env=env)
    assert bad.returncode == 2 and "lang" in bad.stderr
    for answer_id in answers:
        done = run_portal("promote", str(answer_id), "--by", "mod", "--title", "A fix", env=env)
        assert done.returncode == 0, done.stderr
        assert f"en/community/answer-{answer_id}/" in done.stdout
    assert run_portal("work", "--once", env=env).returncode == 0
    site_now = publish.current(site.site)
    for answer_id in answers:
        assert (site_now / "en" / "community" / f"answer-{answer_id}" / "index.html").is_file()
    assert run_portal("promote", str(answers[0]), "--by", "mod", "--undo", env=env).returncode == 0
    assert run_portal("work", "--once", env=env).returncode == 0
    site_now = publish.current(site.site)
    assert not (site_now / "en" / "community" / f"answer-{answers[0]}").exists()
    assert (site_now / "en" / "community" / f"answer-{answers[1]}" / "index.html").is_file()


def promoted_site(site):
    """A store with a moderator, an asker and a helper on the small site."""
    store = open_store(site.store_url)
    day = "2026-11-01T00:00:00Z"
    people = {
        name: accounts.create_user(store, name, f"{name}@example.com", PASSWORD, role, day)
        for name, role in (("asha", "member"), ("ravi", "member"), ("mod", "moderator"))
    }
    return store, people, day


def accepted_answer(store, people, day, body_html: str, title: str = "Question") -> int:
    question_id = store.create_question(
        people["asha"].id, title, "B", "<p>B</p>", "B", [], "en", day
    )
    answer_id = store.create_answer(question_id, people["ravi"].id, "Body", body_html, day)
    store.accept_answer(question_id, answer_id, people["asha"].id, day)
    return answer_id


def page_path(site, answer_id: int, lang: str = "en"):
    return publish.current(site.site) / lang / "community" / f"answer-{answer_id}" / "index.html"


def test_text_the_sanitiser_kept_cannot_become_markup_on_the_page(site):
    """A <div> the sanitiser removed leaves its text; Markdown must not make it a link, an
    attribute or a broken link that fails the strict build."""
    store, people, day = promoted_site(site)
    crafted = content.render(
        "<div>\n[click me](javascript:alert(document.cookie))\n\nhello\n"
        "{: onmouseover=alert(1) }\n[see the manual](manual.md)\n</div>"
    )
    answer_id = accepted_answer(store, people, day, crafted)
    promotion.promote(
        store, people["mod"], store.answer(answer_id), "A page", "A summary.", [], None, day
    )
    worker = Worker(site.settings(), store)
    try:
        assert worker.publisher.run_once() > 0
    finally:
        worker.close()
    page = page_path(site, answer_id).read_text()
    assert "click me" in page
    assert 'href="javascript:' not in page and "onmouseover=" not in page.replace(
        "{: onmouseover", ""
    )
    assert 'href="manual' not in page
    store.close()


def test_a_promoted_answer_that_is_hidden_leaves_the_knowledge_base(site):
    store, people, day = promoted_site(site)
    answer_id = accepted_answer(store, people, day, "<p>Reset it.</p>")
    answer = store.answer(answer_id)
    promotion.promote(store, people["mod"], answer, "A page", "A summary.", [], None, day)
    worker = Worker(site.settings(), store)
    try:
        worker.publisher.run_once()
        assert page_path(site, answer_id).is_file()
        store.set_hidden("answer", answer_id, True, day, actor_id=people["mod"].id, reason="Spam")
        assert store.promotion(answer_id) is None
        assert store.question(answer.question_id).promoted_answer_id is None
        worker.publisher.run_once()
        assert not page_path(site, answer_id).exists()
    finally:
        worker.close()
    store.close()


def test_moving_a_page_to_another_language_leaves_no_old_page(site):
    store, people, day = promoted_site(site)
    answer_id = accepted_answer(store, people, day, "<p>Reset it.</p>")
    answer = store.answer(answer_id)
    worker = Worker(site.settings(), store)
    try:
        promotion.promote(store, people["mod"], answer, "A page", "A summary.", [], None, day)
        worker.publisher.run_once()
        promotion.promote(store, people["mod"], answer, "Страница", "Кратко о ней.", [], "ru", day)
        worker.publisher.run_once()
        assert page_path(site, answer_id, "ru").is_file()
        assert not page_path(site, answer_id, "en").exists()
        assert not (site.content / "en" / "community" / f"answer-{answer_id}.md").exists()
    finally:
        worker.close()
    store.close()


def test_one_promoted_answer_per_question_and_the_text_as_promoted(site):
    store, people, day = promoted_site(site)
    answer_id = accepted_answer(store, people, day, "<p>First words.</p>")
    answer = store.answer(answer_id)
    other = store.create_answer(answer.question_id, people["mod"].id, "B", "<p>Other.</p>", day)
    for voter in ("asha", "ravi", "mod"):
        if voter != "mod":
            store.set_vote(people[voter].id, "answer", other, 1, day)
    store.set_vote(people["ravi"].id, "answer", answer_id, 1, day)
    promotion.promote(store, people["mod"], answer, "A page", "A summary.", [], None, day)
    with pytest.raises(errors.Invalid, match="take that one back first"):
        promotion.promote(
            store, people["mod"], store.answer(other), "B page", "B summary.", [], None, day
        )
    store.edit_answer(answer_id, people["ravi"].id, "Later", "<p>Later words.</p>", day)
    worker = Worker(site.settings(), store)
    try:
        worker.publisher.run_once()
    finally:
        worker.close()
    page = page_path(site, answer_id).read_text()
    assert "First words." in page and "Later words." not in page
    store.close()
