"""The webhook emitter against a real HTTP server on 127.0.0.1, started and stopped by the test."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.plugin.emitters import EmitContext
from kamengine.plugins.webhook_emitter import WebhookEmitter
from support import example_recommendations

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
