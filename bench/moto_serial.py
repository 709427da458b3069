"""moto's server, one request at a time: ``python -m bench.moto_serial PORT``.

moto keeps its state in plain dictionaries and checks a write's conditions without a lock,
so two requests at once can both pass a condition DynamoDB would let only one pass (and
its transactions can fail with "dictionary changed size during iteration"). DynamoDB
itself applies the writes to an item one at a time; here every request takes one lock,
which keeps that promise. Connections stay open between requests (HTTP/1.1), as boto3's
pool expects.

One cost is taken out, nothing else changed: before a transaction moto copies the whole
table once per write in it (the same table again for each), to put it back if a write
fails. Here each table is copied once per transaction, which is the same copy.
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def one_at_a_time(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))  # the whole body, inside the lock

    return serial


class _OneCopyPerTransaction:
    """Stands for the ``copy`` module in moto's DynamoDB models: a table copied again in
    the same transaction gets the copy already made."""

    def __init__(self) -> None:
        self.copies: dict[int, Any] | None = None  # while a transaction runs

    def deepcopy(self, value: Any, memo: dict | None = None) -> Any:
        if self.copies is None or not isinstance(value, dynamodb_models.Table):
            return copy.deepcopy(value, memo)
        if id(value) not in self.copies:
            self.copies[id(value)] = copy.deepcopy(value, memo)
        return self.copies[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def copy_tables_once() -> None:
    shim = _OneCopyPerTransaction()
    dynamodb_models.copy = shim  # type: ignore[assignment]
    transact = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list) -> None:
        shim.copies = {}
        try:
            transact(self, transact_items)
        finally:
            shim.copies = None

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def main(port: int) -> None:
    copy_tables_once()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        "127.0.0.1",
        port,
        one_at_a_time(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
