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
from kamengine.engine.plugin.manager import get_plugin_manager
from kamengine.engine.plugin.registry import Registry
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import create_token
from kamengine.service.app import create_app
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
def serving(db: Path, auth: bool = True, config: Config | None = None) -> Iterator[Running]:
    """Start the service on a free port of 127.0.0.1; stop it (gracefully) when the block ends."""
    registry = Registry(get_plugin_manager(load_entry_points=False))
    service = Service(db, auth=auth, config=config, registry=registry)
    port = free_port()
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=port, access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", db, service)
    finally:
        server.should_exit = True
        thread.join(20)
