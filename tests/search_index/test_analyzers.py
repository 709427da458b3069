"""Text analysis on real support sentences in English, Hindi, Russian and Khmer."""

import doctest
import pickle
import unicodedata

import pytest
from whoosh import highlight
from whoosh.analysis import RegexTokenizer
from whoosh.fields import TEXT, Schema
from whoosh.qparser import QueryParser

from search_index import analyzers
from search_index.analyzers import (
    LANGUAGES,
    IcuWordTokenizer,
    SnowballStemFilter,
    analyzer_for,
    normalise,
)

HINDI = "मेरी बैटरी जल्दी ख़त्म हो जाती है"  # "my battery runs out quickly"
HINDI_WORDS = ["मेरी", "बैटरी", "जल्दी", "ख़त्म", "हो", "जाती", "है"]
KHMER = "ខ្ញុំចង់ប្តូរអេក្រង់ទូរស័ព្ទ"  # "I want to replace the phone screen", no spaces
KHMER_WORDS = ["ខ្ញុំ", "ចង់", "ប្តូរ", "អេក្រង់", "ទូរស័ព្ទ"]  # I, want, replace, screen, phone
RUSSIAN = "После ремонта экран телефона не работает"
ENGLISH = "The battery is not charging after repairing the screen"

SENTENCES = {"en": ENGLISH, "hi": HINDI, "ru": RUSSIAN, "km": KHMER}


def words(text, lang=None):
    return [t.text for t in IcuWordTokenizer(locale=lang or "")(text)]


def terms(text, lang, **kwargs):
    return [t.text for t in analyzer_for(lang)(text, **kwargs)]


# Segmentation


def test_hindi_words_stay_whole():
    tokens = words(HINDI, "hi")

    assert tokens == HINDI_WORDS
    # No fragment starts with a vowel sign, virama or nukta: those belong to the word before.
    assert not [t for t in tokens if unicodedata.category(t[0]).startswith("M")]


def test_khmer_is_split_into_dictionary_words():
    tokens = words(KHMER, "km")

    assert tokens == KHMER_WORDS
    assert "".join(tokens) == KHMER


def test_khmer_segmentation_does_not_depend_on_the_locale():
    # The root locale's word rules already carry the Khmer dictionary, so text of unknown
    # language is segmented the same way.
    assert words(KHMER) == words(KHMER, "km") == words(KHMER, "en")


def test_whooshs_default_tokenizer_shreds_hindi_and_khmer_but_ours_does_not():
    naive = RegexTokenizer()  # \w+, which does not match combining vowel signs

    naive_hindi = [t.text for t in naive(HINDI)]
    assert "बैटरी" not in naive_hindi
    assert "ब" in naive_hindi  # the first letter of बैटरी, cut off before its vowel sign ै

    naive_khmer = [t.text for t in naive(KHMER)]
    assert not set(naive_khmer) & set(KHMER_WORDS)
    assert "ខ" in naive_khmer  # the first letter of ខ្ញុំ, cut off before the coeng ្

    assert words(HINDI) == HINDI_WORDS
    assert words(KHMER) == KHMER_WORDS


def test_punctuation_spaces_and_emoji_are_not_tokens():
    assert words("Screen cracked!!! 😭 Help, please… (iPhone 12)") == [
        "Screen",
        "cracked",
        "Help",
        "please",
        "iPhone",
        "12",
    ]


# Normalisation, stop words and stemming


def test_english_inflections_stem_together():
    assert terms("repairs repairing repaired repair", "en") == ["repair"] * 4


def test_russian_inflections_stem_together():
    assert terms("ремонта ремонту ремонт ремонтом", "ru") == ["ремонт"] * 4


def test_hindi_inflections_stem_together():
    # Plural and oblique forms, with chandrabindu or anusvara as people type either.
    assert terms("बैटरी बैटरियाँ बैटरियां बैटरियों", "hi") == ["बैटर"] * 4


def test_hindi_sentence_gives_stems_of_whole_words():
    assert terms(HINDI, "hi") == ["बैटर", "जल्द", "खत्म", "ह", "ज"]


def test_khmer_words_are_not_stemmed():
    assert terms(KHMER, "km") == KHMER_WORDS


def test_stop_words_are_removed():
    assert terms("the battery of the phone", "en") == ["batteri", "phone"]
    assert terms("फ़ोन की स्क्रीन", "hi") == ["फोन", "स्क्रीन"]
    assert terms("экран и батарея", "ru") == ["экра", "батаре"]
    assert terms("ទូរស័ព្ទនិងកុំព្យូទ័រ", "km") == ["ទូរស័ព្ទ", "កុំព្យូទ័រ"]  # phone and computer


@pytest.mark.parametrize(
    ("lang", "text", "negation"),
    [
        ("en", ENGLISH, "not"),
        ("ru", RUSSIAN, "не"),
        ("hi", "स्क्रीन नहीं बदली जा सकती", "नह"),  # "the screen cannot be replaced"
        ("km", "ខ្ញុំមិនអាចប្តូរថ្មបានទេ", "មិន"),  # "I cannot replace the battery"
    ],
)
def test_negations_are_kept(lang, text, negation):
    assert negation in terms(text, lang)


def test_case_and_compatibility_forms_are_folded():
    # Full-width Latin letters, which ruff rightly calls look-alikes: that is the point.
    assert terms("ＢＡＴＴＥＲＹ Battery battery", "en") == ["batteri"] * 3
    assert terms("РЕМОНТ Ремонт", "ru") == ["ремонт"] * 2


def test_russian_yo_is_folded():
    decomposed = "ещ\u0435\u0308"  # "ещё" typed with a combining diaeresis
    assert normalise("ещё") == normalise("еще") == normalise(decomposed) == "еще"
    assert terms("Ещё", "ru") == terms("еще", "ru")


def test_hindi_nukta_spellings_are_the_same_term():
    precomposed = "\u095eोन"  # फ़ as one code point
    decomposed = "\u092b\u093cोन"  # फ + nukta
    without_nukta = "फोन"
    assert len({normalise(precomposed), normalise(decomposed), normalise(without_nukta)}) == 1


def test_khmer_subscript_da_and_ta_spellings_are_the_same_term():
    with_ta = "ខ្ញុំចង់ប្\u178fូរអេក្រង់"  # ប្តូរ, "replace", with subscript TA
    with_da = "ខ្ញុំចង់ប្\u178aូរអេក្រង់"  # ប្ដូរ, with subscript DA: it looks the same
    assert with_ta != with_da
    assert terms(with_ta, "km") == terms(with_da, "km") == ["ខ្ញុំ", "ចង់", "ប្តូរ", "អេក្រង់"]
    assert terms("ចាប់ផ្ដើម", None) == terms("ចាប់ផ្តើម", None)  # "start"


def test_typographic_apostrophe_matches_the_ascii_one():
    assert terms("Don\u2019t", "en") == terms("don't", "en")


def test_language_neutral_analyzer_neither_stems_nor_drops_words():
    assert analyzer_for(None) == analyzer_for("any")
    assert terms("The Batteries", None) == ["the", "batteries"]
    assert terms(HINDI, None) == ["मेरी", "बैटरी", "जल्दी", "खत्म", "हो", "जाती", "है"]
    assert terms(KHMER, "any") == KHMER_WORDS


# Offsets and positions, which highlighting relies on


@pytest.mark.parametrize("lang", LANGUAGES)
def test_offsets_slice_back_to_the_surface_text(lang):
    text = SENTENCES[lang]
    tokens = [(t.text, t.startchar, t.endchar) for t in IcuWordTokenizer(lang)(text, chars=True)]

    assert tokens
    assert all(text[start:end] == word for word, start, end in tokens)


def test_offsets_after_an_emoji_are_python_string_offsets():
    # Each emoji is one Python character but two UTF-16 code units in ICU.
    text = "📱🔋 " + KHMER
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer_for("km")(text, chars=True)]

    assert [(start, end) for _, start, end in tokens] == [
        (3, 8),
        (8, 11),
        (11, 16),
        (16, 23),
        (23, 31),
    ]
    assert [text[start:end] for _, start, end in tokens] == KHMER_WORDS


def test_offsets_of_words_made_of_astral_letters():
    text = "𝐁𝐚𝐭𝐭𝐞𝐫𝐲 dead 😭"
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer_for("en")(text, chars=True)]

    assert tokens == [("batteri", 0, 7), ("dead", 8, 12)]


def test_start_char_and_start_pos_shift_offsets_and_positions():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in IcuWordTokenizer()(
            "ចង់ប្តូរ", positions=True, chars=True, start_pos=10, start_char=100
        )
    ]

    assert tokens == [("ចង់", 10, 100, 103), ("ប្តូរ", 11, 103, 108)]


def test_untokenized_value_is_one_token():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in IcuWordTokenizer()(KHMER, tokenize=False, positions=True, chars=True)
    ]

    assert tokens == [(KHMER, 0, 0, len(KHMER))]


def test_highlighting_marks_the_right_khmer_word_after_emoji():
    text = "📱🔋 " + KHMER
    marked = highlight.highlight(
        text,
        frozenset(["អេក្រង់"]),
        analyzer_for("km"),
        highlight.WholeFragmenter(),
        highlight.HtmlFormatter(),
    )

    assert marked == '📱🔋 ខ្ញុំចង់ប្តូរ<strong class="match term0">អេក្រង់</strong>ទូរស័ព្ទ'


# Queries


@pytest.mark.parametrize(
    ("lang", "document", "query"),
    [
        ("en", "Repairing the screen", "screen repairs"),
        ("ru", "Ремонт экрана телефона", "ремонту телефона"),
        ("hi", "फ़ोन की बैटरियाँ", "फोन बैटरी"),
        ("km", KHMER, "ប្តូរអេក្រង់"),  # "replace screen", typed without a space
    ],
)
def test_a_query_gives_the_same_terms_as_the_document(lang, document, query):
    indexed = set(terms(document, lang, mode="index"))
    queried = terms(query, lang, mode="query")

    assert queried
    assert set(queried) <= indexed

    # Through Whoosh's query parser, too, which analyses each query word with the field's
    # analyzer.
    schema = Schema(body=TEXT(analyzer=analyzer_for(lang)))
    parsed = QueryParser("body", schema).parse(query)
    assert {text for _, text in parsed.iter_all_terms()} == set(queried)


# The analyzer as a whole


def test_unknown_language_is_refused_with_a_clear_message():
    with pytest.raises(ValueError) as raised:
        analyzer_for("de")

    assert str(raised.value) == (
        "There is no text analysis for language 'de'; use one of 'en', 'hi', 'ru', 'km', "
        "or None (or 'any') when the language is unknown."
    )


def test_stemmer_is_refused_for_a_language_without_one():
    with pytest.raises(ValueError, match="no Snowball stemmer for language 'km'"):
        SnowballStemFilter("km")


def test_every_published_language_has_an_analyzer():
    from core.languages import CODES

    assert set(CODES) <= set(LANGUAGES)


@pytest.mark.parametrize("lang", [*LANGUAGES, None])
def test_analyzer_survives_pickling_into_an_index_schema(lang):
    # Whoosh pickles the schema, analyzers included, into the index it writes.
    restored = pickle.loads(pickle.dumps(analyzer_for(lang)))

    assert restored == analyzer_for(lang)
    text = SENTENCES.get(lang, KHMER)
    assert terms(text, lang) == [t.text for t in restored(text)]


def test_docstring_examples_run():
    failed, attempted = doctest.testmod(analyzers)

    assert attempted > 0
    assert failed == 0
