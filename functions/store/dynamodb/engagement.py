"""(being written)"""

from __future__ import annotations

from functions.store.dynamodb.base import Base


class Engagement(Base):
    pass
