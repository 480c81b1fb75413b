"""End-to-end throughput of ``kamengine batch`` into SQLite, per worker count, and of a re-run.

Run: python benchmarks/batch_bench.py [--accounts 20000] [--contacts 30] [--emit ics --emit webhook] [--nights N]
Writes a generated portfolio (fixed seed) as JSON Lines, then times the installed command:
1 worker, 2 workers, and 2 workers again over the same store (the idempotent nightly re-run).
Prints accounts/s, the speed-up from 1 to 2 workers, and the peak RSS of the batch process
and of each worker (VmHWM, sampled from /proc while the run goes on, and the batch process's
``ru_maxrss`` when it exits); with emitters, also the largest the store's write-ahead log grew
(sampled), which is disk the night needs beside the store.

With ``--emit`` the runs deliver through emitters: ``ics`` writes a calendar in the
temporary folder, ``webhook`` posts to an HTTP sink the benchmark starts on 127.0.0.1 (it
reads and discards every body); ``NAME:TARGET`` is passed on as it is. Only the two-worker
runs are made then: the first night (everything is new) and the re-run (nothing changed).

With ``--nights N`` the store is first given N-1 earlier nights of stance history (synthetic,
written straight into the store as the installed code keeps it: a row per contact per night, or
changes only where the store has ``stance_nights``; about 1 contact in 50 changes a night), then
times the stance read every worker does per account (CPU ms/account, in this process) and the
2-worker night N (workers' and writer's CPU ms/account). To time other code, put its checkout
first on ``PYTHONPATH`` (a folder holding ``kamengine/``, e.g. a ``git worktree`` of the baseline).

``--against REF``: the same benchmark, this script, run in REF's install (``against.py`` makes its worktree
and venv) and in this checkout's, ``--processes`` times each (default 3), interleaved, the side going
first alternating; prints each figure's median for both and now / ref: accounts/s, the writer's (the
batch process's) and the workers' CPU ms per account, per run (and the stance read with ``--nights``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio import portfolio

SCRIPT = Path(sys.executable).parent / "kamengine"


def _peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class Sink:
    """An HTTP receiver on 127.0.0.1 that reads every POST body, counts it and throws it away."""

    def __init__(self) -> None:
        self.posts, self.bytes, self.largest = 0, 0, 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                left = int(self.headers.get("Content-Length", 0))
                size = left
                while left:
                    left -= len(self.rfile.read(min(left, 1 << 20)))
                sink.posts, sink.bytes, sink.largest = sink.posts + 1, sink.bytes + size, max(sink.largest, size)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> str:
        """What was received since the last call, in one phrase."""
        said = f"{self.posts} POSTs, {self.bytes / 1e6:.1f} MB, largest body {self.largest / 1e6:.1f} MB"
        self.posts, self.bytes, self.largest = 0, 0, 0
        return said


def run(source: Path, db: Path, workers: int, accounts: int, emits: tuple[str, ...] = ()) -> dict[str, float]:
    env = {**os.environ, "KAMENGINE_DISABLE_PLUGINS": "1"}
    args = [str(SCRIPT), "batch", "--source", f"jsonl:{source}", "--db", str(db), "--workers", str(workers)]
    for spec in emits:
        args += ["--emit", spec]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    main_peak, main_cpu, wal_peak = 0, 0.0, 0
    worker_peaks: dict[int, int] = {}
    worker_cpu: dict[int, float] = {}
    wal = db.with_name(db.name + "-wal")
    status, usage = 0, None
    while usage is None:
        main_peak = max(main_peak, _peak_kb(process.pid))
        with contextlib.suppress(OSError):  # the log comes and goes with the store's connections
            wal_peak = max(wal_peak, wal.stat().st_size)
        main_cpu = max(main_cpu, _cpu_seconds(process.pid))
        for child in _children(process.pid):
            worker_peaks[child] = max(worker_peaks.get(child, 0), _peak_kb(child))
            worker_cpu[child] = max(worker_cpu.get(child, 0.0), _cpu_seconds(child))
        time.sleep(0.2)
        # wait4 rather than poll: the exact peak of the batch process (and of its workers, if
        # one was larger), including its last moments, when it delivers.
        pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
        usage = rusage if pid else None
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else ""
    # 1: an account or a delivery failed (the figures still count); anything else: the run broke.
    if process.returncode not in (0, 1) or (process.returncode == 1 and not emits):
        raise SystemExit(f"batch failed ({process.returncode}): {errors}")
    for line in errors.splitlines():
        if "delivered via" in line or "failed:" in line:
            print(f"    {line.strip()}")
    return {
        "seconds": elapsed,
        "accounts_per_s": accounts / elapsed,
        "main_peak_mb": max(main_peak, usage.ru_maxrss) / 1024,
        "worker_peak_mb": max(worker_peaks.values(), default=0) / 1024,
        "wal_peak_mb": wal_peak / 1e6,
        # CPU milliseconds per account: the writer (this process) and all workers together,
        # sampled every 0.2 s, so the last moments of each process are missing.
        "main_cpu_ms": main_cpu / accounts * 1000,
        "worker_cpu_ms": sum(worker_cpu.values()) / accounts * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument(
        "--emit", action="append", default=[], metavar="NAME[:TARGET]", help="deliver through an emitter (repeatable)"
    )
    parser.add_argument("--nights", type=int, default=0, help="time night N of a store with N-1 nights of history")
    parser.add_argument("--against", metavar="REF", help="also run the benchmark in this commit's install")
    parser.add_argument("--processes", type=int, default=3, help="with --against: runs per side (default 3)")
    parser.add_argument("--json", action="store_true", help="print only the figures, as one JSON object")
    args = parser.parse_args()
    if args.against:
        from against import both

        both(__file__, sys.argv[1:], args.against, args.processes, width=40)
        return
    say = (lambda *a: None) if args.json else print
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "portfolio.jsonl"
        with source.open("w", encoding="utf-8") as stream:
            for start in range(0, args.accounts, 1000):  # generated in slices: flat memory here too
                for snapshot in portfolio(min(1000, args.accounts - start), args.contacts, seed=7 + start):
                    snapshot["account"]["id"] = f"acct-{start}-{snapshot['account']['id']}"
                    stream.write(json.dumps(snapshot) + "\n")
        say(f"{args.accounts} accounts x {args.contacts} contacts ({source.stat().st_size / 1e6:.0f} MB of JSON Lines)")
        if args.emit:
            emitting(source, Path(folder), args.accounts, args.emit)
            return
        if args.nights:
            figures = aged(source, Path(folder) / "aged.db", args.accounts, args.nights, say)
        else:
            figures = nights(source, Path(folder), args.accounts, say)
    if args.json:
        print(json.dumps(figures))


def nights(source: Path, folder: Path, accounts: int, say: Any) -> dict[str, float]:
    """1 worker, 2 workers, and the 2-worker re-run over the same store: printed, and their figures by name."""
    one = run(source, folder / "one.db", 1, accounts)
    two = run(source, folder / "two.db", 2, accounts)
    again = run(source, folder / "two.db", 2, accounts)
    say(
        f"{'run':<20} {'seconds':>8} {'accounts/s':>11} {'batch RSS MB':>13} {'worker RSS MB':>14}"
        f" {'batch CPU ms/acct':>18} {'workers CPU ms/acct':>20}"
    )
    figures: dict[str, float] = {}
    for name, run_figures in (("1 worker", one), ("2 workers", two), ("2 workers, re-run", again)):
        say(
            f"{name:<20} {run_figures['seconds']:>8.1f} {run_figures['accounts_per_s']:>11.0f} "
            f"{run_figures['main_peak_mb']:>13.0f} {run_figures['worker_peak_mb']:>14.0f}"
            f" {run_figures['main_cpu_ms']:>18.2f} {run_figures['worker_cpu_ms']:>20.2f}"
        )
        for figure, label in FIGURES.items():
            figures[f"{name}: {label}"] = run_figures[figure]
    say(f"speed-up 1 -> 2 workers: {one['seconds'] / two['seconds']:.2f}x")
    return figures


#: The figures of a run ``--against`` compares, and their names there.
FIGURES = {"accounts_per_s": "acc/s", "main_cpu_ms": "writer CPU ms/acct", "worker_cpu_ms": "workers CPU ms/acct"}


def aged(source: Path, db: Path, accounts: int, nights: int, say: Any = print) -> dict[str, float]:
    """Night ``nights`` of a store with the nights before it: the stance read and the batch, CPU per account."""
    from kamengine.engine.model.documents import parse
    from kamengine.engine.model.loading import snapshot_from_document
    from kamengine.engine.store.stances import StanceHistory
    from kamengine.engine.store.store import Store

    lines = source.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    rows, kind = _seed(Store(db), [json.loads(line) for line in lines], nights)
    say(f"{nights} nights: {rows:,} stance history rows ({kind}), seeded in {time.perf_counter() - started:.0f} s")
    snapshots = [snapshot_from_document(parse(line, f"line {n}")) for n, line in enumerate(lines, 1)]
    history = StanceHistory(str(db))
    history.fill(snapshots[0])  # the connection opens outside the timing
    cpu = time.process_time()
    for snapshot in snapshots:
        history.fill(snapshot)
    read_ms = (time.process_time() - cpu) / accounts * 1000
    history.close()
    night = run(source, db, 2, accounts)
    say(
        f"night {nights}: stance read {read_ms:.3f} CPU ms/acct; 2 workers {night['accounts_per_s']:.0f} accounts/s,"
        f" workers {night['worker_cpu_ms']:.2f} CPU ms/acct, batch (writer) {night['main_cpu_ms']:.2f} CPU ms/acct"
    )
    figures = {f"night {nights}: stance read CPU ms/acct": read_ms}
    return figures | {f"night {nights}, 2 workers: {label}": night[figure] for figure, label in FIGURES.items()}


def _seed(store: Any, snapshots: list[dict[str, Any]], nights: int) -> tuple[int, str]:
    """Write nights 1..N-1 before the snapshots' date into the store's stance history as the installed code keeps
    it; how many rows it then holds, and which way."""
    conn: sqlite3.Connection = store.db.conn
    changes_only = "stance_nights" in store.db.table_names()
    rng = random.Random(11)
    with conn:
        for snapshot in snapshots:
            account = snapshot["account"]["id"]
            last_night = dt.date.fromisoformat(snapshot["as_of"])
            dates = [(last_night - dt.timedelta(days=nights - n)).isoformat() for n in range(1, nights)]
            rows = []
            for person in snapshot["contacts"]:
                stance = person.get("stance", 0)
                for n, date in enumerate(dates):
                    changed = n == 0 or rng.random() < 0.02
                    if changed and n:
                        stance = rng.choice([s for s in (-1, 0, 1, 2, 3) if s != stance])
                    if changed or not changes_only:
                        rows.append((account, person["id"], date, stance))
            conn.executemany(
                "insert into stance_history (account_id, contact_id, as_of, stance) values (?, ?, ?, ?)", rows
            )
            if changes_only:
                conn.executemany(
                    "insert into stance_nights (account_id, as_of) values (?, ?)", [(account, d) for d in dates]
                )
    total = conn.execute("select count(*) from stance_history").fetchone()[0]
    store.close()
    return total, "changes only" if changes_only else "every contact every night"


def emitting(source: Path, folder: Path, accounts: int, names: list[str]) -> None:
    """The first night and the re-run with emitters on: what each delivered, and the batch process's peak."""
    sink, calendar = Sink(), folder / "visits.ics"
    targets = {"ics": f"ics:{calendar}", "webhook": f"webhook:{sink.url}"}
    emits = tuple(targets.get(name, name) for name in names)
    print(
        f"{'run':<20} {'seconds':>8} {'accounts/s':>11} {'batch RSS MB':>13} {'worker RSS MB':>14}"
        f" {'store WAL peak MB':>18}"
    )
    for name in ("2 workers", "2 workers, re-run"):
        print(name)
        figures = run(source, folder / "emit.db", 2, accounts, emits)
        print(
            f"{name:<20} {figures['seconds']:>8.1f} {figures['accounts_per_s']:>11.0f} "
            f"{figures['main_peak_mb']:>13.0f} {figures['worker_peak_mb']:>14.0f} {figures['wal_peak_mb']:>18.0f}"
        )
        if "webhook" in names:
            print(f"    webhook sink: {sink.take()}")
        if calendar.exists():
            print(f"    calendar: {calendar.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
