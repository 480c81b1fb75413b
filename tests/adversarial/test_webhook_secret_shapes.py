"""Webhook secrets in every shape a receiver puts them: a query name that says so, a password holding an ``@``,
a key as a path segment — hidden in messages and never stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.engine.delivery.secrets import has_redacted_query, redact
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
SLACK_KEY = "XkVb93LmPq0RzT2uWy7Ad4Ef"
DISCORD_KEY = "mZ9_Q2x-Lr8TcV4bN1yHk6JpW3sD0fGaE5uIoR7tYq"
TELEGRAM_KEY = "bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://f.example/api/hook?code=S3KRET&page=2", "https://f.example/api/hook?code=***&page=2"),
        ("https://h.example/?pass=S3KRET&sig=S3KRET&key2=S3KRET", "https://h.example/?pass=***&sig=***&key2=***"),
        ("https://h.example/?api_key_v2=S3KRET&X-Goog-Signature=S3KRET", "https://h.example/?api_key_v2=***&X-Goog-Signature=***"),
        ("https://h.example/?hmacDigest=S3KRET&otp=S3KRET", "https://h.example/?hmacDigest=***&otp=***"),
        ("https://user:p@ss@h.example/hook", "https://***@h.example/hook"),
        (f"https://hooks.slack.com/services/T0001/B0001/{SLACK_KEY}", "https://hooks.slack.com/services/T0001/B0001/***"),
        (f"https://discord.com/api/webhooks/1234567890/{DISCORD_KEY}", "https://discord.com/api/webhooks/1234567890/***"),
        (f"https://api.telegram.org/{TELEGRAM_KEY}/sendMessage", "https://api.telegram.org/***/sendMessage"),
        (f"HTTP 404 from https://hooks.slack.com/services/T0001/B0001/{SLACK_KEY}: no such hook",
         "HTTP 404 from https://hooks.slack.com/services/T0001/B0001/***: no such hook"),
    ],
)  # fmt: skip
def test_secrets_in_every_shape_are_hidden(url: str, shown: str) -> None:
    assert redact(url) == shown
    kept = redact(url).removeprefix("HTTP 404 from ").removesuffix(": no such hook")
    assert has_redacted_query(kept) or kept.startswith("https://***@")  # a delivery from the store knows


def test_what_only_looks_like_a_secret_word_or_a_name_keeps_its_value() -> None:
    plain = "https://crm.example/kam/recommendations-changed/v2/hook?assignee=li&author=x&keyword=y&zipcode=8000&page=2"
    assert redact(plain) == plain and not has_redacted_query(plain)


def _kamengine(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args], env=env)


def test_a_key_in_a_path_or_a_code_in_the_query_is_neither_said_nor_stored(tmp_path: Path) -> None:
    hook = f"http://127.0.0.1:1/services/T0001/B0001/{SLACK_KEY}?code=S3KRET&page=2"
    db = tmp_path / "k.db"
    result = _kamengine("batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--emit", f"webhook:{hook}")
    assert result.exit_code == 1
    assert SLACK_KEY not in result.output and "S3KRET" not in result.output
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select emitter, coalesce(last_error, '') from deliveries").fetchall()
    assert stored and all(
        SLACK_KEY not in emitter + error and "S3KRET" not in emitter + error for emitter, error in stored
    )
    assert stored[0][0] == "webhook:http://127.0.0.1:1/services/T0001/B0001/***?code=***&page=2"
    later = _kamengine("deliver", "--db", str(db))  # the key is not in the store: say so, never post "***"
    assert later.exit_code == 1 and "is not stored" in later.stderr and SLACK_KEY not in later.output
