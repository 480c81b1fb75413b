"""Bodies are capped as they stream in: a declared length over the cap is refused unread, a chunked body as it passes."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

from kamengine.engine.model.config import Config
from kamengine.engine.model.limits import Limits
from serving import Running, serving


def _raw(server: Running, head: str, body: bytes) -> bytes:
    """Send a request's head and the start of its body, never the rest; the answer the server gives meanwhile."""
    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(head.encode() + b"\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer or b'"detail"' not in answer:
            piece = conn.recv(65536)
            if not piece:
                break
            answer += piece
    return answer


def _head(method: str, path: str, *headers: str) -> str:
    return "".join(f"{line}\r\n" for line in (f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers))


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db") as server:
        login = _raw(server, _head("POST", "/login", "Content-Length: 300000000"), b"token=" + b"a" * 1000)
        done = _raw(server, _head("POST", "/v1/recommendations/x/done", "Content-Length: 300000000"), b"{" * 1000)
    for answer in (login, done):
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"application/problem+json" in answer and b"urn:kamengine:problem:too-large" in answer
        assert b"over the limit of 65536 bytes" in answer


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(tmp_path: Path) -> None:
    config = Config(limits=Limits(snapshot_mb=0.25))
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
    with serving(tmp_path / "k.db", auth=False, config=config) as server:
        # five 64 KB chunks pass the 256 KB cap; the body would go on, but the answer comes now
        advise = _raw(server, _head("POST", "/v1/advise", "Transfer-Encoding: chunked"), chunk * 5)
        login = _raw(server, _head("POST", "/login", "Transfer-Encoding: chunked"), chunk * 2)
        decision = _raw(server, _head("POST", "/v1/recommendations/x/done", "Transfer-Encoding: chunked"), chunk * 2)
        with server.client() as client:  # and the server goes on serving
            assert client.get("/healthz").status_code == 200
    assert advise.startswith(b"HTTP/1.1 413") and b"The snapshot is too large" in advise
    assert b"over the limit of 262144 bytes" in advise
    for answer in (login, decision):
        assert answer.startswith(b"HTTP/1.1 413") and b"over the limit of 65536 bytes" in answer


def test_bodies_under_their_caps_are_served(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db", auth=False) as server, server.client() as client:
        big = b"# " + b"x" * (200 * 1024) + b"\n" + b"[]"  # over the small cap, far under snapshot_mb
        assert client.post("/v1/advise", content=big).status_code == 422  # read whole, then judged
        assert client.post("/login", data={"token": "kam_x_y"}).status_code == 401
