"""A real TAXII server for the tests: the share app under uvicorn on a free local port, in a
thread, with bearer tokens mapped to readers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests
import uvicorn
from sqlalchemy import Engine

from watchfloor.publish.access import AccessPolicy, Reader
from watchfloor.share.taxii.server import make_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def taxii_server(engine: Engine, tokens: dict[str, Reader], policy: AccessPolicy) -> Iterator[str]:
    """The server's base URL while it runs; it stops when the block ends."""
    app = make_app(engine, tokens.get, policy=policy)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the TAXII server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request
