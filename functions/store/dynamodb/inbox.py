"""(being written)"""

from __future__ import annotations

from functions.store.dynamodb.base import Base


class Inbox(Base):
    pass
