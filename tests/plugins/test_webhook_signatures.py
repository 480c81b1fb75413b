"""Standard Webhooks signatures: a receiver that checks them (written here from the specification) takes ours and
refuses a replay, a late copy and a changed body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.plugins.webhook_emitter import WebhookEmitter
from kamengine.plugins.webhook_signing import signature, signing_key, verify
from support import REPO
from webhook_receivers import Receiver

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
SECRET = "whsec_" + base64.b64encode(b"a-shared-secret-of-32-bytes-long").decode()


class Checker:
    """The receiver's side, as the specification says: the HMAC-SHA256 of ``id.timestamp.body`` with the secret's
    base64 decoded, a timestamp within 5 minutes of its clock, and an id it has not taken before."""

    def __init__(self, secret: str) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.seen: set[str] = set()
        self.clock = time.time
        self.refused: list[str] = []
        self.fail_first = 0

    def __call__(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        why = self._why(headers, body)
        if why is None and self.fail_first:
            self.fail_first -= 1
            return 503, b""
        if why is not None:
            self.refused.append(why)
            return 401, why.encode()
        self.seen.add(headers["webhook-id"])
        return 200, b""

    def _why(self, headers: dict[str, str], body: bytes) -> str | None:
        message_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
        if abs(self.clock() - int(stamp)) > 300:
            return "stale"
        mac = hmac.new(self.key, f"{message_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(mac).decode()
        if not any(hmac.compare_digest(expected, s) for s in headers.get("webhook-signature", "").split()):
            return "bad signature"
        return "replayed" if message_id in self.seen else None


def _advise(spec: str) -> Result:
    return CliRunner().invoke(main, ["advise", str(EXAMPLE), "--emit", spec])


def _spec(tmp_path: Path, url: str) -> str:
    (tmp_path / "d.toml").write_text(f'url = "{url}"\npreset = "slack"\nsigning_secret = "${{HOOK_SECRET}}"\n')
    return f"webhook:{tmp_path / 'd.toml'}"


def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_specification_s_own_example_signs_as_it_says() -> None:
    key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    found = signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert found == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_checking_receiver_takes_ours_and_refuses_a_replay_a_late_copy_and_a_changed_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    checker = Checker(SECRET)
    bodies: list[bytes] = []
    with Receiver(lambda document: [], lambda h, b: bodies.append(b) or checker(h, b)) as receiver:
        result = _advise(_spec(tmp_path, receiver.url))
        assert result.exit_code == 0, result.output
        assert checker.refused == [] and len(checker.seen) == len(receiver.headers) == 2  # two chunks of a preset
        headers = {k: v for k, v in receiver.headers[0].items() if k.startswith("webhook-")}
        assert headers["webhook-id"].startswith("msg_") and abs(int(headers["webhook-timestamp"]) - time.time()) < 60
        assert _post(receiver.url, headers, bodies[0]) == 401  # the same request again
        checker.seen.clear()
        assert _post(receiver.url, headers, bodies[0] + b" ") == 401  # a body changed on the way
        checker.clock = lambda: time.time() + 301  # the same request, captured and sent 5 minutes later
        assert _post(receiver.url, headers, bodies[0]) == 401
    assert checker.refused == ["replayed", "bad signature", "stale"]
    assert SECRET not in result.output + result.stderr


def test_a_retry_keeps_its_id_and_is_signed_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WebhookEmitter, "BACKOFF", 1.1)  # a second apart: a new timestamp
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    checker = Checker(SECRET)
    checker.fail_first = 1
    with Receiver(lambda document: [], checker) as receiver:
        (tmp_path / "d.toml").write_text(f'url = "{receiver.url}"\nsigning_secret = "${{HOOK_SECRET}}"\n')
        result = _advise(f"webhook:{tmp_path / 'd.toml'}")
    assert result.exit_code == 0, result.output
    first, second = receiver.headers
    assert first["webhook-id"] == second["webhook-id"]
    assert first["webhook-timestamp"] != second["webhook-timestamp"]
    assert first["webhook-signature"] != second["webhook-signature"] and checker.refused == []


def test_a_webhook_given_by_url_is_signed_when_the_environment_holds_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAMENGINE_WEBHOOK_SIGNING_SECRET", SECRET)
    checker = Checker(SECRET)
    with Receiver(lambda document: [], checker) as receiver:
        result = _advise(f"webhook:{receiver.url}")
    assert result.exit_code == 0, result.output
    assert checker.refused == [] and len(checker.seen) == 1
    key = signing_key(SECRET)
    assert verify(key, receiver.headers[0], b"tampered") == "no signature matches"


def test_a_secret_that_is_not_whsec_base64_is_refused_before_anything_is_posted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAMENGINE_WEBHOOK_SIGNING_SECRET", "whsec_not*base64")
    with Receiver(lambda document: []) as receiver:
        result = _advise(f"webhook:{receiver.url}")
    assert result.exit_code == 1 and receiver.headers == []
    assert "KAMENGINE_WEBHOOK_SIGNING_SECRET: a Standard Webhooks signing secret is whsec_ then base64" in result.stderr
    assert "not*base64" not in result.stderr
