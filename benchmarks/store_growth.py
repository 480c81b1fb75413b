"""What the store holds per account after each night, table by table, and what a night and a decision cost.

Run: python benchmarks/store_growth.py [--accounts 1000] [--contacts 30] [--nights 5]
Writes a generated portfolio (fixed seed, benchmarks/portfolio.py) as JSON Lines and runs the
installed ``kamengine batch --workers 2`` once a night, each night a day later with about one
contact in 50 changing stance. After each night it checkpoints the write-ahead log and prints
the store's size per account, what it grew by, and each table's share (indexes counted with
their table, from SQLite's ``dbstat``); and the CPU of the night per account (the batch process
and its workers together, from ``getrusage``). Then it times 1,000 decisions (accept, then done)
through the store's decision path in this process, without HTTP: the one writer's rate.
docs/scale.md multiplies these figures out to 200,000 accounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio import AS_OF, portfolio

SCRIPT = Path(sys.executable).parent / "kamengine"


def write_night(source: Path, snapshots: list[dict[str, Any]], night: int, rng: random.Random) -> None:
    """The portfolio as of ``night`` days after the first, about one contact in 50 with a new stance."""
    with source.open("w", encoding="utf-8") as stream:
        for snapshot in snapshots:
            snapshot["as_of"] = (AS_OF + dt.timedelta(days=night)).isoformat()
            for person in snapshot["contacts"] if night else ():
                if rng.random() < 0.02:
                    person["stance"] = rng.choice([s for s in (-1, 0, 1, 2, 3) if s != person["stance"]])
            stream.write(json.dumps(snapshot) + "\n")


def run_night(source: Path, db: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the batch process and its workers) and the summary line of one night."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    args = [str(SCRIPT), "batch", "--source", f"jsonl:{source}", "--db", str(db), "--workers", "2"]
    env = {**os.environ, "KAMENGINE_DISABLE_PLUGINS": "1"}
    done = subprocess.run(args, cwd=db.parent, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.stderr.strip().splitlines()[-1]


def table_bytes(db: Path) -> tuple[int, dict[str, int]]:
    """The store file's size after a checkpoint, and the bytes of each table with its indexes."""
    with sqlite3.connect(db) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")
        owner = dict(conn.execute("select name, tbl_name from sqlite_master"))
        tables: dict[str, int] = {}
        for name, size in conn.execute("select name, sum(pgsize) from dbstat group by name"):
            tables[owner.get(name, name)] = tables.get(owner.get(name, name), 0) + size
    return db.stat().st_size, tables


def decisions_per_second(db: Path, count: int) -> tuple[float, float]:
    """Decisions a second and CPU ms each through ``decide_logged`` (accept, then done), on a copy of the store."""
    from kamengine.engine.store.record_shapes import Logged
    from kamengine.engine.store.records import decide_logged
    from kamengine.engine.store.store import Store

    copy = db.with_name("decisions.db")
    with sqlite3.connect(db) as conn:
        conn.execute("vacuum into ?", [str(copy)])
        query = "select id from recommendations where status = 'open' order by id limit ?"
        ids = [row[0] for row in conn.execute(query, [count // 2])]
    store = Store(copy)
    logged = Logged("benchmark", "benchmark", b"{}")
    started, cpu = time.perf_counter(), time.process_time()
    for verb in ("accept", "done"):
        for rec_id in ids:
            decide_logged(store, rec_id, verb, "u-ar", logged=logged)
    wall, spent = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    return 2 * len(ids) / wall, spent / (2 * len(ids)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument("--nights", type=int, default=5)
    args = parser.parse_args()
    snapshots, rng = portfolio(args.accounts, args.contacts), random.Random(3)
    per = args.accounts * 1000  # bytes / per = KB per account
    with tempfile.TemporaryDirectory() as folder:
        source, db = Path(folder) / "portfolio.jsonl", Path(folder) / "kamengine.db"
        last_size, last_tables = 0, dict[str, int]()
        for night in range(args.nights):
            write_night(source, snapshots, night, rng)
            wall, cpu, summary = run_night(source, db)
            size, tables = table_bytes(db)
            print(f"night {night + 1}: {summary}")
            print(
                f"  {args.accounts / wall:.0f} accounts/s, CPU {cpu / args.accounts * 1000:.2f} ms/account"
                f" (batch and workers), load average {os.getloadavg()[0]:.1f}"
            )
            print(f"  store {size / per:.2f} KB/account, +{(size - last_size) / per:.2f} KB/account this night")
            for name, size_of in sorted(tables.items(), key=lambda item: -item[1]):
                if size_of >= per / 100:  # tables under 10 bytes an account say nothing at this scale
                    grew = (size_of - last_tables.get(name, 0)) / per
                    print(f"    {name:<20} {size_of / per:7.2f} KB/account  {grew:+.2f}")
            last_size, last_tables = size, tables
        rate, cpu_ms = decisions_per_second(db, 1000)
        print(f"decisions through the store, one writer: {rate:.0f}/s, CPU {cpu_ms:.2f} ms each")


if __name__ == "__main__":
    main()
