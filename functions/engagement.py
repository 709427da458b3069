"""Engagement: the badge catalogue, leaderboards, quests, rewards and their redemptions, and
points an admin gives. Points, levels and badges are booked by the awards consumer
(:mod:`functions.awards`), never here; a redemption is the one change made here, checked by
the store so that neither the balance nor the stock goes below zero.
"""

from __future__ import annotations

from flask import Blueprint

from core.gamification import ACTS, programme
from core.roles import is_staff
from core.tags import tag_for
from functions import models, posts, web
from functions.engagement_rules import ALL, period_of
from functions.engagement_words import said
from functions.errors import Invalid, NotAllowed, NotFound, field
from functions.openapi import route
from functions.problems import Problem
from functions.standing import describe, level_out
from functions.store import NotEnoughPoints, OutOfStock, Page, Redemption, utcnow

bp = Blueprint("engagement", __name__, url_prefix="/api")


# The programme, on one page


@route(
    bp,
    "GET",
    "/badges",
    summary="The points, levels, privileges and badges, in the client's language",
    response=models.BadgeCatalogue,
)
def badges() -> models.BadgeCatalogue:
    rules = programme()
    return models.BadgeCatalogue(
        points=[
            models.PointsRule(
                act=act,
                points=rules.points[act],
                capped=rules.points[act] > 0 and act not in rules.uncapped,
            )
            for act in ACTS
        ],
        daily_cap=rules.daily_cap,
        privileges={key: said(words) for key, words in rules.privileges.items()},
        levels=[level_out(level) for level in rules.levels],
        badges=[
            models.BadgeOut(
                id=badge.id,
                name=said(badge.name),
                per=badge.per,
                tiers=[
                    models.TierOut(tier=tier, need=need, description=describe(badge, tier))
                    for tier, need in badge.tiers.items()
                ],
            )
            for badge in rules.badges.values()
        ],
    )


# Leaderboards


def board_period(period: str, now: str) -> str:
    return ALL if period == "all" else period_of(period, now)


@route(
    bp,
    "GET",
    "/leaderboard",
    summary="The members with the most points this week, this month or all time (in a tag)",
    query=models.LeaderboardQuery,
    response=models.LeaderboardOut,
)
def leaderboard(query: models.LeaderboardQuery) -> models.LeaderboardOut:
    store, rules = web.store(), programme()
    tag = tag_for(query.tag) if query.tag else None
    name, key = f"points:{tag}" if tag else "points", board_period(query.period, utcnow())
    leaders = store.leaderboard(name, key, query.limit)
    viewer = web.current_user()
    viewer_points = (
        store.points_of(viewer.id, [(name, key)]).get((name, key), 0) if viewer else None
    )
    return models.LeaderboardOut(
        period=query.period,
        period_key=key,
        tag=tag,
        items=[
            models.Leader(
                rank=rank,
                user=models.Author(
                    id=leader.user_id,
                    username=leader.username,
                    level=rules.level_for(leader.reputation).number,
                    badges=models.BadgeCounts(
                        gold=leader.gold, silver=leader.silver, bronze=leader.bronze
                    ),
                ),
                level=rules.level_for(leader.reputation).number,
                points=leader.points,
            )
            for rank, leader in enumerate(leaders, start=1)
        ],
        viewer_points=viewer_points,
    )


# Quests


@route(
    bp,
    "GET",
    "/quests",
    summary="This week's and this month's quests, with the signed-in member's progress",
    response=models.QuestList,
)
def quests() -> models.QuestList:
    store, rules, now, viewer = web.store(), programme(), utcnow(), web.current_user()
    periods = {period_of(q.every, now) for q in rules.quests.values()}
    stats = store.member_stats([viewer.id], sorted(periods)) if viewer else {}
    done = (
        {(e.name, e.period) for e in store.earned(viewer.id) if e.kind == "quest"}
        if viewer
        else set()
    )
    items = []
    for quest in rules.quests.values():
        period = period_of(quest.every, now)
        progress = stats.get((viewer.id, quest.counts, period), 0) if viewer else None
        items.append(
            models.QuestOut(
                id=quest.id,
                name=said(quest.name),
                description=said(quest.description),
                every=quest.every,
                period_key=period,
                target=quest.target,
                reward=quest.reward,
                progress=min(progress, quest.target) if progress is not None else None,
                done=(quest.id, period) in done,
            )
        )
    return models.QuestList(items=items)


# Rewards


@route(
    bp,
    "GET",
    "/rewards",
    summary="What points buy: each reward's cost and how many are left",
    response=models.RewardList,
)
def rewards() -> models.RewardList:
    store, viewer = web.store(), web.current_user()
    taken = store.redeemed()
    return models.RewardList(
        items=[
            models.RewardOut(
                id=reward.id,
                name=said(reward.name),
                description=said(reward.description),
                cost=reward.cost,
                left=max(0, reward.stock - taken.get(reward.id, 0)),
            )
            for reward in programme().rewards.values()
        ],
        balance=viewer.balance if viewer else None,
    )


def _redemption_out(redemption: Redemption) -> models.RedemptionOut:
    reward = programme().rewards.get(redemption.reward)
    return models.RedemptionOut(
        id=redemption.id,
        reward=redemption.reward,
        name=said(reward.name) if reward else redemption.reward,
        cost=redemption.cost,
        status=redemption.status,
        created_at=redemption.created_at,
        fulfilled_at=redemption.fulfilled_at,
        member=posts.author(redemption.user_id, redemption.username),
    )


@route(
    bp,
    "POST",
    "/redemptions",
    summary="Spend points on a reward",
    body=models.RedeemRequest,
    response=models.RedemptionOut,
    status=201,
    signed_in=True,
)
def redeem(body: models.RedeemRequest) -> models.RedemptionOut:
    user, store = web.signed_in_user(), web.store()
    reward = programme().rewards.get(body.reward)
    if reward is None:
        raise NotFound("no_such_reward", {"reward": body.reward})
    params = {"reward": reward.name, "cost": reward.cost}
    try:
        made = store.redeem(user.id, reward.id, reward.cost, reward.stock, utcnow())
    except OutOfStock:
        raise Invalid("out_of_stock", params) from None
    except NotEnoughPoints:
        balance = store.user_by_id(user.id).balance
        missing = reward.cost - balance
        raise Invalid(
            "not_enough_points", {**params, "balance": balance, "missing": missing}
        ) from None
    return _redemption_out(made)


@route(
    bp,
    "GET",
    "/redemptions",
    summary="Your redemptions, newest first",
    query=models.PageQuery,
    response=models.RedemptionList,
    signed_in=True,
)
def my_redemptions(query: models.PageQuery) -> models.RedemptionList:
    page = web.store().redemptions(
        user_id=web.signed_in_user().id, cursor=query.cursor, limit=query.limit
    )
    return _redemption_list(page)


@route(
    bp,
    "GET",
    "/redemptions/pending",
    summary="Redemptions waiting to be fulfilled, newest first (moderators)",
    query=models.PageQuery,
    response=models.RedemptionList,
    staff=True,
)
def pending_redemptions(query: models.PageQuery) -> models.RedemptionList:
    page = web.store().redemptions(status="pending", cursor=query.cursor, limit=query.limit)
    return _redemption_list(page)


def _redemption_list(page: Page[Redemption]) -> models.RedemptionList:
    return models.RedemptionList(
        items=[_redemption_out(r) for r in page.items], next_cursor=page.next_cursor
    )


@route(
    bp,
    "POST",
    "/redemptions/{id}/fulfilled",
    summary="Mark a redemption fulfilled (moderators)",
    response=models.RedemptionOut,
    staff=True,
)
def fulfil(id: int) -> models.RedemptionOut:
    done = web.store().fulfil(id, web.signed_in_user().id, utcnow())
    if done is None:
        raise Problem("no_such_redemption", {"id": id}, status=404)
    return _redemption_out(done)


# Points


@route(
    bp,
    "POST",
    "/users/{id}/points",
    summary="Give a member points, or take some, with the reason (moderators)",
    body=models.GrantRequest,
    status=204,
    staff=True,
)
def grant(id: int, body: models.GrantRequest) -> None:
    giver, store = web.signed_in_user(), web.store()
    if body.points == 0:
        raise Invalid(
            "points_not_zero", errors=[field("points", "points_range", {"min": -1000, "max": 1000})]
        )
    if store.user_by_id(id) is None:
        raise NotFound("no_such_member", {"id": id})
    store.grant_points(id, body.points, body.reason.strip(), giver.id, utcnow())


@route(
    bp,
    "GET",
    "/users/{id}/points",
    summary="A member's points, entry by entry, newest first (the member and moderators)",
    query=models.PageQuery,
    response=models.LedgerList,
    signed_in=True,
)
def points_history(id: int, query: models.PageQuery) -> models.LedgerList:
    viewer = web.signed_in_user()
    if web.store().user_by_id(id) is None:
        raise NotFound("no_such_member", {"id": id})
    if viewer.id != id and not is_staff(viewer.role):
        raise NotAllowed("points_private")
    page = web.store().ledger_of(id, query.cursor, query.limit)
    return models.LedgerList(
        items=[
            models.LedgerEntryOut(points=e.points, spendable=e.spendable, reason=e.reason, at=e.at)
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )
