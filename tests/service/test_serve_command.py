"""``kamengine serve`` as installed: it starts, logs one JSON line per request, and stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from serving import free_port

SCRIPT = Path(sys.executable).parent / "kamengine"


def test_serve_answers_logs_and_shuts_down_gracefully_on_sigterm(tmp_path: Path) -> None:
    made = subprocess.run(
        [SCRIPT, "tokens", "create", "--member", "u-ad", "--scope", "admin", "--db", tmp_path / "k.db"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    token = made.stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port), "--db", tmp_path / "k.db"], stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.1)
        assert httpx.get(f"{url}/v1/accounts").status_code == 401
        assert httpx.get(f"{url}/v1/calendar/u-ad.ics", params={"token": token}).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    # uvicorn finishes the requests under way, closes the app, then ends as SIGTERM asks of every command: 143.
    assert server.returncode == 143 and stderr.rstrip().endswith("terminated")
    assert "Application shutdown complete" in stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert [(line["method"], line["path"], line["status"]) for line in lines[-2:]] == [
        ("GET", "/v1/accounts", 401),
        ("GET", "/v1/calendar/u-ad.ics", 200),
    ]
    assert lines[-1]["principal"] == token.split("_")[1] and isinstance(lines[-1]["ms"], float)
    assert lines[-1]["client"] == "127.0.0.1" and lines[-1]["at"][:10] in {
        str(dt.datetime.now(dt.UTC).date()),
        str(dt.date.today()),
    }
    assert f"kamengine serving on {url}" in stderr
    assert token not in stderr  # the query's token is never logged
    assert "ERROR" not in stderr and "Traceback" not in stderr


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [SCRIPT, "serve", "--port", str(port), "--no-auth", "--db", tmp_path / "k.db"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"--port {port}" in done.stderr and "Traceback" not in done.stderr
    assert "serving on" not in done.stderr  # not said before the port is its own


def test_an_ipv6_address_is_written_in_brackets() -> None:
    from kamengine.service.server import address

    assert (address("::1", 8765), address("127.0.0.1", 80)) == ("http://[::1]:8765", "http://127.0.0.1:80")


SLOW_START = """
import asyncio, sys
import uvicorn
from kamengine.service.server import serve_one

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await asyncio.sleep(1.5)  # an app that takes its time to start (a store to migrate)
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"up"})

config = uvicorn.Config(app, host="127.0.0.1", port=int(sys.argv[1]), lifespan="on", log_level="warning")
serve_one(config, "kamengine serving on http://127.0.0.1:" + sys.argv[1])
"""


def test_serving_on_is_said_once_the_port_listens() -> None:
    """A script that waits for the line connects at once: the line is not said while the app still starts."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SLOW_START, str(port)], stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        said = server.stderr.readline()
        assert said.startswith("kamengine serving on"), said
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text == "up"
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
