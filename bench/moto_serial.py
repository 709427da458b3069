"""moto's server, one request at a time: ``python -m bench.moto_serial PORT``.

moto keeps its state in plain dictionaries and checks a write's conditions without a lock,
so two requests at once can both pass a condition DynamoDB would let only one pass (and
its transactions can fail with "dictionary changed size during iteration"). DynamoDB
itself applies the writes to an item one at a time; here every request takes one lock,
which keeps that promise. Connections stay open between requests (HTTP/1.1), as boto3's
pool expects.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def one_at_a_time(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))  # the whole body, inside the lock

    return serial


def main(port: int) -> None:
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
