"""Who a member is in the community: every account has one role."""

from typing import Literal

Role = Literal["member", "moderator", "admin"]
ROLES: tuple[str, ...] = Role.__args__
# Moderators and admins keep the community: they see hidden posts, edit and accept
# anywhere, and are not held to the members' write limits.
STAFF_ROLES: tuple[str, ...] = ("moderator", "admin")


def is_staff(role: str | None) -> bool:
    return role in STAFF_ROLES
