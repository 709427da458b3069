"""What a member's level lets them do (``site_config/gamification.yml``): flag, vote down,
comment on any post, edit others' posts, work the review queue. Moderators and admins may
do all of it. A refusal names the level that unlocks the action, in the client's language.
"""

from __future__ import annotations

from core.gamification import programme
from core.roles import is_staff
from functions.errors import NotAllowed
from functions.store import User


def has(user: User | None, privilege: str) -> bool:
    if user is None:
        return False
    return is_staff(user.role) or programme().may(user.reputation, privilege)


def require(user: User, privilege: str) -> None:
    """Refuse (403) unless ``user`` has reached the level that unlocks ``privilege``."""
    if has(user, privilege):
        return
    rules = programme()
    level = rules.unlocked_at(privilege)
    params = {
        "privilege": rules.privileges[privilege],
        "number": level.number,
        "level": level.name,
        "points": level.points,
        "have": user.reputation,
    }
    raise NotAllowed("privilege_needed", params)
