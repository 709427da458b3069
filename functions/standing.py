"""Where a member stands in the engagement programme, as the API shows it: level, the next
level and badge and how far they are, privileges, badges earned. The names are given in
the client's language (``site_config/gamification.yml``)."""

from __future__ import annotations

from collections.abc import Sequence

from core.gamification import PRIVILEGES, Badge, Level, programme
from core.roles import is_staff
from functions import models
from functions.engagement_rules import ALL, period_of
from functions.engagement_words import said
from functions.store import Earned, Store, User, utcnow

NEXT_BADGES = 3  # how many of the nearest badges a profile shows


def level_out(level: Level) -> models.LevelOut:
    return models.LevelOut(
        number=level.number, name=said(level.name), points=level.points, unlocks=list(level.unlocks)
    )


def badge_counts(user: User) -> models.BadgeCounts:
    return models.BadgeCounts(gold=user.gold, silver=user.silver, bronze=user.bronze)


def standing(user: User) -> models.Standing:
    rules = programme()
    following = rules.next_level(user.reputation)
    return models.Standing(
        reputation=user.reputation,
        level=level_out(rules.level_for(user.reputation)),
        next_level=level_out(following) if following else None,
        points_to_next_level=following.points - user.reputation if following else None,
        badge_counts=badge_counts(user),
        privileges=[p for p in PRIVILEGES if is_staff(user.role) or rules.may(user.reputation, p)],
    )


def describe(badge: Badge, tier: str) -> str:
    return said(badge.description).format(n=badge.tiers[tier])


def earned_out(earned: Sequence[Earned]) -> list[models.EarnedOut]:
    badges = programme().badges
    return [
        models.EarnedOut(
            id=e.name,
            name=said(badges[e.name].name),
            description=describe(badges[e.name], e.tier),
            tier=e.tier,
            period=e.period,
            at=e.at,
        )
        for e in earned
        if e.kind == "badge" and e.name in badges and e.tier in badges[e.name].tiers
    ]


def next_badges(store: Store, user: User, earned: Sequence[Earned]) -> list[models.BadgeProgress]:
    """The tiers a member is nearest to earning, by the share of the way still to go."""
    now, rules = utcnow(), programme()
    periods = {ALL} | {period_of(b.per, now) for b in rules.badges.values() if b.per}
    stats = store.member_stats([user.id], sorted(periods))
    have_earned = {(e.name, e.tier, e.period) for e in earned if e.kind == "badge"}
    found = []
    for badge in rules.badges.values():
        period = period_of(badge.per, now) if badge.per else ""
        measure = f"streak:{badge.streak}" if badge.streak else badge.measure
        have = stats.get((user.id, measure, period or ALL), 0)
        for tier, need in badge.tiers.items():
            if (badge.id, tier, period) not in have_earned:
                found.append(
                    models.BadgeProgress(
                        id=badge.id,
                        name=said(badge.name),
                        tier=tier,
                        have=min(have, need),
                        need=need,
                    )
                )
                break
    found.sort(key=lambda p: ((p.need - p.have) / p.need, p.need))
    return found[:NEXT_BADGES]
