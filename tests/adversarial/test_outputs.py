"""What kamengine writes and sends: only where it was told, without secrets, safe to open, never half a file."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.engine.plugin import write_atomically
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


class Server:
    """A local HTTP server (127.0.0.1) that records requests and answers as told."""

    def __init__(self, answer: str = "ok", location: str = "") -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.requests.append((self.command, dict(self.headers), self.rfile.read(length)))
                if answer == "redirect":
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.end_headers()
                elif answer == "drip":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(1000):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                else:
                    self.send_response(200)
                    self.end_headers()

            do_POST = do_GET = _record

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.close()


def _kamengine(*args: str, config: Path | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--config", str(config or "/dev/null"), *args], env=env)


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(servers: list[Server]) -> None:
    elsewhere = Server()
    servers.append(elsewhere)
    redirecting = Server("redirect", elsewhere.url)
    servers.append(redirecting)
    target = redirecting.url.replace("http://", "http://user:secret@")
    result = _kamengine("advise", str(EXAMPLE), "--emit", f"webhook:{target}", env={"KAMENGINE_WEBHOOK_SECRET": "s"})
    assert result.exit_code == 1
    assert "HTTP 302: redirected to http://127.0.0.1:" in result.stderr and "not followed" in result.stderr
    assert [r[0] for r in redirecting.requests] == ["POST"] and elsewhere.requests == []
    assert "secret" not in result.output


def test_a_dripping_server_fails_the_delivery_by_its_deadline(servers: list[Server], tmp_path: Path) -> None:
    dripping = Server("drip")
    servers.append(dripping)
    config = tmp_path / "kamengine.toml"
    config.write_text("[limits]\ndelivery_seconds = 2\n", encoding="utf-8")
    started = time.monotonic()
    result = _kamengine("advise", str(EXAMPLE), "--emit", f"webhook:{dripping.url}", "--emit", "json", config=config)
    assert time.monotonic() - started < 15
    assert result.exit_code == 1 and "no answer within 2 s ([limits] delivery_seconds)" in result.stderr
    assert json.loads(result.stdout)  # the emitter after it delivered
    # An attempt has a deadline of its own: a dripping answer is given up on and tried again, not waited out.
    config.write_text("[limits]\ndelivery_seconds = 5\nattempt_seconds = 1\n", encoding="utf-8")
    before = len(dripping.requests)
    result = _kamengine("advise", str(EXAMPLE), "--emit", f"webhook:{dripping.url}", config=config)
    assert result.exit_code == 1 and "no whole answer within 1 s ([limits] attempt_seconds)" in result.stderr
    assert len(dripping.requests) - before >= 2, result.stderr


def test_credentials_are_never_printed_or_stored_and_come_from_the_environment_later(
    servers: list[Server], tmp_path: Path
) -> None:
    server = Server()
    servers.append(server)
    port = server.url.split(":")[2].split("/")[0]
    closed = "http://user:hunter2@127.0.0.1:1/hook?token=abc123"
    db = tmp_path / "k.db"
    result = _kamengine("batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--emit", f"webhook:{closed}")
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "abc123" not in result.output
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select emitter, last_error from deliveries").fetchall()
    assert stored and all("hunter2" not in str(row) and "abc123" not in str(row) for row in stored)
    assert stored[0][0] == "webhook:http://***@127.0.0.1:1/hook?token=***"
    with sqlite3.connect(db) as conn:  # the receiver moved: point the pending delivery at the test server
        conn.execute("update deliveries set emitter = ?", [f"webhook:http://***@127.0.0.1:{port}/hook"])
    missing = _kamengine("deliver", "--db", str(db))
    assert missing.exit_code == 1 and "KAMENGINE_WEBHOOK_AUTH=user:password" in missing.stderr
    delivered = _kamengine("deliver", "--db", str(db), env={"KAMENGINE_WEBHOOK_AUTH": "user:hunter2"})
    assert delivered.exit_code == 0, delivered.output
    (_, headers, _), *_ = server.requests
    assert headers["Authorization"] == "Basic dXNlcjpodW50ZXIy"


def _hostile_example(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["contacts"][0]["name"] = '=HYPERLINK("http://evil.example","click")'
    data["contacts"][1]["name"] = "Ana\r\nRuiz\x1b[2J\x1b[31m"
    data["contacts"][2]["name"] = "Lena\r=1+1"  # a bare carriage return: a new row to a spreadsheet
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    result = _kamengine("advise", str(_hostile_example(tmp_path)), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    titles = [r["title"] for r in rows if "HYPERLINK" in r["title"]]
    assert titles and all(not t.startswith(("=", "+", "-", "@")) for t in titles)
    formulas = [cell for row in rows for cell in row.values() if cell and cell.startswith(("=", "+", "-", "@"))]
    assert formulas == []
    for command in (
        ["advise", str(_hostile_example(tmp_path))],
        ["plan", str(_hostile_example(tmp_path)), "--week", "all"],
    ):
        raw = _kamengine(*command, "-f", "csv").stdout
        widths = {len(row) for row in csv.reader(io.StringIO(raw, newline=""))}
        assert len(widths) == 1, widths  # every row as wide as the header: no cell split a row
        cells = [cell for row in csv.reader(io.StringIO(raw, newline="")) for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_control_characters_are_shown_not_acted_on(tmp_path: Path) -> None:
    hostile = str(_hostile_example(tmp_path))
    for output in ("table", "markdown"):
        text = _kamengine("advise", hostile, "-f", output).stdout
        assert "\x1b" not in text and "\r" not in text
        assert "Ana\\r\\nRuiz\\x1b[2J" in text
    planned = _kamengine("plan", hostile, "--week", "all").stdout
    assert "\x1b" not in planned and "\r" not in planned


def test_a_file_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "advice.json"
    target.write_text("yesterday's advice", encoding="utf-8")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, "today's advice")
    assert target.read_text(encoding="utf-8") == "yesterday's advice"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["advice.json"]
    monkeypatch.undo()
    result = _kamengine("advise", str(EXAMPLE), "--emit", f"json:{target}")
    assert result.exit_code == 0 and json.loads(target.read_text(encoding="utf-8"))


def test_secrets_under_any_name_in_a_query_are_hidden_and_a_stored_one_is_not_posted(tmp_path: Path) -> None:
    hook = "http://127.0.0.1:1/hook?access_token=SEKRET1&client_secret=SEKRET2&api-key=SEKRET3&page=2"
    db = tmp_path / "k.db"
    result = _kamengine("batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--emit", f"webhook:{hook}")
    assert result.exit_code == 1 and "SEKRET" not in result.output
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("select emitter from deliveries").fetchone()
    assert stored == "webhook:http://127.0.0.1:1/hook?access_token=***&client_secret=***&api-key=***&page=2"
    later = _kamengine("deliver", "--db", str(db))  # the secret is gone: say so, never post "***" as it
    assert later.exit_code == 1 and "the secret in the query of" in later.stderr and "is not stored" in later.stderr
    from kamengine.engine.delivery.secrets import redact

    plain = "http://127.0.0.1:1/hook?assignee=li&author=x&keyword=y&zipcode=8000&page=2"
    assert redact(plain) == plain  # names that only contain a secret's word keep their values
    assert redact("http://h/?accessToken=a&X-Amz-Signature=b") == "http://h/?accessToken=***&X-Amz-Signature=***"


def test_control_characters_in_data_never_reach_the_terminal_through_a_message(tmp_path: Path) -> None:
    hostile = "evil\x1b[2J\x1b]0;title\x07\r\nFAKE: all good\u202e"
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["account"]["id"] = hostile
    line = json.dumps(data, default=str)
    source = tmp_path / "twice.jsonl"
    source.write_text(line + "\n" + line + "\n", encoding="utf-8")
    for command in (
        ["advise", "--source", f"jsonl:{source}"],
        ["batch", "--source", f"jsonl:{source}", "--db", str(tmp_path / "k.db")],
    ):
        result = _kamengine(*command)
        assert result.exit_code == 1 and "is already at" in result.stderr
        assert not set(result.stderr) & {"\x1b", "\x07", "\r", "\u202e"}, result.stderr
        assert not any(line.startswith("FAKE") for line in result.stderr.splitlines())
        assert "evil\\x1b[2J\\x1b]0;title\\x07\\r\\nFAKE: all good\\u202e" in result.stderr
