"""The API speaks the client's language: field errors carry a stable code and a sentence in
the language of Accept-Language, from a catalogue complete in every language."""

from __future__ import annotations

import pytest

from core.languages import CODES
from functions import wording
from functions.openapi import field_error

# Every code field_error can give, and the rules' own.
FIELD_CODES = {
    *("missing", "not_accepted", "too_short", "too_long", "too_many", "one_of", "text"),
    *("whole_number", "true_or_false", "list", "at_least", "at_most", "below", "invalid"),
    *("username_characters", "email", "tag_format", "tag_twice", "not_blank", "fields_to_fix"),
}


def test_every_code_has_a_sentence_in_every_language():
    assert wording.codes() >= FIELD_CODES
    for code in wording.codes():
        for lang in CODES:
            sentence = wording.say(
                code,
                {
                    **{"min": 1, "max": 2, "limit": 3, "choices": "a", "tags": "b", "id": 4},
                    **{"privilege": "flag", "number": 2, "level": "L", "points": 15, "have": 0},
                    **{"reward": "r", "cost": 5, "balance": 1, "missing": 4},
                },
                lang,
            )
            assert sentence and "{" not in sentence, (code, lang)


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
    assert problem["detail"].startswith(summary)
    errors = {error["field"]: error for error in problem["errors"]}
    assert errors["title"]["code"] == "too_short" and errors["title"]["params"] == {"min": 15}
    assert errors["title"]["message"] == title
    assert errors["tags"]["code"] == "tag_format" and errors["tags"]["params"] == {
        "tags": "Not A Tag"
    }
    assert "title" not in problem["detail"]  # no internal names in the sentence
