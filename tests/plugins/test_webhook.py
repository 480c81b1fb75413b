"""The webhook emitter against a real HTTP server on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine import EmitContext, Recommendation
from kamengine.cli import main
from kamengine.engine.model.limits import Limits
from kamengine.plugins.webhook_emitter import WebhookEmitter, retry_after
from kamengine.toolkit import load_snapshot
from support import REPO, builtin_advisor, example_recommendations

SECRET = "s3cret-value-never-printed"


class Receiver:
    """A local HTTP server that fails the first ``failures`` POSTs with 503, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.bodies: list[bytes] = []
        self.signatures: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.bodies.append(body)
                receiver.signatures.append(self.headers.get("X-Kamengine-Signature"))
                code = 503 if receiver.failures > 0 else 204
                receiver.failures -= 1
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(WebhookEmitter, "BACKOFF", 0.01)
    monkeypatch.setattr(WebhookEmitter, "TIMEOUT", 5.0)
    yield


def test_survives_one_failure_by_retrying_and_signs_the_body(
    monkeypatch: pytest.MonkeyPatch, example_path: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAMENGINE_WEBHOOK_SECRET", SECRET)
    with Receiver(failures=1) as receiver:
        result = CliRunner().invoke(main, ["advise", example_path, "--emit", f"webhook:{receiver.url}"])
    assert result.exit_code == 0, result.output
    assert len(receiver.bodies) == 2 and receiver.bodies[0] == receiver.bodies[1]
    payload = json.loads(receiver.bodies[-1])
    count = len(example_recommendations())
    assert payload["recommendations"] == example_recommendations()
    expected = "sha256=" + hmac.new(SECRET.encode(), receiver.bodies[-1], hashlib.sha256).hexdigest()
    assert receiver.signatures[-1] == expected
    assert f"webhook: {count} recommendations posted to {receiver.url} after 2 attempts" in result.stderr
    assert SECRET not in result.output + result.stderr


def test_a_permanently_failing_webhook_does_not_stop_the_file_emitters(
    monkeypatch: pytest.MonkeyPatch, example_path: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAMENGINE_WEBHOOK_SECRET", SECRET)
    out = tmp_path / "out.json"
    with Receiver(failures=100) as receiver:
        result = CliRunner().invoke(
            main,
            [
                "advise",
                example_path,
                "--emit",
                f"webhook:{receiver.url}",
                "--emit",
                f"json:{out}",
                "--emit",
                f"ics:{tmp_path / 'v.ics'}",
            ],
        )
    assert result.exit_code == 1
    assert len(receiver.bodies) == WebhookEmitter.ATTEMPTS
    assert json.loads(out.read_text(encoding="utf-8")) == example_recommendations()
    assert (tmp_path / "v.ics").exists()
    assert (
        f"Error: emitter 'webhook' failed: POST to {receiver.url} failed after 4 attempt(s): HTTP 503 Service Unavailable"
        in result.stderr
    )
    assert SECRET not in result.output + result.stderr
    assert result.stdout == ""  # with --emit and no --format nothing goes to stdout


def test_client_errors_are_not_retried_and_credentials_are_redacted() -> None:
    with Receiver(failures=0) as receiver:
        receiver.server.RequestHandlerClass.do_POST = lambda self: (self.send_response(404), self.end_headers())  # type: ignore[attr-defined]
        url = receiver.url.replace("http://", "http://user:pw@")
        with pytest.raises(RuntimeError) as caught:
            WebhookEmitter(url).emit([], EmitContext(stdout=None))  # type: ignore[arg-type]
    assert (
        str(caught.value)
        == f"POST to {receiver.url.replace('http://', 'http://***@')} failed after 1 attempt(s): HTTP 404 Not Found"
    )


def test_an_unreachable_server_is_retried_then_reported() -> None:
    with Receiver(failures=0) as receiver:
        url = receiver.url
    with pytest.raises(RuntimeError, match=r"failed after 4 attempt\(s\): connection refused"):
        WebhookEmitter(url).emit([], EmitContext(stdout=None))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expected an http or https URL, found 'ftp://x'"):
        WebhookEmitter("ftp://x").emit([], EmitContext(stdout=None))  # type: ignore[arg-type]


class Throttling(Receiver):
    """Answers the first POST with 503 and a Retry-After, then accepts; keeps each request's Idempotency-Key."""

    def __init__(self, retry_after: str) -> None:
        super().__init__(failures=0)
        self.keys: list[str] = []
        self.times: list[float] = []
        receiver = self

        def do_post(handler: BaseHTTPRequestHandler) -> None:
            handler.rfile.read(int(handler.headers["Content-Length"]))
            receiver.keys.append(handler.headers["Idempotency-Key"])
            receiver.times.append(time.monotonic())
            handler.send_response(503 if len(receiver.keys) == 1 else 204)
            if len(receiver.keys) == 1:
                handler.send_header("Retry-After", retry_after)
            handler.end_headers()

        self.server.RequestHandlerClass.do_POST = do_post  # type: ignore[attr-defined]


def _limited(**limits: float) -> EmitContext:
    return EmitContext(stdout=None, limits=Limits(**limits))  # type: ignore[arg-type]


def test_retry_after_is_waited_for_and_the_retry_has_the_same_idempotency_key() -> None:
    with Throttling("1") as receiver:
        summary = WebhookEmitter(receiver.url).emit(_example(), _limited())
    assert summary.endswith("after 2 attempts")
    assert receiver.times[1] - receiver.times[0] >= 1.0  # not the 0.01 s backoff
    assert receiver.keys[0] == receiver.keys[1]


def test_a_retry_after_past_the_delivery_deadline_fails_at_once() -> None:
    started = time.monotonic()
    with Throttling("3600") as receiver, pytest.raises(RuntimeError) as caught:
        WebhookEmitter(receiver.url).emit([], _limited(delivery_seconds=5))
    assert time.monotonic() - started < 3
    assert str(caught.value).endswith(
        "HTTP 503 Service Unavailable; asked to retry after 3600 s, past the delivery deadline ([limits] delivery_seconds)"
    )


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now) == 30
    assert retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now) == 0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_bodies_are_chunked_and_numbered() -> None:
    recs = _example()
    with Receiver(failures=0) as receiver:
        summary = WebhookEmitter(receiver.url).emit(recs, _limited(webhook_chunk=4))
    bodies = [json.loads(body) for body in receiver.bodies]
    chunks = -(-len(recs) // 4)
    assert [(b["chunk"], b["chunks"]) for b in bodies] == [(n, chunks) for n in range(1, chunks + 1)]
    assert [r["id"] for b in bodies for r in b["recommendations"]] == [r.id for r in recs]
    assert summary == f"{len(recs)} recommendations posted to {receiver.url} in {chunks} chunks"


def _example() -> list[Recommendation]:
    return builtin_advisor().advise(load_snapshot(str(REPO / "examples" / "acme-telecom.yaml"))).recommendations
