"""Flags: what members may flag a post for, how much each flag weighs, and when the flags
on a post hide it until a moderator looks. Rules as plain functions, every number here.

As on Discourse, a post hides itself once the weight of its flags reaches
:data:`HIDE_AT`: a moderator's flag alone does it, an established member's takes three,
a new member's counts half. A flagger whose flags moderators upheld weighs more (up to
twice), one whose flags they rejected weighs less (down to a quarter), so a few careful
members can act quickly and a member who flags out of spite soon cannot.

>>> flag_weight("member", upheld=0, rejected=0, new_account=False)
1.0
>>> flag_weight("member", upheld=8, rejected=0, new_account=False)
1.8
>>> hides(flag_weight("moderator", 0, 0, new_account=False))
True
"""

from __future__ import annotations

from typing import Literal

from core.roles import is_staff

FlagReason = Literal["spam", "offensive", "incorrect", "duplicate", "other"]
REASONS: tuple[str, ...] = FlagReason.__args__
MAX_NOTE_CHARS = 500

HIDE_AT = 3.0  # the total weight of a post's open flags that hides it
MEMBER_WEIGHT = 1.0
NEW_MEMBER_WEIGHT = 0.5  # an account in its first day (see functions/limits.py)
MODERATOR_WEIGHT = HIDE_AT
LEAST_TRUST, MOST_TRUST = 0.25, 2.0  # how far a flagger's record moves their weight


def flag_weight(role: str, upheld: int, rejected: int, *, new_account: bool) -> float:
    """The weight of one flag by this flagger, from their standing and their record: the
    share of their past flags that moderators upheld, counting one upheld and one rejected
    to begin with (so a first flag weighs as much as an established member's)."""
    if is_staff(role):
        return MODERATOR_WEIGHT
    base = NEW_MEMBER_WEIGHT if new_account else MEMBER_WEIGHT
    record = 2 * (upheld + 1) / (upheld + rejected + 2)
    return round(base * min(MOST_TRUST, max(LEAST_TRUST, record)), 2)


def hides(total_weight: float) -> bool:
    """Whether a post with flags of this total weight hides itself until reviewed."""
    return total_weight >= HIDE_AT


def waits_for_review(new_account: bool, links: int) -> bool:
    """A new member's post with links waits for a moderator before anyone else sees it:
    the way most spam arrives."""
    return new_account and links > 0
