"""Members, their accounts and password resets in DynamoDB.

A username and an email are each held by a claim item (``username#<casefold>``), put with
``attribute_not_exists`` in the transaction that makes or changes the member, so two
members can never hold one, whatever the case.
"""

from __future__ import annotations

from collections.abc import Sequence

from functions.store.contract import Conflict, Mail, User
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import NEW, Base, ConditionFailed, Item, delete, put, update


class Users(Base):
    def create_user(
        self, username: str, email: str, password_hash: str, role: str, now: str
    ) -> User:
        def build(user_id: int) -> list:
            _, signed_up = self.event(
                "signed_up", "user", user_id, None, now, actor=user_id, affected=user_id
            )
            return [
                put(
                    {
                        **layout.user_key(user_id),
                        "id": user_id,
                        "username": username,
                        "email": email,
                        "role": role,
                        "password_hash": password_hash,
                        "created_at": now,
                        "session_version": 0,
                        "email_notifications": True,
                    },
                    NEW,
                ),
                put({**layout.claim_key("username", username), "user_id": user_id}, NEW),
                put({**layout.claim_key("email", email), "user_id": user_id}, NEW),
                signed_up,
            ]

        try:
            user_id = self.transact_new(build)
        except ConditionFailed as failed:
            raise Conflict("username" if 1 in failed.failed else "email") from None
        return User(user_id, username, email, role, password_hash, now)  # type: ignore[arg-type]

    def user_by_id(self, user_id: int) -> User | None:
        return user_from(self.table.get(layout.user_key(user_id)))

    def users_by_id(self, user_ids: Sequence[int]) -> list[User]:
        found = self.table.get_many(layout.user_key(user_id) for user_id in user_ids)
        return sorted((user_from(item) for item in found), key=lambda user: user.id)  # type: ignore[arg-type, return-value]

    def user_by_username(self, username: str) -> User | None:
        return self._claimed("username", username)

    def user_by_email(self, email: str) -> User | None:
        return self._claimed("email", email)

    def _claimed(self, field: str, value: str) -> User | None:
        claim = self.table.get(layout.claim_key(field, value))
        return self.user_by_id(claim["user_id"]) if claim else None

    def set_password(self, user_id: int, password_hash: str, how: str, now: str) -> None:
        _, changed = self.event(
            "password_changed",
            "user",
            user_id,
            None,
            now,
            actor=user_id if how == "changed" else None,
            affected=user_id,
            how=how,
        )
        self.transact(
            [
                update(
                    layout.user_key(user_id),
                    "SET password_hash = :hash ADD session_version :one",
                    "attribute_exists(PK)",
                    params={":hash": password_hash, ":one": 1},
                ),
                changed,
            ]
        )

    def end_sessions(self, user_id: int, now: str) -> None:
        _, ended = self.event("signed_out_everywhere", "user", user_id, None, now, actor=user_id)
        self.transact(
            [
                update(
                    layout.user_key(user_id),
                    "ADD session_version :one",
                    "attribute_exists(PK)",
                    params={":one": 1},
                ),
                ended,
            ]
        )

    def update_account(
        self,
        user_id: int,
        now: str,
        *,
        email: str | None = None,
        email_notifications: bool | None = None,
    ) -> User:
        user = self.user_by_id(user_id)
        if user is None:
            raise LookupError(f"no member {user_id}")
        writes: list = []
        sets: dict[str, object] = {}
        changed = []
        if email is not None:
            if email.casefold() != user.email.casefold():
                writes.append(put({**layout.claim_key("email", email), "user_id": user_id}, NEW))
                writes.append(delete(layout.claim_key("email", user.email)))
            sets["email"] = email
            changed.append("email")
        if email_notifications is not None:
            sets["email_notifications"] = email_notifications
            changed.append("email_notifications")
        if not changed:
            return user
        _, account_changed = self.event(
            "account_changed", "user", user_id, None, now, actor=user_id, fields=changed
        )
        # The member's item is written only if their email is still the one read above.
        expression = "SET " + ", ".join(f"{name} = :{name}" for name in sets)
        writes[:0] = [
            update(
                layout.user_key(user_id),
                expression,
                "email = :was",
                params={**{f":{k}": v for k, v in sets.items()}, ":was": user.email},
            )
        ]
        try:
            self.transact([*writes, account_changed])
        except ConditionFailed as failed:
            if failed.failed == [0]:
                return self.update_account(
                    user_id, now, email=email, email_notifications=email_notifications
                )
            raise Conflict("email") from None
        found = self.user_by_id(user_id)
        assert found is not None
        return found

    def add_password_reset(
        self, token_hash: str, user_id: int, now: str, expires: str, mail: Mail
    ) -> None:
        self.transact(
            [
                put(
                    {
                        "PK": f"reset#{token_hash}",
                        "SK": "reset",
                        "user_id": user_id,
                        "created_at": now,
                        "expires": expires,
                        **layout.expiring(expires),
                    },
                    NEW,
                ),
                *self._mail_writes([mail], now),
            ]
        )

    def use_password_reset(self, token_hash: str, now: str) -> int | None:
        try:
            found = self.table.update(
                {"PK": f"reset#{token_hash}", "SK": "reset"},
                "SET used_at = :now",
                "attribute_exists(PK) AND attribute_not_exists(used_at) AND expires > :now",
                params={":now": now},
                returns="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return found["user_id"] if found else None


def user_from(item: Item | None) -> User | None:
    if item is None:
        return None
    return User(
        item["id"],
        item["username"],
        item["email"],
        item["role"],
        item["password_hash"],
        item["created_at"],
        item.get("question_count", 0),
        item.get("answer_count", 0),
        item.get("flags_upheld", 0),
        item.get("flags_rejected", 0),
        item.get("reputation", 0),
        item.get("balance", 0),
        item.get("gold", 0),
        item.get("silver", 0),
        item.get("bronze", 0),
        item.get("session_version", 0),
        item.get("email_notifications", True),
    )
