"""Nightly delivery: each emitter gets what changed since its last delivery, in chunks, and nothing is lost."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from click.testing import CliRunner, Result
from kamengine.cli import main
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


class Hook:
    """A webhook receiver on 127.0.0.1: answers each POST with the next of ``answers`` (then 204), keeps the bodies."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []
        self.keys: list[str] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = hook.answers.pop(0) if hook.answers else 204
                if code < 300:
                    hook.bodies.append(json.loads(body))
                    hook.keys.append(self.headers["Idempotency-Key"])
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def items(self) -> list[dict[str, Any]]:
        """Every recommendation received since the last call."""
        received = [item for body in self.bodies for item in body["recommendations"]]
        self.bodies.clear()
        return received


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _portfolio(folder: Path, count: int, name: str = "Account") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for index in range(count):
        data["account"]["id"] = f"acct-{index:02d}"
        data["account"]["name"] = f"{name} {index}" if index == 0 else f"Account {index}"
        (folder / f"{index:02d}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    return folder


def _run(tmp_path: Path, *args: str, chunk: int = 500) -> Result:
    config = tmp_path / "kamengine.toml"
    config.write_text(f"[limits]\nwebhook_chunk = {chunk}\n", encoding="utf-8")
    return CliRunner().invoke(main, ["--config", str(config), *args])


def _batch(tmp_path: Path, *emits: str, chunk: int = 500) -> Result:
    args = ["batch", "--source", f"file:{tmp_path / 'p'}", "--db", str(tmp_path / "k.db"), "--workers", "1"]
    return _run(tmp_path, *args, *(a for e in emits for a in ("--emit", e)), chunk=chunk)


def _live(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "k.db") as conn:
        query = "select id, status from recommendations where status in ('open', 'accepted', 'snoozed') order by id"
        return conn.execute(query).fetchall()


def test_the_first_delivery_sends_the_live_set_in_chunks_and_a_rerun_sends_nothing(tmp_path: Path, hook: Hook) -> None:
    _portfolio(tmp_path / "p", 2)
    first = _batch(tmp_path, f"webhook:{hook.url}", chunk=10)
    assert first.exit_code == 0, first.output
    live = _live(tmp_path)
    total = -(-len(live) // 10)
    assert [(b["delivery"], b["chunk"], b["chunks"]) for b in hook.bodies] == [
        ("1", n, total) for n in range(1, total + 1)
    ]
    assert all(len(b["recommendations"]) <= 10 for b in hook.bodies) and len(set(hook.keys)) == total
    items = hook.items()
    assert sorted((i["id"], i["status"]) for i in items) == live
    assert {i["event"] for i in items} == {"new"} and all(i["account_name"] for i in items)
    assert f"delivered via webhook:{hook.url} ({len(live)} new, 0 changed, 0 closed): " in first.stderr
    assert f"{len(live)} changes posted to {hook.url} in {total} chunks" in first.stderr

    again = _batch(tmp_path, f"webhook:{hook.url}", chunk=10)
    assert again.exit_code == 0, again.output
    assert hook.items() == []
    assert "(0 new, 0 changed, 0 closed): nothing changed since the last delivery" in again.stderr


def test_closed_and_changed_recommendations_are_delivered_as_such(tmp_path: Path, hook: Hook) -> None:
    _portfolio(tmp_path / "p", 2)
    assert _batch(tmp_path, f"webhook:{hook.url}").exit_code == 0
    first = {i["id"]: i for i in hook.items()}
    dismissed = next(i for i in first.values() if i["account_id"] == "acct-01")
    result = _run(tmp_path, "recs", "dismiss", dismissed["id"], "--reason", "not now", "--db", str(tmp_path / "k.db"))
    assert result.exit_code == 0, result.output
    _portfolio(tmp_path / "p", 2, name="Renamed")  # acct-00's name is in every one of its recommendations

    second = _batch(tmp_path, f"webhook:{hook.url}")
    assert second.exit_code == 0, second.output
    events = {(i["id"], i["event"], i["status"]) for i in hook.items()}
    renamed = {(i, "changed", "open") for i, r in first.items() if r["account_id"] == "acct-00"}
    assert events == {*renamed, (dismissed["id"], "closed", "dismissed")}
    assert (
        f"({len(renamed)} new, " not in second.stderr and f"(0 new, {len(renamed)} changed, 1 closed)" in second.stderr
    )


def test_a_failed_chunk_keeps_what_went_through_and_deliver_sends_the_rest(tmp_path: Path) -> None:
    _portfolio(tmp_path / "p", 1)
    hook = Hook(204, 400)  # the second chunk is refused (a client error: not retried)
    try:
        failed = _batch(tmp_path, f"webhook:{hook.url}", chunk=5)
        assert failed.exit_code == 1
        assert "NOT delivered" in failed.stderr and "POST of chunk 2 of " in failed.stderr
        assert "HTTP 400 Bad Request; chunks 1-1 went through" in failed.stderr
        sent = [i["id"] for i in hook.items()]
        assert len(sent) == 5
        retried = _run(tmp_path, "deliver", "--db", str(tmp_path / "k.db"), chunk=5)
        assert retried.exit_code == 0, retried.output
        rest = [i["id"] for i in hook.items()]
    finally:
        hook.server.shutdown()
        hook.server.server_close()
    assert sorted(sent + rest) == [rec_id for rec_id, _ in _live(tmp_path)]  # each once, none lost


def test_the_calendar_stays_whole_and_cancels_what_closed(tmp_path: Path) -> None:
    _portfolio(tmp_path / "p", 1)
    calendar = tmp_path / "visits.ics"
    first = _batch(tmp_path, f"ics:{calendar}")
    assert first.exit_code == 0, first.output
    events = _events(calendar)
    invitation = next(e for e in events.values() if str(e["categories"].cats[0]) == "exhibition_invite")
    assert str(invitation["summary"]).startswith("Account 0: Invite ")  # an invitation is an event on its date
    assert "Account: Account 0 (acct-00)" in str(invitation["description"])
    assert str(invitation["attendee"]).startswith("urn:kamengine:member:")
    assert {int(e["sequence"]) for e in events.values()} == {0}
    for rec_id in _meeting(tmp_path, str(invitation["uid"])):  # the invitation and what it carries
        dismissed = _run(tmp_path, "recs", "dismiss", rec_id, "--reason", "no fair", "--db", str(tmp_path / "k.db"))
        assert dismissed.exit_code == 0, dismissed.output

    second = _batch(tmp_path, f"ics:{calendar}")
    assert second.exit_code == 0, second.output
    after = _events(calendar)
    assert after.keys() == events.keys()  # the whole calendar, not only tonight's change
    cancelled = after[str(invitation["uid"])]
    assert (str(cancelled["status"]), int(cancelled["sequence"])) == ("CANCELLED", 1)
    assert f"{len(events)} proposed meetings (1 of them cancelled)" in second.stderr
    written = calendar.read_bytes()
    third = _batch(tmp_path, f"ics:{calendar}")
    assert f"nothing changed since the last delivery; {calendar} left as it was" in third.stderr
    assert calendar.read_bytes() == written


def _events(path: Path) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in calendar.walk() if e.name == "VEVENT"}


def _meeting(tmp_path: Path, uid: str) -> list[str]:
    """The recommendations of the approach an event stands for."""
    with sqlite3.connect(tmp_path / "k.db") as conn:
        rows = conn.execute("select id from recommendations where approach = ?", [uid.split("@")[0]]).fetchall()
    return [row[0] for row in rows]


def test_a_delivery_whose_emitter_is_gone_is_not_compared_and_stays_pending(tmp_path: Path) -> None:
    _portfolio(tmp_path / "p", 1)
    assert _batch(tmp_path, f"jsonl:{tmp_path / 'out.jsonl'}").exit_code == 0
    with sqlite3.connect(tmp_path / "k.db") as conn:  # the plugin that made it was uninstalled since
        conn.execute("update deliveries set emitter = 'gone:x', status = 'pending'")
    result = _run(tmp_path, "deliver", "--db", str(tmp_path / "k.db"))
    assert result.exit_code == 1
    assert "NOT delivered via gone:x (" in result.stderr and "; not compared): " in result.stderr
    with sqlite3.connect(tmp_path / "k.db") as conn:
        assert conn.execute("select status from deliveries").fetchall() == [("pending",)]


def _summaries(calendar: Path) -> list[str]:
    return [str(e["summary"]) for e in icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")]


def test_the_calendar_keeps_an_account_that_failed_tonight_and_another_source_s(tmp_path: Path) -> None:
    folder, other = tmp_path / "export", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    for path in sorted((REPO / "examples" / "portfolio").glob("*.yaml")):
        (folder / path.name).write_bytes(path.read_bytes())
    (other / "acme.yaml").write_bytes(EXAMPLE.read_bytes())
    db, calendar = tmp_path / "k.db", tmp_path / "team.ics"

    def night(source: Path) -> Result:
        return CliRunner().invoke(
            main,
            ["batch", "--source", f"file:{source}", "--db", str(db), "--workers", "1", "--emit", f"ics:{calendar}"],
        )

    assert night(folder).exit_code == 0
    initech = [s for s in _summaries(calendar) if s.startswith("Initech")]
    assert initech
    listed = json.loads(CliRunner().invoke(main, ["recs", "list", "--db", str(db), "-L", "0", "-f", "json"]).output)
    umbrella = next(r["id"] for r in listed if r["account_id"] == "umbrella-health")
    assert CliRunner().invoke(main, ["recs", "done", umbrella, "--db", str(db)]).exit_code == 0
    good = (folder / "initech.yaml").read_bytes()
    (folder / "initech.yaml").write_text("as_of: [\n", encoding="utf-8")  # tonight's export of it is broken
    broken = night(folder)
    assert broken.exit_code == 1 and "initech.yaml" in broken.output
    assert [s for s in _summaries(calendar) if s.startswith("Initech")] == initech  # still in the calendar
    (folder / "initech.yaml").write_bytes(good)
    assert night(folder).exit_code == 0
    assert [s for s in _summaries(calendar) if s.startswith("Initech")] == initech
    assert night(other).exit_code == 0  # another source writing the same calendar adds to it
    summaries = _summaries(calendar)
    assert any(s.startswith("ACME Telecom") for s in summaries) and any(s.startswith("Initech") for s in summaries)


def test_a_decision_on_an_account_tonight_did_not_advise_reaches_the_calendar(tmp_path: Path) -> None:
    folder, other = tmp_path / "export", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    (folder / "initech.yaml").write_bytes((REPO / "examples" / "portfolio" / "initech.yaml").read_bytes())
    (other / "acme.yaml").write_bytes(EXAMPLE.read_bytes())
    db, calendar = tmp_path / "k.db", tmp_path / "team.ics"
    emit = ["--db", str(db), "--workers", "1", "--emit", f"ics:{calendar}"]
    assert CliRunner().invoke(main, ["batch", "--source", f"file:{folder}", *emit]).exit_code == 0
    meeting = str(icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")[0]["uid"]).split("@")[0]
    listed = json.loads(CliRunner().invoke(main, ["recs", "list", "--db", str(db), "-L", "0", "-f", "json"]).output)
    ids = [r["id"] for r in listed if r["approach"] == meeting]
    dismissed = CliRunner().invoke(main, ["recs", "dismiss", *ids, "--reason", "not now", "--db", str(db)])
    assert ids and dismissed.exit_code == 0
    # Tonight's run is another source's: Initech is not advised, but the meeting people called off is news.
    assert CliRunner().invoke(main, ["batch", "--source", f"file:{other}", *emit]).exit_code == 0
    events = icalendar.Calendar.from_ical(calendar.read_bytes()).walk("VEVENT")
    cancelled = [str(e["uid"]).split("@")[0] for e in events if str(e.get("status")) == "CANCELLED"]
    assert cancelled == [meeting]
