"""Domain errors: what the community's rules answer when they say no.

They are plain exceptions that know nothing of HTTP; :mod:`functions.problems` maps each
class to its problem response in one place. Each names its sentence by a stable ``code``
(in ``functions/words``, said in the client's language with ``params``); ``errors`` names
the fields to fix, when there are any, each with its own code.
"""

from __future__ import annotations

from typing import Any

from functions import wording


def field(name: str, code: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """One bad field of an error's ``errors``; its message is said with the error."""
    return {"field": name, "code": code, "params": params or {}}


class DomainError(Exception):
    """``code`` names the sentence the API answers with; ``detail`` is its English, for logs
    and the command line."""

    def __init__(
        self,
        code: str,
        params: dict[str, Any] | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code
        self.params = params or {}
        self.errors = errors
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        return wording.say(self.code, self.params, "en")


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

    def __init__(self, code: str, params: dict[str, Any], retry_after: int) -> None:
        super().__init__(code, params)
        self.retry_after = retry_after
