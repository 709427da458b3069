"""The store contract on one DynamoDB table (``PORTAL_STORE=dynamodb://TABLE``).

The table's endpoint, region and credentials come from boto3's own settings
(``AWS_ENDPOINT_URL_DYNAMODB``, ``AWS_REGION``...). ``portal store init`` creates the table
(:func:`create_table`); opening a table of another shape fails with a sentence that says so.
The items' keys are in :mod:`functions.store.dynamodb.layout`; each area of the contract is
a module of its own.
"""

from __future__ import annotations

from core.aws.dynamodb import Table
from functions.store.dynamodb import layout
from functions.store.dynamodb.base import WrongShape
from functions.store.dynamodb.engagement import Engagement
from functions.store.dynamodb.events import Events
from functions.store.dynamodb.health import Health
from functions.store.dynamodb.inbox import Inbox
from functions.store.dynamodb.moderation import Moderation
from functions.store.dynamodb.posts import Posts
from functions.store.dynamodb.users import Users

__all__ = ["DynamoDBStore", "WrongShape", "create_table"]


class DynamoDBStore(Users, Posts, Moderation, Inbox, Health, Engagement, Events):
    """The :class:`functions.store.Store` contract on one DynamoDB table."""


def create_table(name: str, *, stream: bool = True) -> bool:
    """Create the store's table (``portal store init``); False if it is there already, in
    the right shape (:class:`WrongShape` if not). ``stream``: with the stream the consumers
    run from in AWS (tests leave it out where no consumer reads it: moto copies a table,
    its stream's records included, on every transaction)."""
    table = Table(name)
    found = table.describe()
    if found is not None:
        problem = layout.shape_problem(found, name)
        if problem:
            raise WrongShape(problem)
        return False
    shape = layout.SHAPE
    if not stream:
        shape = {key: value for key, value in shape.items() if key != "StreamSpecification"}
    table.create(shape, layout.TTL_ATTRIBUTE)
    return True
