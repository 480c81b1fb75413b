"""End-to-end throughput of ``kamengine batch`` into SQLite, per worker count, and of a re-run.

Run: python benchmarks/batch_bench.py [--accounts 20000] [--contacts 30] [--emit ics --emit webhook] [--engine NAME]
                                      [--nights N [--repeats 1]] [--against REF [--processes 3]]
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

With ``--nights N`` (2 or more) three stores are seeded: one new, one with a night of stance history and one with
N-1 earlier nights (synthetic, written straight into the store as the installed code keeps it: changes only, about
1 contact in 50 changing a night); then the same 2-worker batch night runs on a copy of each, ``--repeats`` times
(default 3), the order rotating (``aged_store.py``). Prints the medians for night 1, night 2 and night N, and N / 1
and N / 2 (night 2 is the first with earlier stances, the same work as night N: ``aged_store.py`` says why both):
the stance read as the batch makes it and the on-demand refresh's read (CPU ms/account, in this process), and the
night's workers, batch process (the writer, which now also reads the stances) and both together, in CPU
ms/account net of one start-up, and accounts/s.

Every run's CPU is exact: the batch process's own and its workers' (the children it waited for), read from the
kernel once it has exited and before it is reaped. ``--engine NAME`` passes ``--engine NAME`` to every batch.

``--against REF``: the same benchmark, this script, run in REF's install (``against.py`` makes its worktree
and venv) and in this checkout's, ``--processes`` times each (default 3), interleaved, the side going
first alternating; prints each figure's median for both and now / ref: accounts/s, the writer's (the
batch process's) and the workers' CPU ms per account, per run (and the stance read with ``--nights``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import against
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


def _cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time a process has used so far (0 once it is gone); with ``children``, that of the
    children it has waited for (exact for an exited process not yet reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    first = 13 if children else 11
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


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


def run(
    source: Path,
    db: Path,
    workers: int,
    accounts: int,
    emits: tuple[str, ...] = (),
    script: Path | str = SCRIPT,
    extra: tuple[str, ...] = (),
) -> dict[str, float]:
    """One ``batch`` of ``source`` into ``db`` by ``script`` (default: this interpreter's install) with ``extra``
    options: its time, accounts/s, peak memory and CPU per account."""
    env = {**os.environ, "KAMENGINE_DISABLE_PLUGINS": "1"}
    args = [str(script), "batch", "--source", f"jsonl:{source}", "--db", str(db), "--workers", str(workers), *extra]
    for spec in emits:
        args += ["--emit", spec]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    main_peak, wal_peak = 0, 0
    worker_peaks: dict[int, int] = {}
    worker_cpu: dict[int, float] = {}
    wal = db.with_name(db.name + "-wal")
    exited = None
    while exited is None:
        main_peak = max(main_peak, _peak_kb(process.pid))
        with contextlib.suppress(OSError):  # the log comes and goes with the store's connections
            wal_peak = max(wal_peak, wal.stat().st_size)
        for child in _children(process.pid):
            worker_peaks[child] = max(worker_peaks.get(child, 0), _peak_kb(child))
            worker_cpu[child] = max(worker_cpu.get(child, 0.0), _cpu_seconds(child))
        time.sleep(0.2)
        # exited but not reaped (WNOWAIT): its /proc entry still holds its exact CPU and its reaped workers'
        exited = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    main_cpu = _cpu_seconds(process.pid)
    # a worker it did not wait for is not in its children's time: the samples stand in for those
    workers_cpu = max(_cpu_seconds(process.pid, children=True), sum(worker_cpu.values()))
    # wait4: the exact peak of the batch process (and of its workers, if one was larger), its last moments too
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else ""
    # 1: an account or a delivery failed (the figures still count); anything else: the run broke.
    if process.returncode not in (0, 1) or (process.returncode == 1 and not emits):
        said = errors.strip().splitlines()  # the end: a traceback's error, or the last failures and the summary
        more = f"... {len(said) - 6} lines before\n" if len(said) > 6 else ""
        raise SystemExit(f"batch failed ({process.returncode}):\n" + more + "\n".join(said[-6:]))
    for line in errors.splitlines():
        if "delivered via" in line or "failed:" in line:
            print(f"    {line.strip()}")
    return {
        "seconds": elapsed,
        "accounts_per_s": accounts / elapsed,
        "main_peak_mb": max(main_peak, usage.ru_maxrss) / 1024,
        "worker_peak_mb": max(worker_peaks.values(), default=0) / 1024,
        "wal_peak_mb": wal_peak / 1e6,
        # CPU milliseconds per account: the writer (the batch process) and all workers together
        "main_cpu_ms": main_cpu / accounts * 1000,
        "worker_cpu_ms": workers_cpu / accounts * 1000,
    }


def net(
    figures: dict[str, float],
    accounts: int,
    source: Path,
    folder: Path,
    script: Path | str = SCRIPT,
    extra: tuple[str, ...] = (),
) -> dict[str, float]:
    """``figures`` of a 2-worker run of ``accounts`` from ``source``, with its CPU per account less what a run of its
    first account alone costs (start-up: imports, playbooks, the workers' rulesets) as ``main_cpu_ms_net`` and
    ``worker_cpu_ms_net``: what each further account costs, whatever the portfolio's size."""
    one, db = folder / "first-account.jsonl", folder / "first-account.db"
    with source.open(encoding="utf-8") as stream:
        one.write_text(stream.readline(), encoding="utf-8")
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    alone = run(one, db, 2, 1, script=script, extra=extra)
    further = max(accounts - 1, 1)
    names = ("main_cpu_ms", "worker_cpu_ms")
    return (
        figures
        | {f"{name}_net": (figures[name] * accounts - alone[name]) / further for name in names}
        | {f"startup_{name}": alone[name] for name in names}  # the one account's run, CPU ms in all
    )


def night_runner(accounts: int, folder: Path, script: Path | str = SCRIPT, extra: tuple[str, ...] = ()) -> Any:
    """A 2-worker batch night of ``accounts`` for ``aged_store.aged``: (source, store) -> its figures, ``net``'s
    too (``folder`` holds the one-account run)."""

    def night(source: Path, db: Path) -> dict[str, float]:
        return net(run(source, db, 2, accounts, script=script, extra=extra), accounts, source, folder, script, extra)

    return night


def write_portfolio(source: Path, accounts: int, contacts: int) -> None:
    """The generated portfolio (fixed seed) as JSON Lines, in slices of 1,000 accounts: flat memory here too."""
    with source.open("w", encoding="utf-8") as stream:
        for start in range(0, accounts, 1000):
            for snapshot in portfolio(min(1000, accounts - start), contacts, seed=7 + start):
                snapshot["account"]["id"] = f"acct-{start}-{snapshot['account']['id']}"
                stream.write(json.dumps(snapshot) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument(
        "--emit", action="append", default=[], metavar="NAME[:TARGET]", help="deliver through an emitter (repeatable)"
    )
    parser.add_argument("--engine", help="the evaluator every batch runs with (default: the batch's default)")
    parser.add_argument("--nights", type=int, default=0, help="night 1 and night N (a store with N-1 nights before)")
    parser.add_argument("--repeats", type=int, default=3, help="with --nights: batch runs of each night (default 3)")
    against.add_options(parser, processes=3)
    args = parser.parse_args()
    if against.ran_both(__file__, args, width=40):
        return
    say = (lambda *a: None) if args.json else print
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "portfolio.jsonl"
        write_portfolio(source, args.accounts, args.contacts)
        say(f"{args.accounts} accounts x {args.contacts} contacts ({source.stat().st_size / 1e6:.0f} MB of JSON Lines)")
        if args.emit:
            emitting(source, Path(folder), args.accounts, args.emit)
            return
        extra = ("--engine", args.engine) if args.engine else ()
        if args.nights:
            from aged_store import aged

            night = night_runner(args.accounts, Path(folder), extra=extra)
            figures = aged(source, Path(folder), args.nights, args.repeats, night, say)
        else:
            figures = nights(source, Path(folder), args.accounts, say, extra)
    if args.json:
        print(json.dumps(figures))


def nights(source: Path, folder: Path, accounts: int, say: Any, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """1 worker, 2 workers, and the 2-worker re-run over the same store: printed, and their figures by name."""
    one = run(source, folder / "one.db", 1, accounts, extra=extra)
    two = run(source, folder / "two.db", 2, accounts, extra=extra)
    again = run(source, folder / "two.db", 2, accounts, extra=extra)
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
