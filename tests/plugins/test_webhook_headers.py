"""Webhook headers from a settings table, secrets from the environment: sent, never shown, never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.plugins.webhook_emitter import WebhookEmitter
from support import REPO
from webhook_receivers import Receiver

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
TOKEN = "tok-5f2b9c0e7a1d4e8f"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WebhookEmitter, "BACKOFF", 0.01)


def _settings(tmp_path: Path, url: str) -> str:
    path = tmp_path / "delivery.toml"
    path.write_text(
        f'[crm]\nurl = "{url}"\nheaders = {{ Authorization = "Bearer ${{CRM_TOKEN}}", X-Team = "emea-kam" }}\n',
        encoding="utf-8",
    )
    return f"webhook:{path}#crm"


def _advise(spec: str) -> Result:
    return CliRunner().invoke(main, ["advise", str(EXAMPLE), "--emit", spec])


def test_headers_carry_the_token_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TOKEN", TOKEN)
    with Receiver(lambda document: []) as receiver:
        result = _advise(_settings(tmp_path, receiver.url))
    assert result.exit_code == 0, result.output
    assert receiver.headers[0]["authorization"] == f"Bearer {TOKEN}"
    assert receiver.headers[0]["x-team"] == "emea-kam"
    assert TOKEN not in result.output + result.stderr


def test_an_unset_variable_is_an_error_naming_it_and_nothing_is_posted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_TOKEN", raising=False)
    with Receiver(lambda document: []) as receiver:
        result = _advise(_settings(tmp_path, receiver.url))
    assert result.exit_code == 1 and receiver.headers == []
    where = f"{tmp_path / 'delivery.toml'} [crm]: headers.Authorization"
    assert (
        f"{where}: the environment variable CRM_TOKEN is not set (the value is 'Bearer ${{CRM_TOKEN}}')"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_refusal_quotes_the_receiver_s_answer_escaped_and_cut_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_TOKEN", TOKEN)

    def refuse(headers: dict[str, str], body: bytes) -> tuple[int, bytes]:  # echoes what it got, as some services do
        reply = f'{{"error": "invalid_auth", "got": "{headers["authorization"]}"}}\x1b[31m\r\n' + "x" * 1000
        return 400, reply.encode()

    with Receiver(lambda document: [], refuse) as receiver:
        result = _advise(_settings(tmp_path, receiver.url))
    assert result.exit_code == 1 and len(receiver.headers) == 1  # a 400 is not retried
    said = 'HTTP 400 Bad Request; the receiver said: {"error": "invalid_auth", "got": "***"}\\x1b[31m\\r\\nxxx'
    assert said in result.stderr
    quoted = result.stderr.split("the receiver said: ", 1)[1]
    assert quoted.count("x") < 500 and "…" in quoted  # the first 500 bytes, marked as cut
    assert TOKEN not in result.output + result.stderr and "\x1b" not in result.stderr


def test_the_store_keeps_the_settings_name_only_and_a_later_deliver_reads_the_environment_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "k.db"
    monkeypatch.delenv("CRM_TOKEN", raising=False)
    with Receiver(lambda document: []) as receiver:
        spec = _settings(tmp_path, receiver.url)
        args = ["batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--workers", "1", "--emit", spec]
        night = CliRunner().invoke(main, args)
        assert night.exit_code == 1 and "CRM_TOKEN is not set" in night.stderr and receiver.headers == []
        monkeypatch.setenv("CRM_TOKEN", TOKEN)
        later = CliRunner().invoke(main, ["deliver", "--db", str(db)])
    assert later.exit_code == 0, later.output
    assert [h["authorization"] for h in receiver.headers] == [f"Bearer {TOKEN}"]
    assert f"delivered via {spec}" in later.stderr
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("k.db*"))
    assert TOKEN.encode() not in stored and spec.encode() in stored


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('headers = { "Bad Name" = "x" }', "headers: 'Bad Name' is not a header name"),
        ('headers = { Host = "evil.example" }', "headers.Host: kamengine sets this header itself"),
        ('headers = { X-A = "${NL}" }', "headers.X-A: a header value holds no control characters"),
        ("headers = { X-A = 1 }", "headers: expected a table of strings"),
        ('signing_secret = "not-whsec"', "signing_secret: a Standard Webhooks signing secret starts with whsec_"),
        ('preset = "slack"\ntemplate = "t.j2"', "give a preset or a template, not both"),
        ("chunk = 0.5", "chunk: expected a whole number from 0 to 10000, found 0.5"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_the_file_table_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, message: str
) -> None:
    monkeypatch.setenv("NL", "a\r\nInjected: yes")
    path = tmp_path / "d.toml"
    path.write_text(f'[t]\nurl = "http://127.0.0.1:9/"\n{table}\n', encoding="utf-8")
    result = _advise(f"webhook:{path}#t")
    assert result.exit_code == 1
    assert f"{path} [t]: {message}" in result.stderr
    assert "Traceback" not in result.stderr and "Injected" not in result.stderr


def test_a_misspelt_key_is_told_before_a_batch_runs_not_after_it(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('url = "http://127.0.0.1:9/"\nheader = { X-A = "b" }\n', encoding="utf-8")
    for spec, key in ((f"webhook:{path}", "header"), (f"email:{path}", "url")):
        args = [
            "batch",
            "--source",
            f"file:{EXAMPLE}",
            "--db",
            str(tmp_path / "k.db"),
            "--workers",
            "1",
            "--emit",
            spec,
        ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and f"{path}: {key}: unknown setting" in result.stderr
        assert not (tmp_path / "k.db").exists()  # nothing was evaluated, nothing queued
