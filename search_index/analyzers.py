"""Text analysis for the search index: how English, Hindi, Russian and Khmer become terms.

Every language shares one tokenizer, ICU's word segmentation, because Whoosh's default
``\\w+`` tokenizer shreds Devanagari and Khmer: their vowel signs and viramas are combining
marks, which ``\\w`` does not match, and Khmer does not put spaces between words at all.
After segmentation each language gets Unicode normalisation, a short stop list and a Snowball
stemmer (Khmer has no stemmer). The same analyzer must run on documents and on queries, so
that both sides produce the same terms.

>>> [t.text for t in analyzer_for("en")("Replacing batteries")]
['replac', 'batteri']
>>> [t.text for t in analyzer_for("km")("ខ្ញុំចង់ប្តូរអេក្រង់ទូរស័ព្ទ")]
['ខ្ញុំ', 'ចង់', 'ប្តូរ', 'អេក្រង់', 'ទូរស័ព្ទ']
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

import icu
import snowballstemmer
from whoosh.analysis import CompositeAnalyzer, Filter, StopFilter, Token, Tokenizer

from core.languages import CODES

# The languages the help centre is published in, plus the word for "we don't know".
LANGUAGES: tuple[str, ...] = CODES  # the site's languages, each with its own analysis
ANY_LANGUAGE = "any"


def _words(text: str) -> frozenset[str]:
    # Word lists are easier to read and review as running text than as quoted literals.
    return frozenset(text.split())


# Stop words: only function words that carry no meaning in a support question. Negations
# ("not", "नहीं", "не", "ទេ") and words like "before"/"до" stay searchable, because "screen does
# not turn on" and "screen turns on" are different problems. Words that double as content
# words after case folding are left in too ("it" is also "IT", "am" is also "AM").
# The lists are written as people type them; analyzer_for() normalises them exactly as it
# normalises tokens, so a word written here with ё still matches text typed without the dots.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        a an the and or of to in on at by for with from as into
        is are was were be been being
        this that these those there if so than then
        i me my we our you your he him his she her they them their its
        """
    ),
    "hi": _words(
        # Postpositions, the copula and pronouns; "नहीं" and "न" (not) are kept.
        """
        का की के को में से ने पर और या भी ही
        है हैं था थी थे
        यह वह ये वे मैं मेरा मेरी मेरे हम आप
        """
    ),
    "ru": _words(
        # Conjunctions, prepositions, particles and pronouns; "не", "ни", "нет", "без" and "до"
        # are kept.
        """
        и а но или что чтобы это этот эта эти же ли бы
        в во на с со к ко по о об обо от из у за для
        я мы вы ты он она оно они мой моя моё мои его её их меня мне
        """
    ),
    "km": _words(
        # Only words ICU segments on their own and which are never content words: "and",
        # "or", "of", the object marker and the question opener. ដែល ("which", but also part
        # of មិនដែល "never") and ជា ("is", but also "well") are kept.
        "និង ឬ នៃ នូវ តើ"
    ),
}

# Snowball algorithm per language (see snowballstemmer.algorithms()); Khmer has none.
SNOWBALL_ALGORITHMS: dict[str, str] = {"en": "english", "hi": "hindi", "ru": "russian"}

# How many distinct words each language's stemmer remembers; support text has a small
# vocabulary, so this holds nearly all of it.
STEM_CACHE_SIZE = 50_000

# Spelling variants people use interchangeably, folded after NFKC and case folding. Each
# entry only touches its own script, so it is safe to apply to every language, and the
# language-neutral analyzer benefits from all of them.
_CHARACTER_FOLDS: dict[int, str] = str.maketrans(
    {
        "\u0451": "\u0435",  # Russian ё as plain ie: the dots are optional in ordinary writing
        "\u093c": "",  # Hindi nukta: फ़ोन and फोन are the same word to readers
        "\u0901": "\u0902",  # Hindi chandrabindu is commonly typed as anusvara: हाँ / हां
        "\u2019": "'",  # phone keyboards type don't with U+2019 as the apostrophe
        "\u00ad": "",  # soft hyphen, invisible
        "\u200c": "",  # zero-width non-joiner, only changes how Devanagari conjuncts render
        "\u200d": "",  # zero-width joiner, likewise
    }
)

_COENG_DA, _COENG_TA = "\u17d2\u178a", "\u17d2\u178f"


@cache
def analyzer_for(lang: str | None) -> CompositeAnalyzer:
    """Return the analyzer for text in ``lang`` ("en", "hi", "ru" or "km"); one per language,
    built once (analyzers keep no state between calls, so threads can share them).

    Pass ``None`` or ``"any"`` when the language is unknown: the result segments and
    normalises text in any script, but removes no stop words and does no stemming, since
    either would be wrong for some language.

    >>> [t.text for t in analyzer_for("ru")("Ремонт телефона")]
    ['ремонт', 'телефон']
    >>> [t.text for t in analyzer_for(None)("Don't REPLACE the Батарею")]
    ["don't", 'replace', 'the', 'батарею']
    >>> analyzer_for("de")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: There is no text analysis for language 'de'; use one of 'en', 'hi', 'ru', ...
    """
    if lang is None or lang == ANY_LANGUAGE:
        return IcuWordTokenizer() | NormaliseFilter()
    if lang not in LANGUAGES:
        expected = ", ".join(repr(code) for code in LANGUAGES)
        raise ValueError(
            f"There is no text analysis for language {lang!r}; use one of {expected}, "
            f"or None (or {ANY_LANGUAGE!r}) when the language is unknown."
        )

    analyzer = IcuWordTokenizer(locale=lang) | NormaliseFilter()
    # minsize=1 because single characters are real terms here: "Windows 7", "USB C", and
    # one-letter Khmer words.
    stops = frozenset(normalise(word) for word in STOP_WORDS[lang])
    analyzer = analyzer | StopFilter(stoplist=stops, minsize=1)
    if lang in SNOWBALL_ALGORITHMS:
        analyzer = analyzer | SnowballStemFilter(lang)
    return analyzer


class IcuWordTokenizer(Tokenizer):
    """Split text into words with ICU's word BreakIterator (Unicode word boundaries, plus
    dictionary segmentation for scripts written without spaces, such as Khmer).

    Only word-like segments become tokens (letters, numbers, kana, ideographs); spaces,
    punctuation and emoji are skipped. Character offsets are Python string offsets into the
    original text, so highlighting can slice the text with them.

    >>> tokenizer = IcuWordTokenizer()
    >>> [(t.text, t.startchar, t.endchar) for t in tokenizer("मेरी बैटरी", chars=True)]
    [('मेरी', 0, 4), ('बैटरी', 5, 10)]
    >>> [t.text for t in tokenizer("🔋ថ្មទូរស័ព្ទ")]
    ['ថ្ម', 'ទូរស័ព្ទ']
    """

    def __init__(self, locale: str = "") -> None:
        # Keep the locale's name, not an ICU object: Whoosh pickles analyzers into the
        # index's schema, and ICU objects cannot be pickled. The root locale ("") already
        # segments Khmer, Thai, Lao, Burmese and CJK with dictionaries.
        self.locale = locale

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.locale == self.locale

    def __hash__(self) -> int:
        return hash((type(self), self.locale))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        # The same protocol as whoosh.analysis.RegexTokenizer: one Token object, updated and
        # yielded again for every word, because filters and the indexer expect exactly that.
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not a str")

        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return

        pos = start_pos
        for start, end in _word_spans(value, self.locale):
            t.text = value[start:end]
            t.boost = 1.0
            if keeporiginal:
                t.original = t.text
            t.stopped = False
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def _word_spans(text: str, locale: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) Python offsets of the word-like segments of ``text``."""
    if not text:
        return
    # A new iterator per call: creating one costs microseconds, and a shared one would not
    # be safe across threads serving searches at the same time.
    breaker = icu.BreakIterator.createWordInstance(icu.Locale(locale))
    breaker.setText(text)
    to_str_offset = _utf16_to_str_offsets(text)
    start = breaker.first()
    for end in breaker:
        # The rule status describes the segment that ends at this boundary; below
        # UBRK_WORD_NONE_LIMIT (100) it is space, punctuation or a symbol such as an emoji.
        if breaker.getRuleStatus() >= icu.UWordBreak.NONE_LIMIT:
            if to_str_offset is None:
                yield start, end
            else:
                yield to_str_offset[start], to_str_offset[end]
        start = end


def _utf16_to_str_offsets(text: str) -> list[int] | None:
    """Map ICU's offsets (UTF-16 code units) to offsets into the Python string.

    Returns None when they are the same, i.e. when no character lies outside the Basic
    Multilingual Plane. Otherwise each such character (an emoji, say) takes two UTF-16 units;
    ICU never breaks between the two, so the second one may map anywhere.
    """
    if max(text) <= "\uffff":
        return None
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.append(index)
        if char > "\uffff":
            offsets.append(index)
    offsets.append(len(text))
    return offsets


@lru_cache(maxsize=STEM_CACHE_SIZE)  # called once per word: a small vocabulary repeats
def normalise(text: str) -> str:
    """Fold text so that spellings a reader considers the same become the same term.

    NFKC turns compatibility forms (full-width letters, ligatures, bold maths letters) into
    plain ones and composes accents; case folding is lowercasing for comparison (it also
    turns "ß" into "ss"); then the spelling variants in _CHARACTER_FOLDS are folded.

    >>> normalise("ЁЛКА Straße ﬁx")
    'елка strasse fix'
    >>> normalise("फ़ोन") == normalise("फोन")
    True
    >>> normalise("ប្ដូរ") == normalise("ប្តូរ")  # Khmer subscript DA and TA
    True
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHARACTER_FOLDS)
    # Khmer subscript DA and subscript TA look the same, and writers use either: ប្ដូរ/ប្តូរ.
    text = text.replace(_COENG_DA, _COENG_TA)
    # Case folding and removing marks can leave text that is no longer NFKC, so normalise
    # once more; this is a quick check when nothing changed.
    return unicodedata.normalize("NFKC", text)


class NormaliseFilter(Filter):
    """Apply normalise() to every token.

    >>> [t.text for t in (IcuWordTokenizer() | NormaliseFilter())("ЕЩЁ ﬁx")]
    ['еще', 'fix']
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = normalise(t.text)
            # A token made only of characters that fold away is no term at all.
            if t.text:
                yield t


class SnowballStemFilter(Filter):
    """Reduce words to their Snowball stem, so that inflected forms find each other.

    >>> [t.text for t in (IcuWordTokenizer() | SnowballStemFilter("ru"))("ремонта ремонту")]
    ['ремонт', 'ремонт']
    """

    # Whoosh skips "morph" filters when asked for exact forms (no_morph=True).
    is_morph = True

    def __init__(self, lang: str) -> None:
        if lang not in SNOWBALL_ALGORITHMS:
            raise ValueError(f"There is no Snowball stemmer for language {lang!r}.")
        # Only the language is stored, so the filter pickles into the index's schema; the
        # stemmer and its cache live in _stemmer(), shared by every analyzer.
        self.lang = lang

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = _stemmer(SNOWBALL_ALGORITHMS[self.lang])
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


@cache
def _stemmer(algorithm: str) -> Callable[[str], str]:
    """Return a cached, thread-safe stemming function for a Snowball algorithm."""
    stemmer = snowballstemmer.stemmer(algorithm)
    # A Snowball stemmer keeps its working state on the object, so two threads must not
    # use it at the same time.
    lock = threading.Lock()

    @lru_cache(maxsize=STEM_CACHE_SIZE)
    def stem(word: str) -> str:
        with lock:
            return stemmer.stemWord(word)

    return stem


def words(text: str, lang: str) -> list[str]:
    """The words of ``text`` as a reader names them: segmented for ``lang``, normalised,
    without stop words, numbers or punctuation, and not stemmed (for lists people read,
    such as trending topics).

    >>> words("Battery drains fast after the 2.1 update", "en")
    ['battery', 'drains', 'fast', 'after', 'update']
    """
    stops = _stop_words(lang)
    return [
        token.text
        for token in (IcuWordTokenizer(locale=lang) | NormaliseFilter())(text)
        if token.text not in stops and any(char.isalpha() for char in token.text)
    ]


@cache
def _stop_words(lang: str) -> frozenset[str]:
    return frozenset(normalise(word) for word in STOP_WORDS.get(lang, ()))
