"""Snapshot-sized requests at once are capped: large ones share a budget of bytes (the snapshot cap), the next
that does not fit is answered 503 with Retry-After, unread; everyday snapshots are never held back."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
import yaml
from kamengine.engine.model.config import Config
from kamengine.engine.model.limits import Limits
from kamengine.service.guard import LARGE_BODY, Guard
from serving import Running, serving
from support import REPO

ACME = yaml.safe_load((REPO / "examples" / "acme-telecom.yaml").read_text(encoding="utf-8"))
SMALL = json.dumps(ACME, default=str).encode()
LARGE = SMALL[:-1] + b" " * (LARGE_BODY + 1000) + b"}"  # a big account's size, parsed as fast as a small one


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    config = Config(limits=Limits(snapshot_mb=3))  # the budget: one snapshot of 2.5 MB and one of 1 MB do not fit
    with serving(tmp_path_factory.mktemp("large") / "k.db", auth=False, config=config) as running:
        yield running


def _holding(server: Running, length: int = 2_500_000) -> socket.socket:
    """A client that has sent a large snapshot's head and part of its body, and takes its time with the rest."""
    port = int(server.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        f"POST /v1/advise HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )
    sock.sendall(head.encode() + LARGE[:1000])
    return sock


def _guard(server: Running) -> Guard:
    """The running app's guard, to see the budget it holds (uvicorn's wrapper, the app, its middleware stack)."""
    assert server.server is not None
    layer: object = server.server.config.loaded_app
    while not isinstance(layer, Guard):
        layer = getattr(layer, "middleware_stack", None) or layer.app  # type: ignore[attr-defined]
    return layer


def _held(server: Running, size: int) -> None:
    """Wait until the guard holds ``size`` bytes of its budget: the holders' heads are read."""
    deadline = time.monotonic() + 10
    while _guard(server).large_bytes != size:
        assert time.monotonic() < deadline, _guard(server).large_bytes
        time.sleep(0.02)


def _post(server: Running, body: bytes | Iterator[bytes]) -> httpx.Response:
    with server.client() as client:
        return client.post("/v1/advise", content=body, headers={"Content-Type": "application/json"})


def _chunks() -> Iterator[bytes]:
    for start in range(0, len(LARGE), 256 * 1024):
        yield LARGE[start : start + 256 * 1024]


def test_a_large_snapshot_is_advised_as_a_small_one(server: Running) -> None:
    assert len(LARGE) > LARGE_BODY
    large, small = _post(server, LARGE), _post(server, SMALL)
    assert large.status_code == small.status_code == 200
    assert large.json() == small.json()


def test_a_large_snapshot_beyond_the_budget_is_refused_unread_and_small_ones_go_on(server: Running) -> None:
    holders = [_holding(server)]
    try:
        _held(server, 2_500_000)  # the server is reading it
        refused = _post(server, LARGE)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "10"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:kamengine:problem:busy"
        chunked = _post(server, _chunks())  # no length said: refused once it has grown large
        assert chunked.status_code == 503 and chunked.json()["type"] == "urn:kamengine:problem:busy"
        assert _post(server, SMALL).status_code == 200  # the everyday snapshot is never held back
    finally:
        for sock in holders:
            sock.close()
    _held(server, 0)  # the holder's share of the budget is free again
    assert _post(server, LARGE).status_code == 200
    assert _post(server, _chunks()).status_code == 200


def test_large_snapshots_that_fit_the_budget_together_are_read_together(server: Running) -> None:
    holder = _holding(server, length=1_500_000)
    try:
        _held(server, 1_500_000)
        assert _post(server, LARGE).status_code == 200  # 1.5 MB and 1.05 MB fit the 3 MB budget
    finally:
        holder.close()
