"""The engagement programme's names as the API gives them: in the client's language."""

from __future__ import annotations

from collections.abc import Mapping

from core.gamification import programme
from functions import models, wording
from functions.store import AwardNote


def said(texts: Mapping[str, str]) -> str:
    """A text of gamification.yml in the client's language."""
    return texts[wording.client_language()]


def award_note(note: AwardNote) -> models.AwardNoteOut:
    rules = programme()
    catalogue = {"badge": rules.badges, "quest": rules.quests, "reward": rules.rewards}
    entry = catalogue[note.kind].get(note.name)
    return models.AwardNoteOut(
        kind=note.kind,
        id=note.name,
        name=said(entry.name) if entry else note.name,  # a name taken out of the file since
        tier=note.tier or None,
        points=note.points,
    )
