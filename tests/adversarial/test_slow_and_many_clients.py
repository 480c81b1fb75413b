"""Hostile clients on the network: a request head dripped byte by byte or never sent is cut, connections over the cap
are refused before they are read."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.app import create_app
from kamengine.service.connections import GuardedH11Protocol
from kamengine.service.server import network_settings
from kamengine.service.state import Service
from serving import free_port

HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n"


@contextlib.contextmanager
def guarded(db: Path, head_seconds: float = 1.0, max_connections: int = 512) -> Iterator[int]:
    """``kamengine serve``'s uvicorn settings, with a shorter head deadline or fewer connections; its port."""
    protocol = type(
        "Protocol", (GuardedH11Protocol,), {"head_seconds": head_seconds, "max_connections": max_connections}
    )
    service = Service(db, auth=False, registry=Registry(get_plugin_manager(load_entry_points=False)))
    port = free_port()
    settings = {**network_settings(), "http": protocol}
    server = uvicorn.Server(uvicorn.Config(create_app(service), port=port, log_level="warning", **settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(20)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _response(sock: socket.socket) -> bytes:
    """One whole response on a kept-alive connection: its head, and a body of its Content-Length."""

    def more() -> bytes:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before its answer was whole"
        return chunk

    received = b""
    while b"\r\n\r\n" not in received:
        received += more()
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length")
    )
    while len(body) < length:
        body += more()
    return head + b"\r\n\r\n" + body


def _drip(sock: socket.socket, data: bytes, every: float) -> int:
    """Send ``data`` a byte at a time; how many bytes went before the server closed the connection."""
    for sent in range(len(data)):
        try:
            sock.sendall(data[sent : sent + 1])
        except OSError:
            return sent
        time.sleep(every)
    return len(data)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with guarded(tmp_path_factory.mktemp("network") / "k.db") as serving_port:
        yield serving_port


def test_a_head_sent_byte_by_byte_is_cut_at_its_deadline(port: int) -> None:
    with _connect(port) as sock:
        sent = _drip(sock, HEAD, 0.1)  # 7.4 s for the whole head; the deadline is 1 s
        answer = _answer(sock)
    assert sent < len(HEAD) // 2, sent  # cut after about ten bytes, not served at the end
    assert answer.startswith(b"HTTP/1.1 408 ") and b"application/problem+json" in answer
    assert b"urn:kamengine:problem:request-timeout" in answer


def test_a_connection_that_says_nothing_is_closed(port: int) -> None:
    with _connect(port) as sock:
        assert _answer(sock).startswith(b"HTTP/1.1 408 ")


def test_a_kept_alive_connections_next_head_has_its_deadline_too(port: int) -> None:
    with _connect(port) as sock:
        sock.sendall(HEAD)
        first = _response(sock)
        assert first.startswith(b"HTTP/1.1 200 ") and b'"status":"ok"' in first
        sent = _drip(sock, HEAD, 0.1)
        assert sent < len(HEAD) // 2 and _answer(sock).startswith(b"HTTP/1.1 408 ")


def test_a_head_in_pieces_within_its_deadline_is_served(port: int) -> None:
    with _connect(port) as sock:
        for piece in (HEAD[:5], HEAD[5:30], HEAD[30:]):
            sock.sendall(piece)
            time.sleep(0.2)
        assert _response(sock).startswith(b"HTTP/1.1 200 ")


def test_connections_over_the_cap_are_refused_with_retry_after(tmp_path: Path) -> None:
    with guarded(tmp_path / "k.db", head_seconds=30, max_connections=8) as capped:
        held = [_connect(capped) for _ in range(8)]
        try:
            time.sleep(0.3)  # the server has taken them all
            with _connect(capped) as extra:
                answer = _answer(extra)
            assert answer.startswith(b"HTTP/1.1 503 ")
            assert b"retry-after: 5" in answer.lower() and b"urn:kamengine:problem:busy" in answer
            assert b"application/problem+json" in answer
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + 10
        while True:  # closed connections free their places once the server has seen them close
            with _connect(capped) as again:
                again.sendall(HEAD)
                answer = _answer(again) if b"503" in (said := again.recv(12)) else said + _response(again)
            if answer.startswith(b"HTTP/1.1 200 ") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert answer.startswith(b"HTTP/1.1 200 "), answer
