"""SQLite's floor for the rows a batch night writes: the same rows by plain executemany, per schema, against the writer.

Run: python benchmarks/writer_floor.py [--accounts 1000] [--contacts 30] [--group 80] [--repeats 3]
                                       [--ref f2894bb] [--writer]
A 2-worker ``kamengine batch`` of the generated portfolio (fixed seed, ``batch_bench.write_portfolio``) fills a store
by this checkout's code; its rows (the first night's: recommendations, status history, stances, the night's stances
mark, team, snapshots, run accounts) are then read back and inserted again into empty stores, one account's rows of a
table by one ``executemany`` (every column the schema has, the integer keys left to SQLite as the writer leaves them),
``--group`` accounts a commit (the writer's group commit is 500 accounts or one second, which at some 80 accounts/s
is the second: about 80 accounts), with the writer's pragmas. Only the inserts and commits are timed (CPU of this
process, ``time.process_time``); no Python work but binding. The stores, each made empty by its own code:

- a: this checkout's schema, its indexes and triggers; each account held while its rows go in and counted once at the
  end (``summary_writes.deferred``'s statements), as the writer does;
- a-rows: the same, nothing held: the triggers count the account after every row (what any other writer pays);
- b: REF's schema (``--ref``, default f2894bb; its store made by its own install, ``against.py``), without the
  ``digest`` of snapshots and any column REF lacks;
- c: this checkout's schema without the summary's triggers (nothing counted).

a, b and c are also run with multi-row statements (``values``: one ``insert ... values (...), (...)`` a chunk of 999
parameters, as ``bulk_rows`` writes the advice, its history and the stances): a table with triggers pays a statement
journal and the triggers' set-up per statement run, so there it is the cheaper way. The writer's floor is the cheaper
of the two for its schema.

Each is run ``--repeats`` times (default 3), the order rotating; the medians are printed in CPU ms/account with the
load (``os.getloadavg``). With ``--writer`` the rounds also run ``batch_bench``'s 2-worker night of the same portfolio
by this checkout and by REF (the batch process's CPU ms/account net of one start-up, ``main_cpu_ms_net``): the
writer's own figure in the same sitting, and what it spends beyond the floor (Python: reading the workers' answers,
planning each account's writes, and SQLite's reads the floor does not make).
"""

from __future__ import annotations

import argparse
import functools
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import against
import batch_bench
from kamengine.engine.store.summaries import _REFRESH
from kamengine.engine.store.summary_writes import _NAME_AT_END, DEFERRED

#: The tables a first night writes, in the order the writer writes an account's rows, and the column that names the
#: account (status history's rows name their recommendation).
TABLES = (
    ("recommendations", "account_id"),
    ("status_history", "recommendation_id"),
    ("stance_history", "account_id"),
    ("stance_nights", "account_id"),
    ("account_team", "account_id"),
    ("snapshots", "account_id"),
    ("run_accounts", "account_id"),
)
#: Integer keys SQLite gives when the writer leaves them out.
KEYS = {("status_history", "id"), ("snapshots", "id")}
#: An account's rows: per table, the rows in stored order.
Account = dict[str, list[tuple[object, ...]]]


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """``table``'s columns but the integer key SQLite gives."""
    names = [row[1] for row in conn.execute("select * from pragma_table_info(?)", [table])]
    return [name for name in names if (table, name) not in KEYS]


def night_rows(db: Path) -> tuple[list[str], dict[str, list[str]], list[tuple[str, Account]]]:
    """The night's run row, every table's columns and each account's rows (in the order accounts were written)."""
    conn = sqlite3.connect(db)
    (run,) = conn.execute("select * from runs")
    owner = dict(conn.execute("select id, account_id from recommendations"))
    order = [row[0] for row in conn.execute("select account_id from run_accounts order by rowid")]
    accounts: dict[str, Account] = {account: defaultdict(list) for account in order}
    names = {}
    for table, key in TABLES:
        names[table] = columns(conn, table)
        keyed = names[table].index(key)
        listed = ", ".join(f'"{name}"' for name in names[table])
        for row in conn.execute(f"select {listed} from {table} order by rowid"):
            account = owner[row[keyed]] if table == "status_history" else row[keyed]
            accounts[str(account)][table].append(row)
    conn.close()
    return [str(value) for value in run], names, list(accounts.items())


def empty_store(python: str, path: Path) -> None:
    """An empty store made by the install whose interpreter is ``python`` (its own schema and migrations)."""
    code = (
        "import sys; from pathlib import Path; from kamengine.engine.store.store import Store; Store(Path(sys.argv[1]))"
    )
    subprocess.run([python, "-c", code, str(path)], check=True, env={**os.environ, "KAMENGINE_DISABLE_PLUGINS": "1"})


def copy(template: Path, path: Path, triggers: bool) -> sqlite3.Connection:
    """A fresh copy of ``template`` at ``path`` (without the summary's triggers unless ``triggers``), opened with the
    writer's pragmas (``store_file.open_database``) and in autocommit (the groups say begin and commit)."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    source = sqlite3.connect(template)
    conn = sqlite3.connect(path, isolation_level=None)
    source.backup(conn)
    source.close()
    for pragma in ("journal_mode = wal", "synchronous = normal", "cache_size = -32768"):
        conn.execute(f"pragma {pragma}")
    if not triggers:
        gone = conn.execute("select name from sqlite_master where type = 'trigger' and name like 'account_summary%'")
        for (name,) in gone.fetchall():
            conn.execute(f"drop trigger {name}")
    return conn


def insert(conn: sqlite3.Connection, table: str, names: list[str]) -> str:
    """The insert of ``table``'s rows in the columns ``conn``'s schema has among ``names``; their positions too."""
    have = set(columns(conn, table))
    kept = [name for name in names if name in have]
    return f"insert into {table} ({', '.join(kept)}) values ({', '.join('?' * len(kept))})"


#: An account's writes to one table: the table, and its statements with their parameters (``executemany``'s: one
#: statement and its rows; ``values``': one multi-row statement a chunk and its parameters, as ``bulk_rows`` makes).
Writes = tuple[str, list[tuple[str, list[Any]]]]
#: The most parameters one multi-row statement binds (``bulk_rows._PARAMETERS``).
PARAMETERS = 999


def bound(conn: sqlite3.Connection, names: dict[str, list[str]], account: Account, values: bool) -> list[Writes]:
    """``account``'s writes to ``conn``'s schema, made before the clock starts: only the binding is timed."""
    writes = []
    for table, _ in TABLES:
        if not account.get(table):
            continue
        have = set(columns(conn, table))
        rows: list[Any] = [tuple(row[i] for i, n in enumerate(names[table]) if n in have) for row in account[table]]
        sql = insert(conn, table, names[table])
        if not values:
            writes.append((table, [(sql, rows)]))
            continue
        head, one = sql.split(" values ")
        step = max(1, PARAMETERS // len(rows[0]))
        chunks = [rows[start : start + step] for start in range(0, len(rows), step)]
        statements: list[tuple[str, list[Any]]] = [
            (f"{head} values {', '.join([one] * len(chunk))}", [v for row in chunk for v in row]) for chunk in chunks
        ]
        writes.append((table, statements))
    return writes


def floor(
    template: Path, folder: Path, run: list[str], names: dict[str, list[str]], accounts: list[tuple[str, Account]],
    group: int, mode: str,
) -> float:  # fmt: skip
    """CPU ms/account of inserting ``accounts``' rows into a copy of ``template`` in ``mode`` (a, a-rows, b, c;
    `` values``: multi-row statements)."""
    schema, _, values = mode.partition(" ")
    conn = copy(template, folder / "floor.db", triggers=schema != "c")
    conn.execute(f"insert into runs values ({', '.join('?' * len(run))})", run)
    accounts_writes = [(account_id, bound(conn, names, account, bool(values))) for account_id, account in accounts]
    held = schema == "a"
    started = time.process_time()
    for first in range(0, len(accounts_writes), group):
        conn.execute("begin immediate")
        for account_id, writes in accounts_writes[first : first + group]:
            if held:  # summary_writes.deferred: the account held while its advice goes in, counted once after
                conn.execute(f"insert or replace into {DEFERRED} (account_id, dirty) values (?, 0)", [account_id])
            for table, statements in writes:
                for sql, parameters in statements:
                    (conn.execute if values else conn.executemany)(sql, parameters)
                if held and table == "recommendations":
                    conn.execute(f"delete from {DEFERRED} where account_id = ?", [account_id])
                    conn.execute(_REFRESH.format("?"), [account_id, account_id])
                    conn.execute(_NAME_AT_END, [account_id, account_id])
        conn.execute("commit")
    cpu = time.process_time() - started
    conn.close()
    return cpu / len(accounts) * 1000


def writer(script: str, source: Path, folder: Path, accounts: int) -> float:
    """The batch process's CPU ms/account net of one start-up, a 2-worker night of ``source`` by ``script``."""
    db = folder / "writer.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    figures = batch_bench.run(source, db, 2, accounts, script=script)
    return batch_bench.net(figures, accounts, source, folder, script)["main_cpu_ms_net"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument("--group", type=int, default=80, help="accounts a commit (the writer's: ~80 at ~80 acc/s)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ref", default="f2894bb", help="the schema of b, and the writer compared with --writer")
    parser.add_argument("--writer", action="store_true", help="also the writer's own figure, this checkout's and REF's")
    args = parser.parse_args()
    ref, now = against.sides(args.ref)
    folder = Path(tempfile.mkdtemp(prefix="writer-floor-"))
    source, night = folder / "portfolio.jsonl", folder / "night.db"
    batch_bench.write_portfolio(source, args.accounts, args.contacts)
    batch_bench.run(source, night, 2, args.accounts, script=now.bin("kamengine"))
    run, names, accounts = night_rows(night)
    rows = sum(len(r) for _, account in accounts for r in account.values()) / len(accounts)
    print(f"{len(accounts)} accounts x {args.contacts} contacts, first night: {rows:.1f} rows/account, "
          f"group {args.group}")  # fmt: skip
    templates = {"now": folder / "empty-now.db", "ref": folder / "empty-ref.db"}
    empty_store(now.bin("python"), templates["now"])
    empty_store(ref.bin("python"), templates["ref"])
    trials: dict[str, Callable[[], float]] = {}
    for mode in ("a", "a-rows", "b", "c", "a values", "b values", "c values"):
        template = templates["ref" if mode.startswith("b") else "now"]
        trials[mode] = functools.partial(floor, template, folder, run, names, accounts, args.group, mode)
    if args.writer:
        for side in (ref, now):
            trials[f"writer {side.name}"] = functools.partial(
                writer, side.bin("kamengine"), source, folder, len(accounts)
            )
    results: dict[str, list[float]] = defaultdict(list)
    loads = []
    order = list(trials)
    for round_ in range(args.repeats):
        for name in order[round_ % len(order) :] + order[: round_ % len(order)]:
            results[name].append(trials[name]())
            loads.append(os.getloadavg()[0])
    report(results, loads, args.ref)


LABELS = {
    "a": "a  now: indexes + summary triggers, held",
    "a-rows": "a' now: triggers count every row",
    "b": "b  {ref}'s schema",
    "c": "c  now without the summary triggers",
    "a values": "a  multi-row statements (bulk_rows)",
    "b values": "b  multi-row statements",
    "c values": "c  multi-row statements",
}


def report(results: dict[str, list[float]], loads: list[float], ref: str) -> None:
    """The medians (CPU ms/account), each run's figure, the load, and the writer beyond the floor."""
    print(f"load (1-min) during the runs: {min(loads):.1f}-{max(loads):.1f}")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, median in medians.items():
        label = LABELS.get(name, name).format(ref=ref)
        runs = " ".join(f"{value:.3f}" for value in results[name])
        print(f"{label:<44} {median:6.3f} ms/account   ({runs})")
    for side, schema in ((f"writer ref {ref}", "b"), ("writer now", "a")):
        if side in medians:  # the floor: the cheaper way of the two for that schema
            least = min(medians.get(name, float("inf")) for name in (schema, f"{schema} values"))
            beyond = medians[side] - least
            print(f"{side}: {medians[side]:.2f} = floor {least:.2f} ({schema}) + {beyond:.2f} beyond it")


if __name__ == "__main__":
    main()
