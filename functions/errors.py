"""Domain errors: what the community's rules answer when they say no.

They are plain exceptions that know nothing of HTTP; :mod:`functions.problems` maps each
class to its problem response in one place. ``detail`` is a sentence the person can act
on; ``errors`` names the fields to fix, when there are any.
"""

from __future__ import annotations


class DomainError(Exception):
    """``code`` (with ``params``), when given, names the sentence in ``functions/words`` that
    the API answers with, in the client's language; ``detail`` is its English."""

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        code: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.code = code
        self.params = params or {}


class NotAllowed(DomainError):
    """This member may not do this (another role or the author could)."""


class NotFound(DomainError):
    """Nothing by that id, or nothing this member may see."""


class Invalid(DomainError):
    """The request is well-formed but asks for something the rules refuse."""


class AlreadyDone(DomainError):
    """The member did this before, and it is done once (a flag on a post)."""


class LimitReached(DomainError):
    """A limit was reached; the person may try again after ``retry_after`` seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
