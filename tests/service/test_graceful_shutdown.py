"""A client that drips its body does not hold the server off at shutdown: the requests under way get a grace time."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from kamengine.service.server import GRACE_SECONDS, KEEP_ALIVE_SECONDS, serve
from serving import free_port, serving


def test_serve_gives_uvicorn_its_shutdown_and_keep_alive_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamengine.service import server

    given: dict[str, object] = {}
    monkeypatch.setattr(server, "serve_one", lambda config, said: given.update(vars(config)))
    serve(object(), "127.0.0.1", free_port())
    assert (GRACE_SECONDS, KEEP_ALIVE_SECONDS) == (10, 5)  # as docs/serve.md says
    assert given["timeout_graceful_shutdown"] == GRACE_SECONDS and given["timeout_keep_alive"] == KEEP_ALIVE_SECONDS


def test_a_slow_body_does_not_keep_the_server_past_its_grace(tmp_path: Path) -> None:
    stop_dripping = threading.Event()
    with serving(tmp_path / "k.db", auth=False, grace=1) as server:
        url = urlsplit(server.url)
        conn = socket.create_connection((url.hostname, url.port), timeout=30)
        head = "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20000\r\n\r\n"
        conn.sendall(head.encode())

        def drip() -> None:  # 20 KB at 500 bytes a second would take 40 s
            try:
                while not stop_dripping.wait(0.1):
                    conn.sendall(b"a" * 50)
            except OSError:
                pass  # the server cut the connection

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(0.5)  # the request is under way
        assert server.server is not None and server.thread is not None
        server.server.should_exit = True  # what SIGTERM does
        server.thread.join(15)
        ended = not server.thread.is_alive()
        stop_dripping.set()
        dripper.join(5)
        conn.close()
    assert ended, "the server was still waiting for the slow client"
