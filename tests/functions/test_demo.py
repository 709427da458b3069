"""`portal demo`: a believable community, loaded once however often it runs."""

from __future__ import annotations

from collections import Counter

from portal_testing import run_portal

from functions.store import open_store


def test_demo_loads_once(community_paths):
    env = community_paths.environ()
    first = run_portal("demo", env=env)
    assert first.returncode == 0, first.stderr
    second = run_portal("demo", env=env)
    assert second.returncode == 0 and "(0 questions added now)" in second.stdout
    store = open_store(community_paths.store_url)
    try:
        questions = []
        cursor = None
        while True:
            page = store.list_questions("newest", cursor=cursor, limit=50)
            questions += page.items
            if not (cursor := page.next_cursor):
                break
        assert len(questions) >= 40
        languages = Counter(question.lang for question in questions)
        assert set(languages) == {"en", "hi", "ru", "km"} and min(languages.values()) >= 10
        assert sum(1 for q in questions if q.accepted_answer_id) >= 10
        assert sum(1 for q in questions if q.answer_count == 0) >= 3
        assert any(q.score > 0 for q in questions)
        moderators = [store.user_by_username(n) for n in ("elena_nimbus", "sam_nimbus")]
        assert all(user.role == "moderator" for user in moderators)
        assert len({q.author_id for q in questions}) >= 15
    finally:
        store.close()
