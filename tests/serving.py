"""Helpers for the service's tests: a real server on 127.0.0.1 in a thread, and tokens for it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from kamengine.engine.model.config import Config
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import create_token
from kamengine.service.app import create_app
from kamengine.service.server import GRACE_SECONDS, KEEP_ALIVE_SECONDS
from kamengine.service.state import Service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    """A server the test started: its address, its store, and a client per token."""

    url: str
    db: Path
    service: Service
    server: uvicorn.Server | None = None  # ``server.should_exit = True`` is what SIGTERM does
    thread: threading.Thread | None = None  # the server's thread: it ends when the server has shut down
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, name: str, member: str, scope: str) -> str:
        store = Store(self.db)
        try:
            self.tokens[name] = create_token(store, member, scope)[1]
        finally:
            store.close()
        return self.tokens[name]

    def client(self, name: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@contextlib.contextmanager
def serving(db: Path, auth: bool = True, config: Config | None = None, grace: int | None = None) -> Iterator[Running]:
    """Start the service on a free port of 127.0.0.1, with ``kamengine serve``'s timeouts (``grace``: another
    graceful-shutdown timeout); stop it (gracefully) when the block ends."""
    registry = Registry(get_plugin_manager(load_entry_points=False))
    service = Service(db, auth=auth, config=config, registry=registry)
    port = free_port()
    app = create_app(service)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_SECONDS if grace is None else grace,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    running = Running(f"http://127.0.0.1:{port}", db, service, server=server, thread=thread)
    try:
        yield running
    finally:
        server.should_exit = True
        thread.join(20)
