"""``kamengine serve`` and the nightly ``kamengine batch`` on one store, with people deciding through the API all night.

Eight clients accept, complete, dismiss, snooze and reopen advice for the whole of each run, ten
nights in a row: every night the batch finishes, every decision answered 200 is in the store,
and no recommendation a person decided is reopened by that night's run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from serving import free_port
from support import REPO

SCRIPT = Path(sys.executable).parent / "kamengine"
EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]
COPIES = 4  # of each bundled account: 16 accounts a night, 2-4 s with the eight deciding on 2 cores
NIGHTS = 10
CLIENTS = 8
FIRST_NIGHT = dt.date(2026, 11, 20)  # the bundled exports' date; each night one day on, all before today
#: What a person may do next with advice in each status (a person's decision always changes it).
NEXT = {
    "open": ("accept", "done", "dismiss", "snooze"),
    "accepted": ("done", "dismiss", "snooze"),
    "snoozed": ("done", "dismiss"),
    "done": ("reopen",),
    "dismissed": ("reopen",),
}
STATUS = {"accept": "accepted", "done": "done", "dismiss": "dismissed", "snooze": "snoozed", "reopen": "open"}


def _export(folder: Path, night: dt.date) -> None:
    """The portfolio as a CRM exports it on ``night``: every bundled account, ``COPIES`` times under other ids."""
    folder.mkdir(exist_ok=True)
    for path in EXAMPLES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for copy in range(COPIES):
            data["as_of"] = night.isoformat()
            account = {**data["account"], "id": f"{path.stem}-{copy}"}
            text = json.dumps({**data, "account": account}, default=str)
            (folder / f"{path.stem}-{copy}.json").write_text(text, encoding="utf-8")


@contextmanager
def _serving(db: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [SCRIPT, "--config", "/dev/null", "serve", "--no-auth", "--port", str(port), "--db", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(30)


@dataclass
class _Person:
    """One client deciding on its own share of the advice (so each decision's outcome is known)."""

    url: str
    known: dict[str, str]  # recommendation id -> its status after this person's last decision answered 200
    rng: random.Random
    answered: list[tuple[str, str]] = field(default_factory=list)  # (id, status) of every 200
    unexpected: list[str] = field(default_factory=list)

    def decide_until(self, night_over: threading.Event) -> None:
        until = (dt.date.today() + dt.timedelta(days=60)).isoformat()  # sleeps past every night of the test
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not night_over.is_set():
                rec = self.rng.choice(sorted(self.known))
                verb = self.rng.choice(NEXT[self.known[rec]])
                body = {"reason": "decided at night"} | ({"until": until} if verb == "snooze" else {})
                time.sleep(0.04)  # a fast pace still, and the eight leave the batch its share of two cores
                answer = client.post(f"/v1/recommendations/{rec}/{verb}", json=body)
                if answer.status_code == 200:
                    self.known[rec] = STATUS[verb]
                    self.answered.append((rec, STATUS[verb]))
                elif answer.status_code == 409 and "is resolved" in answer.text:  # the night resolved it
                    self.known.pop(rec)
                    if not self.known:
                        return
                else:
                    self.unexpected.append(f"{verb} {rec}: {answer.status_code} {answer.text[:200]}")
                    return


def _batch(folder: Path, db: Path) -> subprocess.Popen[str]:
    command = [SCRIPT, "--config", "/dev/null", "batch", "--source", f"file:{folder}", "--db", db, "--workers", "1"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _rows(db: Path, query: str, args: list[str] | tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(query, args).fetchall()


def test_people_deciding_all_night_never_end_the_batch_nor_lose_a_decision(tmp_path: Path) -> None:
    db, folder = tmp_path / "k.db", tmp_path / "export"
    _export(folder, FIRST_NIGHT)
    first = _batch(folder, db)
    assert first.wait(120) == 0, first.communicate()[1]
    live = [rec for (rec,) in _rows(db, "select id from recommendations where status = 'open' order by id")]
    assert len(live) >= 200
    random.Random(7).shuffle(live)
    people = [_Person("", {rec: "open" for rec in live[n::CLIENTS]}, random.Random(n)) for n in range(CLIENTS)]
    decided: set[str] = set()
    with _serving(db) as url:
        for night in range(1, NIGHTS + 1):
            _export(folder, FIRST_NIGHT + dt.timedelta(days=night))
            night_over = threading.Event()
            threads = []
            for person in people:
                person.url = url
                threads.append(threading.Thread(target=person.decide_until, args=(night_over,)))
                threads[-1].start()
            batch = _batch(folder, db)
            _, stderr = batch.communicate(timeout=180)
            night_over.set()
            for thread in threads:
                thread.join(60)
            assert batch.returncode == 0, f"night {night}: {stderr}"
            assert "busy" not in stderr
            assert not [line for person in people for line in person.unexpected]
            decided |= {rec for person in people for rec, _ in person.answered}
            (run_id,) = _rows(db, "select id from runs order by started_at desc limit 1")[0]
            # No advice a person decided was reopened by the night's run.
            reopened = _rows(
                db,
                "select distinct recommendation_id from status_history where by = 'kamengine' and status = 'open'"
                " and run_id = ?",
                [run_id],
            )
            assert not {rec for (rec,) in reopened} & decided, f"night {night}"
            # Every decision answered 200 is in the store, and where each person left it the store has it.
            answered = [pair for person in people for pair in person.answered]
            history = _rows(db, "select recommendation_id, status from status_history where by != 'kamengine'")
            assert sorted(history) == sorted(answered)
            stored = dict(_rows(db, "select id, status from recommendations"))
            for person in people:
                for rec, status in person.known.items():
                    assert stored[rec] == status or (
                        status in ("open", "accepted", "snoozed") and stored[rec] == "resolved"
                    )
    assert len(decided) > CLIENTS * NIGHTS  # the people did decide, all night
