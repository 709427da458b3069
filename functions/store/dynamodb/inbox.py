"""Following, notifications, the mail outbox and the limits' counters in DynamoDB.

Items (keys padded with ``layout.pad`` where numbers sort):

- a follower: ``question#<id>`` / ``follower#<member>``, so a question's followers are one
  ascending Query of its partition.
- a notification: ``user#<id>`` / ``note#<id>`` (newest first by its time-ordered id), and
  beside it the claim ``user#<id>`` / ``noted#<event id>``, put with
  ``attribute_not_exists`` in the same transaction, so one event notifies a member once.
  The question's title and the actor's name are read when notifications are listed (a
  title edited since shows as it is now); a page's note and an award are stored with it.
  On the member's item: ``unread_count``, ``read_through`` (the watermark "mark all read"
  leaves: every notification at or below it is read) and ``notes_added`` (a count of unread
  notifications ever added, which "mark all read" compares and sets against, so one added
  meanwhile is never counted away).
- mail: ``mail#<key>`` / ``mail``; in GSI1 partition ``mail#<status>`` by its next attempt
  time, so due mail is ``mail#pending`` up to now. Its claim is that time: a sender claims a
  due message by moving it to the end of the claim, and finishes only while it is there.
- an attempt: ``attempts#<scope>#<key>`` / ``<at>#<id>``, and ``attempt#<id>`` / ``attempt``
  pointing at it (attempts are removed by id, and a Query of GSIs could miss one just
  added).
- a member's writes in a window: ``writes#<member>`` / ``<window start>``, counted with ADD.

Attempts and sent mail expire: ``layout.expiring`` gives them the table's TTL and a place in
GSI2's ``expiring`` partition by expiry, where :meth:`Inbox.forget_expired` finds them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from core.aws.dynamodb import TRANSACTION
from functions.store.contract import (
    Attempts,
    AwardNote,
    BadCursor,
    Mail,
    NewNotifications,
    Notification,
    Page,
    PageNote,
    later,
    parse_time,
)
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import (
    NEW,
    Base,
    ConditionFailed,
    Item,
    chunks,
    decode_cursor,
    delete,
    encode_cursor,
    put,
    update,
)

SENT_MAIL_KEPT_DAYS = 30  # as in SQLite: sent mail is forgotten after this
WRITE_COUNT_KEPT = dt.timedelta(days=1)  # a write window's counter, after it began (TTL)
RETRIES = 20  # a transaction tried again after a race or a taken id, before giving up
MAIL_NAMES = {"#to": "to", "#status": "status", "#text": "text", "#key": "key"}


# Keys


def follower_key(question_id: int, user_id: int) -> dict[str, str]:
    return {"PK": f"question#{question_id}", "SK": f"follower#{layout.pad(user_id)}"}


def note_key(user_id: int, note_id: int) -> dict[str, str]:
    return {"PK": f"user#{user_id}", "SK": f"note#{layout.pad(note_id)}"}


def noted_key(user_id: int, event_id: int) -> dict[str, str]:
    """The claim that ``user_id`` was notified of ``event_id``."""
    return {"PK": f"user#{user_id}", "SK": f"noted#{layout.pad(event_id)}"}


def mail_key(key: str) -> dict[str, str]:
    return {"PK": f"mail#{key}", "SK": "mail"}


def attempts_partition(scope: str, key: str) -> str:
    return f"attempts#{scope}#{key}"


def attempt_pointer(attempt_id: int) -> dict[str, str]:
    return {"PK": f"attempt#{attempt_id}", "SK": "attempt"}


def writes_key(user_id: int, window_start: str) -> dict[str, str]:
    return {"PK": f"writes#{user_id}", "SK": window_start}


def epoch(moment: str) -> int:
    return int(parse_time(moment).timestamp())


class Inbox(Base):
    # Following

    def follow_write(self, question_id: int, user_id: int, now: str) -> dict[str, Any]:
        """The write that makes a member follow a question if they do not already; it never
        fails, so asking and answering put it in their transactions."""
        return update(
            follower_key(question_id, user_id),
            "SET user_id = :user, followed_at = if_not_exists(followed_at, :now)",
            params={":user": user_id, ":now": now},
        )

    def set_following(self, user_id: int, question_id: int, following: bool, now: str) -> None:
        """Follow or unfollow, with an event only when that changes something; the write's
        condition settles a race with another request of the same member."""
        if self.is_following(user_id, question_id) == following:
            return
        key = follower_key(question_id, user_id)
        if following:
            write = put({**key, "user_id": user_id, "followed_at": now}, NEW)
        else:
            write = delete(key, "attribute_exists(PK)")
        _, event = self.event(
            "followed" if following else "unfollowed",
            "question",
            question_id,
            question_id,
            now,
            actor=user_id,
        )
        try:
            self.transact([write, event])
        except ConditionFailed as failed:
            if failed.failed != [0]:
                raise

    def is_following(self, user_id: int, question_id: int) -> bool:
        return self.table.get(follower_key(question_id, user_id)) is not None

    def followers(self, question_id: int, after: int = 0, limit: int = 100) -> list[int]:
        items, _ = self.table.query(
            "PK = :pk AND SK BETWEEN :low AND :high",
            {
                ":pk": f"question#{question_id}",
                ":low": f"follower#{layout.pad(max(after + 1, 0))}",
                ":high": "follower#~",
            },
            limit=limit,
            consistent=True,
        )
        return [item["user_id"] for item in items]

    # Notifications

    def add_notifications(self, batches: Sequence[NewNotifications]) -> int:
        """The claims that exist are read first (a transaction with one failed condition
        writes nothing), then the rest are written a transaction at a time, each with its
        claims and the recipients' counters; a claim taken meanwhile is dropped and its
        transaction tried again."""
        wanted: dict[tuple[int, int], NewNotifications] = {}
        for batch in batches:
            for user_id in batch.user_ids:
                wanted.setdefault((batch.event_id, user_id), batch)
        if not wanted:
            return 0
        for claim in self.table.get_many(noted_key(user, event) for event, user in wanted):
            wanted.pop((claim["event_id"], claim["user_id"]), None)
        return sum(self._add_notes(chunk) for chunk in _note_chunks(list(wanted.items())))

    def _add_notes(self, entries: list[tuple[tuple[int, int], NewNotifications]]) -> int:
        """Write one transaction's notifications; how many were new."""
        pending = dict(entries)
        ids = {pair: self.new_id() for pair in pending}
        watermarks: dict[int, int] = {}  # read_through of members whose condition failed
        for _ in range(RETRIES):
            if not pending:
                return 0
            writes, roles = self._note_writes(pending, ids, watermarks)
            try:
                self.transact(writes)
            except ConditionFailed as failed:
                for position in failed.failed:
                    role, target = roles[position]
                    if role == "claim":  # notified meanwhile
                        pending.pop(target, None)
                    elif role == "note":  # its id was taken
                        ids[target] = self.new_id()
                    else:  # marked read meanwhile, or no such member
                        self._reread_watermark(target, pending, watermarks)
                continue
            return len(pending)
        raise RuntimeError(f"notifications not written after {RETRIES} tries")

    def _note_writes(
        self,
        pending: Mapping[tuple[int, int], NewNotifications],
        ids: Mapping[tuple[int, int], int],
        watermarks: Mapping[int, int],
    ) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
        """The writes of these notifications, and what each write is (to read a failure)."""
        writes: list[dict[str, Any]] = []
        roles: list[tuple[str, Any]] = []
        unread: Counter[int] = Counter()
        lowest: dict[int, int] = {}
        for (event_id, user_id), batch in pending.items():
            note_id = ids[event_id, user_id]
            read = note_id <= watermarks.get(user_id, -1)
            claim = {**noted_key(user_id, event_id), "event_id": event_id, "user_id": user_id}
            writes.append(put({**claim, "note_id": note_id}, NEW))
            roles.append(("claim", (event_id, user_id)))
            writes.append(put(_note_item(batch, user_id, note_id, read), NEW))
            roles.append(("note", (event_id, user_id)))
            if not read:
                unread[user_id] += 1
                lowest[user_id] = min(note_id, lowest.get(user_id, note_id))
        for user_id, count in unread.items():
            # Counted only if every one is above the member's watermark (else it is read).
            writes.append(
                update(
                    layout.user_key(user_id),
                    "ADD unread_count :count, notes_added :count",
                    "attribute_exists(PK) AND"
                    " (attribute_not_exists(read_through) OR read_through < :lowest)",
                    params={":count": count, ":lowest": lowest[user_id]},
                )
            )
            roles.append(("member", user_id))
        return writes, roles

    def _reread_watermark(
        self,
        user_id: int,
        pending: dict[tuple[int, int], NewNotifications],
        watermarks: dict[int, int],
    ) -> None:
        member = self.table.get(layout.user_key(user_id))
        if member is None:  # nobody to notify
            for pair in [pair for pair in pending if pair[1] == user_id]:
                del pending[pair]
            return
        watermarks[user_id] = member.get("read_through", 0)

    def notifications(
        self, user_id: int, cursor: str | None = None, limit: int = 20
    ) -> Page[Notification]:
        """Newest first; each note's question title and actor's name are read now, with the
        member's watermark, in one batch."""
        partition = f"user#{user_id}"
        start = decode_cursor(cursor, {"PK": partition})
        if start is not None and (set(start) != {"PK", "SK"} or not _is_note(start["SK"])):
            raise BadCursor(cursor or "")
        items, _ = self.table.query(
            "PK = :pk AND begins_with(SK, :note)",
            {":pk": partition, ":note": "note#"},
            forward=False,
            limit=limit + 1,
            start=start,
            consistent=True,
        )
        shown = items[:limit]
        more = len(items) > limit
        after = encode_cursor({"PK": partition, "SK": shown[-1]["SK"]}) if more else None
        return Page(self._notes_from(user_id, shown), after)

    def _notes_from(self, user_id: int, items: list[Item]) -> list[Notification]:
        questions = {item.get("question_id") for item in items} - {None}
        actors = {item.get("actor_id") for item in items} - {None}
        keys = [layout.user_key(user_id)]
        keys += [layout.post_key("question", question_id) for question_id in questions]
        keys += [layout.user_key(actor_id) for actor_id in actors]
        found = {(item["PK"], item["SK"]): item for item in self.table.get_many(keys)}

        def about(key: Mapping[str, str] | None, name: str) -> Any:
            return None if key is None else found.get((key["PK"], key["SK"]), {}).get(name)

        def question(item: Item) -> Mapping[str, str] | None:
            question_id = item.get("question_id")
            return None if question_id is None else layout.post_key("question", question_id)

        def actor(item: Item) -> Mapping[str, str] | None:
            actor_id = item.get("actor_id")
            return None if actor_id is None else layout.user_key(actor_id)

        read_through = about(layout.user_key(user_id), "read_through") or 0
        return [
            Notification(
                item["id"],
                user_id,
                item["kind"],
                item.get("question_id"),
                about(question(item), "title"),
                item.get("actor_id"),
                about(actor(item), "username"),
                item["created_at"],
                item["read"] or item["id"] <= read_through,
                PageNote(**item["page"]) if item.get("page") else None,
                AwardNote(**item["award"]) if item.get("award") else None,
            )
            for item in items
        ]

    def unread_count(self, user_id: int) -> int:
        member = self.table.get(layout.user_key(user_id))
        return member.get("unread_count", 0) if member else 0

    def mark_read(self, user_id: int, ids: Iterable[int] | None) -> None:
        if ids is None:
            self._mark_all_read(user_id)
            return
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, int) and 0 <= i < 2**63]
        for chunk in chunks(wanted, TRANSACTION - 1):
            self._mark_read(user_id, list(chunk))

    def _mark_all_read(self, user_id: int) -> None:
        """The watermark moves to the newest notification and the counter to 0, only if no
        unread notification was added since the member's item was read (else again)."""
        for _ in range(RETRIES):
            member = self.table.get(layout.user_key(user_id))
            if member is None:
                return
            newest, _ = self.table.query(
                "PK = :pk AND begins_with(SK, :note)",
                {":pk": f"user#{user_id}", ":note": "note#"},
                forward=False,
                limit=1,
                consistent=True,
            )
            was = member.get("read_through", 0)
            through = max([was] + [item["id"] for item in newest])
            if through == was and not member.get("unread_count"):
                return
            added = member.get("notes_added")
            unchanged = {":added": added} if added is not None else {}
            try:
                self.table.update(
                    layout.user_key(user_id),
                    "SET unread_count = :zero, read_through = :through",
                    "notes_added = :added" if unchanged else "attribute_not_exists(notes_added)",
                    params={":zero": 0, ":through": through, **unchanged},
                )
            except ConditionFailed:
                continue
            return
        raise RuntimeError(f"notifications not marked read after {RETRIES} tries")

    def _mark_read(self, user_id: int, ids: list[int]) -> None:
        """Each unread note above the watermark is marked, and the counter moves by as many;
        a note read already (or not this member's) is dropped and the rest tried again."""
        for _ in range(RETRIES):
            if not ids:
                return
            writes = [
                update(
                    note_key(user_id, note_id),
                    "SET #read = :true",
                    "#read = :false",
                    names={"#read": "read"},
                    params={":true": True, ":false": False},
                )
                for note_id in ids
            ]
            writes.append(
                update(
                    layout.user_key(user_id),
                    "ADD unread_count :minus",
                    "attribute_exists(PK) AND"
                    " (attribute_not_exists(read_through) OR read_through < :lowest)",
                    params={":minus": -len(ids), ":lowest": min(ids)},
                )
            )
            try:
                self.transact(writes)
            except ConditionFailed as failed:
                gone = {ids[position] for position in failed.failed if position < len(ids)}
                if len(ids) in failed.failed:
                    member = self.table.get(layout.user_key(user_id))
                    if member is None:
                        return
                    gone |= {i for i in ids if i <= member.get("read_through", 0)}
                ids = [i for i in ids if i not in gone]
                continue
            return
        raise RuntimeError(f"notifications not marked read after {RETRIES} tries")

    # The mail outbox

    def _mail_writes(self, messages: Sequence[Mail], now: str) -> list[dict[str, Any]]:
        """The writes that queue ``messages`` (one per key): each sets only what is not set
        yet, so a key already queued (or sent) is left as it is and the write never fails."""
        unique: dict[str, Mail] = {}
        for message in messages:
            unique.setdefault(message.key, message)
        return [
            update(
                mail_key(message.key),
                "SET #key = if_not_exists(#key, :key), #to = if_not_exists(#to, :to),"
                " subject = if_not_exists(subject, :subject), #text = if_not_exists(#text, :text),"
                " attempts = if_not_exists(attempts, :zero),"
                " #status = if_not_exists(#status, :pending),"
                " next_attempt_at = if_not_exists(next_attempt_at, :now),"
                " created_at = if_not_exists(created_at, :now),"
                " GSI1PK = if_not_exists(GSI1PK, :due), GSI1SK = if_not_exists(GSI1SK, :now)",
                names=MAIL_NAMES,
                params={
                    ":key": message.key,
                    ":to": message.to,
                    ":subject": message.subject,
                    ":text": message.text,
                    ":zero": 0,
                    ":pending": "pending",
                    ":now": now,
                    ":due": "mail#pending",
                },
            )
            for message in unique.values()
        ]

    def queue_mail(self, messages: Sequence[Mail], now: str) -> None:
        for chunk in chunks(self._mail_writes(messages, now), TRANSACTION):
            self.transact(chunk)

    def mail(self, key: str) -> Mail | None:
        return _mail(self.table.get(mail_key(key)))

    def due_mail(self, now: str, limit: int = 20) -> list[Mail]:
        """Pending mail whose time has come, soonest first (GSI1, read eventually: a message
        just claimed may still show, and its claim then fails)."""
        items, _ = self.table.query(
            "GSI1PK = :due AND GSI1SK <= :now",
            {":due": "mail#pending", ":now": now},
            index="GSI1",
            limit=limit,
        )
        return [_mail(item) for item in items]  # type: ignore[misc]

    def claim_mail(self, key: str, now: str, until: str) -> bool:
        try:
            self.table.update(
                mail_key(key),
                "SET next_attempt_at = :until, GSI1SK = :until ADD attempts :one",
                "#status = :pending AND next_attempt_at <= :now",
                names={"#status": "status"},
                params={":until": until, ":one": 1, ":pending": "pending", ":now": now},
            )
        except ConditionFailed:
            return False
        return True

    def finish_mail(
        self,
        key: str,
        claim: str,
        now: str,
        error: str | None = None,
        retry_at: str | None = None,
    ) -> bool:
        if error is None:
            expires = later(now, SENT_MAIL_KEPT_DAYS * 86_400)
            expression = (
                "SET #status = :status, next_attempt_at = :now, GSI1PK = :index,"
                " GSI1SK = :now, expires_at = :expires_at, GSI2PK = :expiring,"
                " GSI2SK = :expires REMOVE last_error"
            )
            values = {
                ":now": now,
                ":status": "sent",
                ":index": "mail#sent",
                ":expiring": layout.EXPIRING,
                ":expires": expires,
                ":expires_at": epoch(expires),
            }
        elif retry_at is not None:
            expression = "SET next_attempt_at = :retry, GSI1SK = :retry, last_error = :error"
            values = {":retry": retry_at, ":error": error}
        else:
            expression = (
                "SET #status = :status, next_attempt_at = :now, GSI1PK = :index,"
                " GSI1SK = :now, last_error = :error"
            )
            values = {
                ":now": now,
                ":status": "failed",
                ":index": "mail#failed",
                ":error": error,
            }
        try:
            self.table.update(
                mail_key(key),
                expression,
                "#status = :pending AND next_attempt_at = :claim",
                names={"#status": "status"},
                params={**values, ":pending": "pending", ":claim": claim},
            )
        except ConditionFailed:
            return False
        return True

    # Limits

    def count_write(self, user_id: int, window_start: str) -> int:
        """One counter per member and window; a window's counter goes with the TTL."""
        expires = parse_time(window_start) + WRITE_COUNT_KEPT
        found = self.table.update(
            writes_key(user_id, window_start),
            "ADD writes :one SET expires_at = :expires",
            params={":one": 1, ":expires": int(expires.timestamp())},
            returns="UPDATED_NEW",
        )
        assert found is not None
        return found["writes"]

    def attempts(self, scope: str, key: str, since: str) -> Attempts:
        found = self.table.query_all(
            "PK = :pk AND SK >= :since",
            {":pk": attempts_partition(scope, key), ":since": since},
            consistent=True,
        )
        times = [item["at"] for item in found]
        return Attempts(len(times), min(times) if times else None)

    def add_attempts(self, entries: Sequence[tuple[str, str]], now: str, expires: str) -> list[int]:
        ids: list[int] = []
        for chunk in chunks(entries, TRANSACTION // 2):
            ids += self._add_attempts(list(chunk), now, expires)
        return ids

    def _add_attempts(self, entries: list[tuple[str, str]], now: str, expires: str) -> list[int]:
        """Each attempt and its pointer; an id taken meanwhile is drawn again."""
        ids = [self.new_id() for _ in entries]
        for _ in range(RETRIES):
            writes = []
            for (scope, key), attempt_id in zip(entries, ids, strict=True):
                attempt = {
                    "PK": attempts_partition(scope, key),
                    "SK": f"{now}#{layout.pad(attempt_id)}",
                }
                writes.append(
                    put(
                        {
                            **attempt,
                            "id": attempt_id,
                            "scope": scope,
                            "key": key,
                            "at": now,
                            "expires": expires,
                            **layout.expiring(expires),
                        },
                        NEW,
                    )
                )
                writes.append(
                    put(
                        {
                            **attempt_pointer(attempt_id),
                            "attempt_pk": attempt["PK"],
                            "attempt_sk": attempt["SK"],
                            "expires_at": epoch(expires),
                        },
                        NEW,
                    )
                )
            try:
                self.transact(writes)
            except ConditionFailed as failed:
                for position in failed.failed:
                    ids[position // 2] = self.new_id()
                continue
            return ids
        raise RuntimeError(f"no free ids for attempts after {RETRIES} draws")

    def remove_attempts(self, ids: Sequence[int]) -> None:
        pointers = self.table.get_many(attempt_pointer(i) for i in ids)
        self.table.write_many(
            write
            for pointer in pointers
            for write in (
                delete({"PK": pointer["attempt_pk"], "SK": pointer["attempt_sk"]}),
                delete({"PK": pointer["PK"], "SK": pointer["SK"]}),
            )
        )

    def clear_attempts(self, scope: str, key: str) -> None:
        found = self.table.query_all(
            "PK = :pk", {":pk": attempts_partition(scope, key)}, consistent=True
        )
        self.table.write_many(write for item in found for write in _forget(item))

    def forget_expired(self, now: str, limit: int = 500) -> int:
        """What expired before ``now`` (attempts, sent mail and whatever else carries
        ``layout.expiring``), found by expiry in GSI2, up to ``limit``."""
        if limit <= 0:
            return 0
        items, _ = self.table.query(
            "GSI2PK = :expiring AND GSI2SK < :now",
            {":expiring": layout.EXPIRING, ":now": now},
            index="GSI2",
            limit=limit,
        )
        self.table.write_many(write for item in items for write in _forget(item))
        return len(items)


def _note_chunks(
    entries: list[tuple[tuple[int, int], NewNotifications]],
) -> list[list[tuple[tuple[int, int], NewNotifications]]]:
    """Entries cut so that each transaction (a claim and a note each, and one counter per
    member) stays within 100 writes."""
    found: list[list[tuple[tuple[int, int], NewNotifications]]] = []
    current: list[tuple[tuple[int, int], NewNotifications]] = []
    members: set[int] = set()
    for entry in entries:
        user_id = entry[0][1]
        more = 0 if user_id in members else 1
        if 2 * (len(current) + 1) + len(members) + more > TRANSACTION:
            found.append(current)
            current, members = [], set()
        current.append(entry)
        members.add(user_id)
    if current:
        found.append(current)
    return found


def _note_item(batch: NewNotifications, user_id: int, note_id: int, read: bool) -> dict:
    return {
        **note_key(user_id, note_id),
        "id": note_id,
        "user_id": user_id,
        "event_id": batch.event_id,
        "kind": batch.kind,
        "question_id": batch.question_id,
        "actor_id": batch.actor_id,
        "created_at": batch.at,
        "read": read,
        "page": asdict(batch.page) if batch.page is not None else None,
        "award": asdict(batch.award) if batch.award is not None else None,
    }


def _is_note(sort_key: object) -> bool:
    return isinstance(sort_key, str) and sort_key.startswith("note#")


def _mail(item: Item | None) -> Mail | None:
    if item is None:
        return None
    return Mail(
        item["key"],
        item["to"],
        item["subject"],
        item["text"],
        item.get("attempts", 0),
        item["status"],
        item.get("last_error"),
    )


def _forget(item: Item) -> list[dict[str, Any]]:
    """The deletes that forget an item (an attempt goes with its pointer)."""
    writes = [delete({"PK": item["PK"], "SK": item["SK"]})]
    if item["PK"].startswith("attempts#"):
        writes.append(delete(attempt_pointer(item["id"])))
    return writes
