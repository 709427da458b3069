"""The engagement programme as data: ``site_config/gamification.yml``, checked once on load.

The file says how many points each act earns, the daily cap, the levels and the privileges
they unlock, the badges with their tiers, the quests and the rewards catalogue. The API's
rules (``functions/engagement_rules.py``) and the badge catalogue page the build writes both
read it through :func:`programme`. A mistake stops the portal at start-up with a
:class:`GamificationError` that names the key and what was expected.

>>> rules = programme()
>>> rules.level_for(60).number, rules.unlocked_at("vote_down").number
(3, 3)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.languages import CODES
from core.settings import PROJECT_ROOT
from core.yaml_data import YAMLError, parse_yaml

RULES_FILE = PROJECT_ROOT / "site_config" / "gamification.yml"

# The acts that earn (or cost) points, as the rules name them.
Act = Literal[
    "asked",
    "answered",
    "upvoted",
    "downvoted",
    "downvote_given",
    "accepted",
    "accepting",
    "helpful",
    "promoted",
]
ACTS: tuple[str, ...] = Act.__args__
# What the levels unlock; the functions refuse these below their level.
Privilege = Literal["flag", "vote_down", "comment_everywhere", "edit_others", "review_queue"]
PRIVILEGES: tuple[str, ...] = Privilege.__args__
# A member's numbers that badges and quests count (see functions/engagement_rules.py).
Stat = Literal[
    "questions",  # questions asked
    "answers",  # answers given
    "accepted",  # their answers accepted
    "accepts",  # answers they accepted to their own questions
    "votes",  # votes they gave
    "upvotes",  # upvotes their posts received
    "promoted",  # their answers promoted into the knowledge base
    "helpful",  # "helpful" votes on pages made from their answers
    "rescues",  # first answers to questions nobody had answered
]
STATS: tuple[str, ...] = Stat.__args__
Streak = Literal["visits", "answer_days"]  # days in a row with a visit, with an answer
STREAKS: tuple[str, ...] = Streak.__args__
Tier = Literal["bronze", "silver", "gold"]
TIERS: tuple[str, ...] = Tier.__args__
Period = Literal["week", "month"]


class GamificationError(ValueError):
    """``gamification.yml`` says something the portal cannot use."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _every_language(texts: Mapping[str, str]) -> Mapping[str, str]:
    missing = [code for code in CODES if not texts.get(code)]
    if missing:
        raise ValueError(f"a text in every language is expected; missing {', '.join(missing)}")
    unknown = sorted(set(texts) - set(CODES))
    if unknown:
        raise ValueError(f"only the languages {', '.join(CODES)} are expected, not {unknown}")
    return texts


Words = Annotated[dict[str, str], AfterValidator(_every_language)]  # {lang: text}


def _placeholders(texts: Mapping[str, str], allowed: set[str]) -> Mapping[str, str]:
    """Texts whose ``{placeholders}`` are only the ``allowed`` ones (the API fills them)."""
    for lang, text in texts.items():
        used = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        if used - allowed:
            expected = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "no placeholder"
            raise ValueError(
                f"{lang}: {expected} is expected, not {', '.join(sorted(used - allowed))}"
            )
    return texts


class Level(_Strict):
    number: int = 0  # filled in from the order of the list
    points: int = Field(ge=0)
    name: Words
    unlocks: tuple[Privilege, ...] = ()


class Badge(_Strict):
    id: str = ""
    counts: Stat | None = None
    streak: Streak | None = None
    best_answer_score: bool = False
    per: Period | None = None
    tiers: dict[Tier, int]
    name: Words
    description: Words  # "{n}" is the tier's threshold

    @field_validator("description")
    @classmethod
    def _says_n(cls, texts: Words) -> Words:
        return _placeholders(texts, {"n"})

    @model_validator(mode="after")
    def _one_criterion(self) -> Badge:
        given = [self.counts is not None, self.streak is not None, self.best_answer_score]
        if sum(given) != 1:
            raise ValueError("exactly one of counts, streak or best_answer_score is expected")
        if self.per and self.counts is None:
            raise ValueError("per is expected only with counts")
        if not self.tiers:
            raise ValueError("at least one tier (bronze, silver, gold) is expected")
        thresholds = [self.tiers[tier] for tier in TIERS if tier in self.tiers]
        if any(n < 1 for n in thresholds) or thresholds != sorted(set(thresholds)):
            raise ValueError("tiers are expected to need more as they go up from bronze to gold")
        return self

    @property
    def measure(self) -> str:
        """What the badge counts: a stat, a streak, or the best answer's score."""
        return self.counts or self.streak or "best_answer_score"


class Quest(_Strict):
    id: str = ""
    every: Period
    counts: Stat
    target: int = Field(ge=1)
    reward: int = Field(ge=0)
    name: Words
    description: Words

    _plain = field_validator("name", "description")(lambda texts: _placeholders(texts, set()))


class Reward(_Strict):
    id: str = ""
    cost: int = Field(ge=1)
    stock: int = Field(ge=0)
    name: Words
    description: Words

    _plain = field_validator("name", "description")(lambda texts: _placeholders(texts, set()))


class Programme(_Strict):
    points: dict[Act, int]
    daily_cap: int = Field(ge=1)
    uncapped: tuple[Act, ...] = ()
    privileges: dict[Privilege, Words]
    levels: tuple[Level, ...]
    badges: dict[str, Badge]
    quests: dict[str, Quest]
    rewards: dict[str, Reward]

    @model_validator(mode="after")
    def _complete(self) -> Programme:
        missing = [act for act in ACTS if act not in self.points]
        if missing:
            raise ValueError(f"points: a number for every act is expected; missing {missing}")
        unnamed = [p for p in PRIVILEGES if p not in self.privileges]
        if unnamed:
            raise ValueError(f"privileges: a name for every privilege is expected; {unnamed}")
        if not self.levels or self.levels[0].points != 0:
            raise ValueError("levels: the first level is expected to need 0 points")
        needs = [level.points for level in self.levels]
        if needs != sorted(set(needs)):
            raise ValueError("levels: each level is expected to need more points than the last")
        unlocked = [p for level in self.levels for p in level.unlocks]
        if sorted(unlocked) != sorted(PRIVILEGES):
            raise ValueError(f"levels: each of {list(PRIVILEGES)} is expected to unlock once")
        for kind in ("badges", "quests", "rewards"):
            for key in getattr(self, kind):
                if not key.replace("_", "").isalnum() or not key.isascii() or key != key.lower():
                    raise ValueError(f"{kind}: {key!r} is expected to be lowercase a-z, 0-9, _")
        # Each level knows its number, and each badge, quest and reward its id.
        object.__setattr__(
            self,
            "levels",
            tuple(level.model_copy(update={"number": n}) for n, level in enumerate(self.levels, 1)),
        )
        for kind in ("badges", "quests", "rewards"):
            entries = getattr(self, kind)
            object.__setattr__(
                self,
                kind,
                {key: item.model_copy(update={"id": key}) for key, item in entries.items()},
            )
        return self

    def level_for(self, reputation: int) -> Level:
        """The level a member with ``reputation`` points stands at."""
        reached = self.levels[0]
        for level in self.levels:
            if reputation >= level.points:
                reached = level
        return reached

    def next_level(self, reputation: int) -> Level | None:
        current = self.level_for(reputation)
        return self.levels[current.number] if current.number < len(self.levels) else None

    def unlocked_at(self, privilege: str) -> Level:
        return next(level for level in self.levels if privilege in level.unlocks)

    def may(self, reputation: int, privilege: str) -> bool:
        return reputation >= self.unlocked_at(privilege).points


def parse(text: str, source: str = "gamification.yml") -> Programme:
    """The programme ``text`` describes; :class:`GamificationError` names the first wrong keys."""
    try:
        data = parse_yaml(text)
    except YAMLError as error:
        raise GamificationError(f"{source}: this is not YAML: {error}") from None
    try:
        return Programme.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors()[:5]:
            key = ".".join(str(part) for part in item["loc"]) or "(the whole file)"
            problems.append(f"{key}: {item['msg'].removeprefix('Value error, ')}")
        raise GamificationError(f"{source}: " + "; ".join(problems)) from None


@cache
def programme(path: Path = RULES_FILE) -> Programme:
    """The programme, read and checked once per process."""
    return parse(path.read_text(encoding="utf-8"), path.name)
