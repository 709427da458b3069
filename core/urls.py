"""Where things live on the site, relative to a language's root (``en/``, ``hi/``, ...).

>>> page_url("faq/repair-time.md"), page_url("index.md"), page_url("faq/index.md")
('faq/repair-time/', '', 'faq/')
>>> question_url(42), question_url(42, lang="ru")
('community/question/?id=42', 'ru/community/question/?id=42')
>>> page_url(promoted_source(7))
'community/answer-7/'
"""

# The page that shows one community question; its widget reads the id from the query.
QUESTION_SOURCE = "community/question.md"


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page at ``src_uri`` (``faq/warranty.md``)."""
    stem = src_uri.removesuffix(".md")
    if stem in ("", "index"):
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/" if directory_urls else f"{stem}.html"


QUESTION_PAGE = page_url(QUESTION_SOURCE)
# Where the emailed link to choose a new password leads (its widget reads ?token=).
RESET_SOURCE = "community/reset-password.md"
RESET_PAGE = page_url(RESET_SOURCE)


def promoted_source(answer_id: int) -> str:
    """The knowledge-base page an answer becomes when a moderator promotes it, relative to
    its language's content folder."""
    return f"community/answer-{answer_id}.md"


def promoted_answer_id(page: str) -> int | None:
    """The answer a knowledge-base page was made from ("community/answer-7/"), if it was.

    >>> promoted_answer_id("community/answer-7/"), promoted_answer_id("faq/refunds/")
    (7, None)
    """
    prefix = page_url(promoted_source(0)).removesuffix("0/")
    number = page.removeprefix(prefix).removesuffix("/")
    if not page.startswith(prefix) or not (number.isascii() and number.isdigit()):
        return None
    return int(number) if len(number) < 19 else None


def question_url(question_id: int, lang: str | None = None) -> str:
    """The page of one question: relative to its language's root, or to the site's root
    when ``lang`` is given."""
    path = f"{QUESTION_PAGE}?id={question_id}"
    return f"{lang}/{path}" if lang else path
