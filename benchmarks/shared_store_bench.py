"""The nightly batch and people deciding through ``kamengine serve`` on one store: what each costs the other.

Run: python benchmarks/shared_store_bench.py [--accounts 1000] [--clients 8] [--pause 0.05]
Writes a generated portfolio (fixed seed) as JSON Lines, runs a first night, starts ``serve``
on 127.0.0.1, then times the second night alone and with ``--clients`` people deciding
(accept, done, dismiss, snooze, reopen) every ``--pause`` seconds for the whole night. Prints
each night's seconds and exit code, and the decisions' count, errors and latency (p50, p99,
max): a decision waits for the write lock a group of accounts holds (up to a second).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from portfolio import portfolio

SCRIPT = Path(sys.executable).parent / "kamengine"
NEXT = {"open": ("accept", "done", "dismiss", "snooze"), "accepted": ("done", "snooze"), "snoozed": ("done",)}
NEXT |= {"done": ("reopen",), "dismissed": ("reopen",)}
STATUS = {"accept": "accepted", "done": "done", "dismiss": "dismissed", "snooze": "snoozed", "reopen": "open"}


def night(source: Path, db: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    env = {**os.environ, "KAMENGINE_DISABLE_PLUGINS": "1"}
    args = [SCRIPT, "--config", "/dev/null", "batch", "--source", f"jsonl:{source}", "--db", db, "--workers", "2"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode, done.stderr.strip().splitlines()[-1]


def person(url: str, known: dict[str, str], pause: float, over: threading.Event, seed: int, out: list[float]) -> None:
    """Decide on ``known`` (id -> status) until ``over``; each decision's seconds into ``out`` (-1: not a 200)."""
    rng, until = random.Random(seed), (dt.date.today() + dt.timedelta(days=60)).isoformat()
    with httpx.Client(base_url=url, timeout=120) as client:
        while not over.is_set() and known:
            rec = rng.choice(sorted(known))
            verb = rng.choice(NEXT[known[rec]])
            body = {"reason": "bench"} | ({"until": until} if verb == "snooze" else {})
            started = time.perf_counter()
            answer = client.post(f"/v1/recommendations/{rec}/{verb}", json=body)
            if answer.status_code == 200:
                known[rec] = STATUS[verb]
                out.append(time.perf_counter() - started)
            elif answer.status_code == 409:  # resolved by the night: not this person's any more
                known.pop(rec)
            else:
                out.append(-1.0)
            time.sleep(pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pause", type=float, default=0.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source, db = Path(folder) / "portfolio.jsonl", Path(folder) / "k.db"
        snapshots = portfolio(args.accounts, 30)

        def export(as_of: dt.date) -> None:
            with source.open("w", encoding="utf-8") as stream:
                for snapshot in snapshots:
                    stream.write(json.dumps({**snapshot, "as_of": as_of.isoformat()}) + "\n")

        first = dt.date(2026, 11, 20)
        export(first)
        print(f"first night, {args.accounts} accounts: {night(source, db)[0]:.1f} s")
        with closing(sqlite3.connect(db)) as conn:
            live = [r for (r,) in conn.execute("select id from recommendations where status = 'open' order by id")]
        random.Random(7).shuffle(live)
        export(first + dt.timedelta(days=1))
        alone = night(source, db)
        print(f"second night alone: {alone[0]:.1f} s, exit {alone[1]}: {alone[2]}")
        port = 8765 + random.Random().randrange(1000)
        server = subprocess.Popen(
            [SCRIPT, "--config", "/dev/null", "serve", "--no-auth", "--port", str(port), "--db", db],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    httpx.get(f"{url}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            export(first + dt.timedelta(days=2))
            over, times = threading.Event(), [list[float]() for _ in range(args.clients)]
            people = [
                threading.Thread(
                    target=person,
                    args=(url, {r: "open" for r in live[n :: args.clients]}, args.pause, over, n, times[n]),
                )
                for n in range(args.clients)
            ]
            for thread in people:
                thread.start()
            busy = night(source, db)
            over.set()
            for thread in people:
                thread.join()
        finally:
            server.terminate()
            server.wait(30)
        answered = sorted(t for part in times for t in part if t >= 0)
        errors = sum(1 for part in times for t in part if t < 0)
        print(f"third night, {args.clients} people deciding: {busy[0]:.1f} s, exit {busy[1]}: {busy[2]}")
        if answered:
            p99 = answered[min(len(answered) - 1, int(len(answered) * 0.99))]
            p50, top = statistics.median(answered), answered[-1]
            print(
                f"decisions: {len(answered)} answered 200, {errors} not; latency p50"
                f" {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {top * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
