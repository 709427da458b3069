"""The API speaks the client's language: every problem and every bad field carries a stable
code and a sentence in the language of Accept-Language, from a catalogue complete in every
language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.languages import CODES
from functions import limits, wording
from functions.openapi import field_error

# Every code field_error can give, and the rules' own.
FIELD_CODES = {
    *("missing", "not_accepted", "too_short", "too_long", "too_many", "one_of", "text"),
    *("whole_number", "true_or_false", "list", "at_least", "at_most", "below", "invalid"),
    *("username_characters", "email", "tag_format", "tag_twice", "not_blank", "fields_to_fix"),
}

# What each placeholder is filled with where the API says it: numbers, English data (an id,
# a page's address), and words given in every language (a wait, a kind of post).
PARAMS = {
    **{"min": 15, "max": 300, "limit": 3, "choices": "newest, active", "tags": "Not A Tag"},
    **{"id": 4242, "privilege": "flag", "number": 2, "level": "L", "points": 15, "have": 0},
    **{"reward": "Sticker", "cost": 50, "balance": 10, "missing": 40, "score": 1},
    **{"status": 408, "name": "Request Timeout", "header": "X-CSRF-Token", "action": "hide"},
    **{"kind": wording.words("answer"), "page": "en/faq/refunds/", "given": "two"},
    **{"allowed": 3, "links": 5, "length": 300, "reason": "Type a word or two."},
    **{"seconds": 86022, "wait": wording.duration(86022)},
    **{"window": wording.duration(900, "minute")},
}
# A placeholder left unfilled, or a brace that is not a JSON example's.
UNFILLED = re.compile(r"\{\w*\}|\{(?!\")")

FUNCTIONS = Path(wording.__file__).parent


def test_every_code_has_a_sentence_in_every_language():
    assert wording.codes() >= FIELD_CODES
    for code in wording.codes():
        for lang in CODES:
            sentence = wording.say(code, PARAMS, lang)
            assert sentence and not UNFILLED.search(sentence), (code, lang, sentence)
            if lang != "en" and code not in ("search_not_understood",):
                assert sentence != wording.say(code, PARAMS, "en"), (code, lang)


def test_every_code_the_functions_raise_is_in_the_catalogue():
    """Codes named in the source (``Problem("code"``, ``field(..., "code"``, a limit's code,
    ``f"no_such_{kind}"``) all have their sentences."""
    raised = set()
    pattern = re.compile(
        r'(?:Problem|NotAllowed|NotFound|Invalid|AlreadyDone|response|_limited)\(\s*(?:\d+,\s*)?f?"(\w[\w{}]*)"'
        r'|field\(\s*(?:"\w+"|\w+),\s*"(\w+)"'
    )
    for path in FUNCTIONS.glob("*.py"):
        for found in pattern.findall(path.read_text(encoding="utf-8")):
            code = next(part for part in found if part)
            raised |= {code.replace("{kind}", kind) for kind in ("question", "answer")}
    raised |= {
        value.code for value in vars(limits).values() if isinstance(value, limits.AddressLimit)
    }
    assert len(raised) > 40
    assert raised <= wording.codes(), raised - wording.codes()


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (15, {"en": "15 seconds", "ru": "15 секунд"}),
        (870, {"en": "15 minutes", "ru": "15 минут", "hi": "15 मिनट", "km": "15 នាទី"}),
        (3600, {"en": "1 hour", "ru": "1 час"}),
        (86022, {"en": "24 hours", "ru": "24 часа", "hi": "24 घंटे", "km": "24 ម៉ោង"}),
    ],
)
def test_a_wait_is_said_in_whole_units_rounded_up(seconds, said):
    assert wording.duration(seconds).items() >= said.items()


def test_a_limit_keeps_its_wait_as_seconds_and_as_words():
    limited = limits.new_account_posts(
        "question", 3, "2026-11-23T09:00:00Z", "2026-11-23T09:00:18Z"
    )
    assert limited.code == "new_member_questions" and limited.params["seconds"] == 86382
    assert "24 часа" in wording.say(limited.code, limited.params, "ru")
    assert "first day" in limited.detail and "3 questions" in limited.detail


def test_a_pydantic_error_becomes_a_code_and_its_params():
    item = {"type": "string_too_short", "ctx": {"min_length": 15}, "loc": ("title",)}
    assert field_error(item) == ("too_short", {"min": 15})
    assert field_error({"type": "something_new", "loc": ()}) == ("invalid", {})


@pytest.mark.parametrize(
    ("language", "summary", "title"),
    [
        (
            "ru-RU,ru;q=0.9,en;q=0.5",
            "Некоторые поля нужно исправить",
            "Напишите не меньше 15 символов.",
        ),
        ("km", "វាលខ្លះត្រូវកែ", "សូមសរសេរយ៉ាងតិច 15 តួអក្សរ។"),
        ("hi-IN", "कुछ फ़ील्ड ठीक करने हैं", "कम से कम 15 अक्षर लिखें।"),
        ("fr-FR, de", "Some fields need fixing", "Write at least 15 characters."),
    ],
)
def test_a_bad_question_is_refused_in_the_clients_language(member, language, summary, title):
    asker = member("asha")
    reply = asker.call(
        "POST",
        "/api/questions",
        {"title": "Short", "body": "x", "tags": ["Not A Tag"], "lang": "ru"},
        headers={"Accept-Language": language},
    )
    assert reply.status == 422, reply
    problem = reply.json
    assert problem["detail"].startswith(summary) and problem["code"] == "fields_to_fix"
    errors = {error["field"]: error for error in problem["errors"]}
    assert errors["title"]["code"] == "too_short" and errors["title"]["params"] == {"min": 15}
    assert errors["title"]["message"] == title
    assert errors["tags"]["code"] == "tag_format" and errors["tags"]["params"] == {
        "tags": "Not A Tag"
    }
    assert "title" not in problem["detail"]  # no internal names in the sentence
