"""The engagement rules as plain functions: what the event log earns each member.

:func:`fold` turns a batch of events into an :class:`AwardUpdate`: ledger entries (points
with their reason, the key of what they are for, and the event that caused them), changes to
members' numbers (the stats badges and quests count, streaks, the daily cap), and the badges
and quests reached. The awards consumer (:mod:`functions.awards`) reads what the fold needs
(:class:`Known`) and applies the update in one transaction. The programme's numbers are data
(``site_config/gamification.yml``, :mod:`core.gamification`).

Points are booked under a *key*, what they are for ("vote:7:answer:42": member 7's vote on
answer 42), so undoing an act books the opposite of what its key holds: a withdrawn vote, an
unaccepted answer or a deleted post takes back exactly what was given, cap and all. A
deleted post's points come back when it is undeleted.

>>> period_keys("2026-12-02T10:00:00Z")
('d2026-12-02', 'w2026-W49', 'm2026-12')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.gamification import Programme
from core.urls import promoted_answer_id
from functions.store.contract import Award, AwardUpdate, Booking, Event

ALL = "all"  # the period of all-time numbers
# Keys whose points a deleted post gives back, and its undeletion books again. Accepted
# and promoted answers are not among them: the store unaccepts and unpromotes a deleted
# answer with their own events, and undeleting it does not accept or promote it again.
RESTORED_ON_UNDELETE = ("question:", "answer:", "vote:")
UNDONE = ("deleted", "restored")  # the reasons of entries a deletion and its undoing book
_STAT = {"question": "questions", "answer": "answers"}
_ACTS_OF_KEYS = {"question": "asked", "answer": "answered"}  # the number a post of each kind counts


def day_of(at: str) -> str:
    return "d" + at[:10]


def week_of(at: str) -> str:
    year, week, _ = dt.date.fromisoformat(at[:10]).isocalendar()
    return f"w{year}-W{week:02d}"


def month_of(at: str) -> str:
    return "m" + at[:7]


def period_keys(at: str) -> tuple[str, str, str]:
    """The day, ISO week and month ``at`` falls in, as stats and leaderboards key them."""
    return day_of(at), week_of(at), month_of(at)


def period_of(every: str, at: str) -> str:
    return week_of(at) if every == "week" else month_of(at)


def day_number(at: str) -> int:
    return dt.date.fromisoformat(at[:10]).toordinal()


def boards(at: str, tags: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The leaderboards (stat name, period) that points earned at ``at`` count toward: this
    week's, this month's and all time, overall and for each tag of the question."""
    _, week, month = period_keys(at)
    names = ["points", *(f"points:{tag}" for tag in tags)]
    return tuple((name, period) for name in names for period in (week, month, ALL))


@dataclass
class Known:
    """What the store holds that a batch's fold needs (read before it, for it)."""

    booked: dict[tuple[int, str], int]  # net points under each (member, key) read
    undone: dict[tuple[int, str], int]  # net of the "deleted" and "restored" entries
    keys_on: dict[str, set[tuple[int, str]]]  # the (member, key)s booked on each post read
    stats: dict[tuple[int, str, str], int]  # current values of the members' numbers
    tags: dict[int, tuple[str, ...]]  # each question's tags
    answers: dict[int, tuple[int, int]]  # answer id: (author, score)
    # (event, member, key) of the entries the batch's events booked already, in an earlier
    # batch: an event met again (a stream's retry) books and counts nothing
    done: set[tuple[int, int, str]] = field(default_factory=set)


@dataclass(frozen=True)
class Needs:
    """What :func:`fold` will ask of :class:`Known` for a batch."""

    keys: set[str]
    posts: set[str]
    users: set[int]
    periods: set[str]
    question_ids: set[int]
    answer_ids: set[int]


def _vote_key(event: Event) -> str:
    return f"vote:{event.actor_id}:{event.entity}:{event.entity_id}"


def _post(event: Event) -> str:
    return f"{event.entity}:{event.entity_id}"


def _helpful_answer(event: Event) -> int | None:
    """The answer a "helpful" vote is about, when it is on a page made from an answer."""
    if event.kind != "feedback":
        return None
    return promoted_answer_id(str(event.data.get("page", "")))


def needs(events: Sequence[Event]) -> Needs:
    keys: set[str] = set()
    posts: set[str] = set()
    users: set[int] = set()
    periods: set[str] = {ALL}
    question_ids: set[int] = set()
    answer_ids: set[int] = set()
    for event in events:
        periods.update(period_keys(event.at))
        users.update(i for i in (event.actor_id, event.affected_id) if i is not None)
        if event.question_id is not None:
            question_ids.add(event.question_id)
        if event.kind == "voted":
            keys.add(_vote_key(event))
            if event.entity == "answer":
                answer_ids.add(event.entity_id)
        elif event.kind in ("accepted", "unaccepted"):
            keys.update((f"accepted:{event.entity_id}", f"accepting:{event.entity_id}"))
        elif event.kind in ("promoted", "unpromoted"):
            keys.add(f"promoted:{event.entity_id}")
        elif event.kind in ("shown", "asked", "answered"):
            keys.add(_post(event))
        elif event.kind in ("deleted", "undeleted"):
            posts.add(_post(event))
        elif event.kind == "granted":
            keys.add(f"granted:{event.id}")
        elif (answer_id := _helpful_answer(event)) is not None:
            keys.add(f"helpful:{event.entity_id}")
            answer_ids.add(answer_id)
    return Needs(keys, posts, users, periods, question_ids, answer_ids)


class _Fold:
    """One batch's fold: the state it reads, as the batch's own changes leave it."""

    def __init__(self, rules: Programme, known: Known) -> None:
        self.rules = rules
        self.known = known
        self.update = AwardUpdate()
        self.booked = dict(known.booked)
        self.undone = dict(known.undone)
        self.keys_on = {post: set(keys) for post, keys in known.keys_on.items()}
        self.stats = dict(known.stats)
        self.awarded: set[tuple[int, str, str, str, str]] = set()

    # Members' numbers

    def stat(self, user_id: int, name: str, period: str = ALL) -> int:
        return self.stats.get((user_id, name, period), 0)

    def add_stat(self, user_id: int, name: str, period: str, delta: int) -> None:
        if delta:
            key = (user_id, name, period)
            self.stats[key] = self.stat(user_id, name, period) + delta
            self.update.stats[key] = self.update.stats.get(key, 0) + delta

    def count(self, user_id: int | None, stat: str, event: Event, delta: int = 1) -> None:
        """Move one of a member's numbers (all time, and in the periods that a quest or a
        badge counts it over), then award what it reached."""
        if user_id is None:
            return
        before = self.stat(user_id, stat)
        self.add_stat(user_id, stat, ALL, delta)
        for period in self._periods_counting(stat, event.at):
            self.add_stat(user_id, stat, period, delta)
        if delta > 0:
            self._badges_for(user_id, stat, before, self.stat(user_id, stat), event)
            self._quests_for(user_id, stat, event)

    def _periods_counting(self, stat: str, at: str) -> set[str]:
        found = {period_of(q.every, at) for q in self.rules.quests.values() if q.counts == stat}
        found |= {
            period_of(b.per, at)
            for b in self.rules.badges.values()
            if b.counts == stat and b.per is not None
        }
        return found

    def streak(self, user_id: int | None, name: str, event: Event) -> None:
        """A day with a visit (or an answer): the streak grows on the day after its last."""
        if user_id is None:
            return
        today, last = day_number(event.at), self.stat(user_id, f"streak_day:{name}")
        if today <= last:
            return
        length = self.stat(user_id, f"streak:{name}")
        new_length = length + 1 if today == last + 1 else 1
        self.add_stat(user_id, f"streak_day:{name}", ALL, today - last)
        self.add_stat(user_id, f"streak:{name}", ALL, new_length - length)
        self._badges_for(user_id, name, length if new_length > 1 else 0, new_length, event)

    # Badges and quests

    def _badges_for(self, user_id: int, measure: str, before: int, now: int, event: Event) -> None:
        for badge in self.rules.badges.values():
            if badge.measure != measure:
                continue
            period, was, has = "", before, now
            if badge.per:  # counted again each period: this period's number
                period = period_of(badge.per, event.at)
                has = self.stat(user_id, measure, period)
                was = has - 1
            for tier, needed in badge.tiers.items():
                if was < needed <= has:
                    self._award(user_id, "badge", badge.id, tier, period, event)

    def _quests_for(self, user_id: int, stat: str, event: Event) -> None:
        for quest in self.rules.quests.values():
            if quest.counts == stat:
                period = period_of(quest.every, event.at)
                if self.stat(user_id, stat, period) == quest.target:
                    self._award(user_id, "quest", quest.id, "", period, event, quest.reward)

    def good_answer(self, answer_id: int, event: Event) -> None:
        author, score = self.known.answers.get(answer_id, (None, 0))
        if author is None:
            return
        best = self.stat(author, "best_answer_score")
        if score > best:  # kept for the profile's "how far to the next badge"
            self.add_stat(author, "best_answer_score", ALL, score - best)
        for badge in self.rules.badges.values():
            if badge.best_answer_score:
                for tier, needed in badge.tiers.items():
                    if score >= needed:
                        self._award(author, "badge", badge.id, tier, "", event)

    def _award(
        self,
        user_id: int,
        kind: str,
        name: str,
        tier: str,
        period: str,
        event: Event,
        points: int = 0,
    ) -> None:
        mark = (user_id, kind, name, tier, period)
        if mark in self.awarded:
            return
        self.awarded.add(mark)
        booking = None
        if points:
            key = f"{kind}:{name}:{period}"
            booking = Booking(
                user_id, points, kind, key, None, event.id, event.at, boards(event.at, ())
            )
        self.update.awards.append(
            Award(user_id, kind, name, tier, period, event.id, event.at, booking)
        )

    # The ledger

    def book(
        self,
        user_id: int | None,
        act: str,
        key: str,
        post: str | None,
        event: Event,
        *,
        points: int | None = None,
        undo: str = "",
    ) -> bool:
        """Book ``act``'s points (or ``points``) for ``user_id`` under ``key``; with ``undo``,
        book the opposite of what the key holds. False when there is nothing to do: the act
        was booked already, nothing was booked to undo, or this event was handled before.
        An act the daily cap leaves at 0 points still happened (True), with no entry."""
        if user_id is None or (event.id, user_id, key) in self.known.done:
            return False
        held = self.booked.get((user_id, key))
        if undo:
            if held is None:
                return False  # nothing was ever booked under the key
            amount = points if points is not None else -held
            reason = f"{act}:{undo}"
        else:
            if held:
                return False  # booked already (an event met twice)
            if points is None:
                amount = self._capped(user_id, act, self.rules.points[act], event)
            else:
                amount = points  # given by an admin: as many as they said
            reason = act
        held = held or 0
        self.booked[(user_id, key)] = held + amount
        if post is not None:
            self.keys_on.setdefault(post, set()).add((user_id, key))
        if not amount:
            return True
        if undo in UNDONE:
            self.undone[(user_id, key)] = self.undone.get((user_id, key), 0) + amount
        tags = self.known.tags.get(event.question_id or 0, ())
        self.update.entries.append(
            Booking(user_id, amount, reason, key, post, event.id, event.at, boards(event.at, tags))
        )
        return True

    def _capped(self, user_id: int, act: str, points: int, event: Event) -> int:
        if points <= 0 or act in self.rules.uncapped:
            return points
        day = day_of(event.at)
        room = max(0, self.rules.daily_cap - self.stat(user_id, "capped", day))
        granted = min(points, room)
        self.add_stat(user_id, "capped", day, granted)
        return granted


def fold(events: Sequence[Event], known: Known, rules: Programme) -> AwardUpdate:
    """What ``events`` earn, in order; an event seen twice in the batch counts once."""
    state = _Fold(rules, known)
    seen: set[int] = set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        _apply(state, event)
    return state.update


def _apply(s: _Fold, event: Event) -> None:
    kind, data = event.kind, event.data
    if kind in ("signed_in", "visited"):
        s.streak(event.actor_id, "visits", event)
    elif kind == "asked" and not data.get("held"):
        if s.book(event.actor_id, "asked", _post(event), _post(event), event):
            s.count(event.actor_id, "questions", event)
    elif kind == "answered" and not data.get("held"):
        if s.book(event.actor_id, "answered", _post(event), _post(event), event):
            s.count(event.actor_id, "answers", event)
            if data.get("first"):
                s.count(event.actor_id, "rescues", event)
            s.streak(event.actor_id, "answer_days", event)
    elif kind == "shown" and (event.affected_id, _post(event)) not in s.booked:
        # A post held for review when written earns its points when it is let through.
        act = "asked" if event.entity == "question" else "answered"
        if s.book(event.affected_id, act, _post(event), _post(event), event):
            s.count(event.affected_id, _STAT[event.entity], event)
    elif kind == "voted":
        _voted(s, event)
    elif kind == "accepted":
        _accepted(s, event)
    elif kind == "unaccepted":
        for key, user_id, stat in (
            (f"accepted:{event.entity_id}", event.affected_id, "accepted"),
            (f"accepting:{event.entity_id}", _accepter(s, event), "accepts"),
        ):
            undone = user_id is not None and s.booked.get((user_id, key)) is not None
            if undone and s.book(user_id, _act(key, user_id), key, None, event, undo="unaccepted"):
                s.count(user_id, stat, event, -1)
    elif kind == "promoted":  # promoted again (in another language) earns nothing more
        key = f"promoted:{event.entity_id}"
        if s.book(event.affected_id, "promoted", key, _post(event), event):
            s.count(event.affected_id, "promoted", event)
    elif kind == "unpromoted":
        key = f"promoted:{event.entity_id}"
        held = s.booked.get((event.affected_id or 0, key))
        if held and s.book(event.affected_id, "promoted", key, None, event, undo="withdrawn"):
            s.count(event.affected_id, "promoted", event, -1)
    elif kind == "deleted":
        _deleted(s, event)
    elif kind == "undeleted":
        _undeleted(s, event)
    elif kind == "feedback":
        _feedback(s, event)
    elif kind == "granted":
        key = f"granted:{event.id}"
        s.book(event.affected_id, "granted", key, None, event, points=int(data["points"]))


def _act(key: str, user_id: int, held: int = 0) -> str:
    """What the points ``user_id`` holds under ``key`` were for, as a ledger entry's reason
    says it: a vote's are the voter's downvote given, or the author's upvote or downvote."""
    prefix = key.split(":")[0]
    if prefix == "vote":
        if key.split(":")[1] == str(user_id):
            return "downvote_given"
        return "upvoted" if held > 0 else "downvoted"
    return _ACTS_OF_KEYS.get(prefix, prefix)


def _accepted(s: _Fold, event: Event) -> None:
    """The answer's author earns the acceptance, and the asker earns accepting it; nobody
    earns anything for accepting their own answer, and a moderator who accepts for the
    asker earns nothing either."""
    asker = event.data.get("asker", event.actor_id)
    if event.affected_id == asker:
        return  # one's own answer to one's own question
    if s.book(event.affected_id, "accepted", f"accepted:{event.entity_id}", _post(event), event):
        s.count(event.affected_id, "accepted", event)
    if event.actor_id == asker and s.book(
        asker, "accepting", f"accepting:{event.entity_id}", None, event
    ):
        s.count(asker, "accepts", event)


def _accepter(s: _Fold, event: Event) -> int | None:
    """Who booked the "accepting" points of this answer (its asker)."""
    key = f"accepting:{event.entity_id}"
    return next((user for (user, k), held in s.booked.items() if k == key and held), None)


def _voted(s: _Fold, event: Event) -> None:
    old, new = int(event.data.get("old", 0)), int(event.data.get("new", 0))
    key, post, author, voter = _vote_key(event), _post(event), event.affected_id, event.actor_id
    undo = "changed" if new else "withdrawn"
    # The earlier vote's points are taken back first; the author's entry says whether this
    # event was handled before.
    if old and s.book(author, "upvoted" if old > 0 else "downvoted", key, post, event, undo=undo):
        if old < 0:
            s.book(voter, "downvote_given", key, post, event, undo=undo)
        s.count(voter, "votes", event, -1)
        if old > 0:
            s.count(author, "upvotes", event, -1)
    if new and s.book(author, "upvoted" if new > 0 else "downvoted", key, post, event):
        if new < 0:
            s.book(voter, "downvote_given", key, post, event)
        s.count(voter, "votes", event)
        if new > 0:
            s.count(author, "upvotes", event)
            if event.entity == "answer":
                s.good_answer(event.entity_id, event)


def _deleted(s: _Fold, event: Event) -> None:
    """A deleted post gives back the points it earned (its own and its votes'), each to
    whom it was booked, those booked earlier in the batch too."""
    post = _post(event)
    for user_id, key in sorted(s.keys_on.get(post, ())):
        held, own = s.booked.get((user_id, key)), (user_id, key) == (event.affected_id, post)
        if not key.startswith(RESTORED_ON_UNDELETE) or not (held or (own and held is not None)):
            continue
        act = _act(key, user_id, held or 0)
        if s.book(user_id, act, key, post, event, undo="deleted") and own:
            s.count(event.affected_id, _STAT[event.entity], event, -1)


def _undeleted(s: _Fold, event: Event) -> None:
    """An undeleted post gets back what its deletion took."""
    post = _post(event)
    for user_id, key in sorted(s.keys_on.get(post, ())):
        taken, own = s.undone.get((user_id, key), 0), (user_id, key) == (event.affected_id, post)
        if not key.startswith(RESTORED_ON_UNDELETE) or not (taken or own):
            continue
        act = _act(key, user_id, -taken)
        if s.book(user_id, act, key, post, event, points=-taken, undo="restored") and own:
            s.count(event.affected_id, _STAT[event.entity], event)


def _feedback(s: _Fold, event: Event) -> None:
    answer_id = _helpful_answer(event)
    if answer_id is None:
        return
    author, _ = s.known.answers.get(answer_id, (None, 0))
    if author is None or author == event.actor_id:
        return  # nobody earns points from their own vote
    key, post = f"helpful:{event.entity_id}", f"answer:{answer_id}"
    if event.data.get("helpful"):
        if s.book(author, "helpful", key, post, event):
            s.count(author, "helpful", event)
    elif _was_helpful(s, event, author, key) and s.book(
        author, "helpful", key, post, event, undo="changed"
    ):  # a "yes" turned into "no"
        s.count(author, "helpful", event, -1)


def _was_helpful(s: _Fold, event: Event, author: int, key: str) -> bool:
    previous = event.data.get("previous")
    return bool(previous.get("helpful") if previous else s.booked.get((author, key)))
