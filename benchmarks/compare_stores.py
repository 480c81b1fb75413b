"""Before/after: the store a two-night batch leaves, at a baseline commit and now, compared table by table.

Run: .venv/bin/python benchmarks/compare_stores.py --against REF [--accounts 1000] [--contacts 30] [--keep DIR]
Generates a portfolio (fixed seed, ``portfolio.py``) and a second night of it a week later in which about one
contact in 50 changed stance (``store_growth.write_night``), then runs ``kamengine batch --workers 2`` of both
nights into a fresh store with REF's install (``against.py`` makes its worktree and venv) and with this
checkout's, the sides alternating. ``--against now`` runs this checkout on both sides: the comparison of the
code with itself, which must say ``identical``.

Every table both stores have is compared, every column both have but the volatile ones (``VOLATILE`` says why
each is); run ids, wherever they stand (a column or inside a text), are replaced by the run's place in the store
(``run #1`` is the first night). Rows are matched by the table's primary key when it holds no volatile column,
else compared as a multiset of whole rows. Tables and columns only one store has are listed, not compared.
Prints each table's result and ``identical`` or the count of differences; exits 1 if anything differs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from against import NOW_VENV, REPO, Side, load, now_is, sides
from batch_bench import run
from portfolio import portfolio
from store_growth import write_night

CLOCK = "the clock when it was written"
ORDER = "an autoincrement id: the order the writer got the accounts from two workers in"
#: Per table, the columns not compared and why. Run ids are not here: they are mapped, not left out.
VOLATILE: dict[str, dict[str, str]] = {
    "runs": {"started_at": CLOCK, "finished_at": CLOCK},
    "run_accounts": {"at": CLOCK},
    "recommendations": {"status_at": CLOCK},
    "status_history": {"id": ORDER, "at": CLOCK},
    "snapshots": {"id": ORDER, "received_at": CLOCK},
    "account_summary": {"snapshot_id": "the snapshots row's id (" + ORDER + ")"},
    "deliveries": {"id": ORDER, "created_at": CLOCK, "delivered_at": CLOCK},
    "delivery_items": {"delivery_id": "the deliveries row's id (" + ORDER + ")"},
    "delivered": {"at": CLOCK},
    "decisions": {"id": "random", "at": CLOCK},
    "tokens": {"id": "random", "hash": "of a random token", "created_at": CLOCK, "revoked_at": CLOCK},
    "service_secrets": {"value": "random", "created_at": CLOCK},
}
#: Tables not compared at all, and why.
SKIPPED = {"_sqlite_migrations": "the schema's bookkeeping: which migrations ran, and when (a newer store has more)"}
RUN_ID = re.compile(r"run-\d{8}T\d{6,12}Z")
SHOWN = 3  # differences shown per table and kind


def main() -> None:
    """Parse the options, make both stores, compare them; exit 1 if they differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REF", required=True, help="the baseline commit ('now': this checkout)")
    parser.add_argument("--accounts", type=int, default=1000, help="accounts in the portfolio (default 1000)")
    parser.add_argument("--contacts", type=int, default=30, help="contacts per account (default 30)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="make the stores in DIR and keep them")
    args = parser.parse_args()
    installed = [Side("now (1)", NOW_VENV, REPO), Side("now (2)", NOW_VENV, REPO)]
    installed = installed if args.against == "now" else sides(args.against)
    print(now_is(), flush=True)
    with tempfile.TemporaryDirectory(prefix="kamengine-stores-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        stores = make_stores(installed, folder.resolve(), args.accounts, args.contacts)
        print(f"{load()} after; comparing {stores[0].name} and {stores[1].name}")
        sys.exit(0 if report(*stores) else 1)


def make_stores(installed: list[Side], folder: Path, accounts: int, contacts: int) -> list[Path]:
    """Both nights of the generated portfolio, batched by each side into a store of its own, the sides
    alternating; the stores' paths, in the sides' order."""
    os.chdir(folder)  # no kamengine.toml of the caller's folder applies
    snapshots, rng = portfolio(accounts, contacts), random.Random(3)
    nights = [folder / "night-1.jsonl", folder / "night-2.jsonl"]
    write_night(nights[0], snapshots, 0, rng)
    write_night(nights[1], snapshots, 7, rng)
    stores = [folder / f"{side.name.replace(' ', '-').replace('/', '-')}.db" for side in installed]
    print(f"{accounts} accounts x {contacts} contacts, two nights a week apart; {load()}", flush=True)
    for store in stores:
        store.unlink(missing_ok=True)
    pairs = list(zip(installed, stores, strict=True))
    for night, source in enumerate(nights, 1):
        for side, store in pairs if night % 2 else pairs[::-1]:  # the side going first alternates
            ran = run(source, store, 2, accounts, script=side.bin("kamengine"))
            print(f"  night {night}, {side.name}: {ran['accounts_per_s']:.0f} accounts/s", flush=True)
    return stores


def report(before: Path, after: Path) -> bool:
    """Print what the two stores hold differently, table by table; whether they hold the same."""
    old, new = _connect(before), _connect(after)
    old_tables, new_tables = _tables(old), _tables(new)
    for name, why in SKIPPED.items():
        print(f"{name}: not compared ({why})")
    for name in sorted(old_tables ^ new_tables):
        print(f"{name}: only in {before.name if name in old_tables else after.name}, not compared")
    differences = 0
    for name in sorted((old_tables & new_tables) - set(SKIPPED)):
        differences += _compare_table(name, old, new, (before.stem, after.stem))
    for name, columns in VOLATILE.items():
        for column, why in columns.items():
            print(f"  volatile, not compared: {name}.{column}: {why}")
    print("identical" if not differences else f"{differences} differences")
    return not differences


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    return {name for (name,) in rows}


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, int]:
    """The table's columns and each one's place in its primary key (0: not in it)."""
    return {row[1]: row[5] for row in conn.execute("select * from pragma_table_info(?)", [table])}


def _compare_table(table: str, old: sqlite3.Connection, new: sqlite3.Connection, names: tuple[str, str]) -> int:
    """Print how ``table`` differs between the stores; the count of differing rows and values."""
    old_columns, new_columns = _columns(old, table), _columns(new, table)
    volatile = VOLATILE.get(table, {})
    for column in sorted(set(old_columns) ^ set(new_columns)):
        print(f"{table}.{column}: only in {names[0] if column in old_columns else names[1]}, not compared")
    columns = [c for c in old_columns if c in new_columns and c not in volatile]
    key = [c for c, place in sorted(old_columns.items(), key=lambda item: item[1]) if place and c in columns]
    whole_key = len(key) == sum(1 for place in old_columns.values() if place)
    rows = [list(_rows(conn, table, columns)) for conn in (old, new)]
    if whole_key and key:
        found = _keyed(table, columns, [columns.index(c) for c in key], rows, names)
    else:
        found = _multiset(table, rows, names)
    how = f"by ({', '.join(key)})" if whole_key and key else "as whole rows"
    print(f"{table}: {len(rows[0])} / {len(rows[1])} rows, {len(columns)} columns, {how}: " + (
        "same" if not found else f"{found} differences"
    ))  # fmt: skip
    return found


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The table's rows (those columns), each run id replaced by the run's place in the store."""
    places = {run_id: f"run #{n}" for n, (run_id,) in enumerate(conn.execute("select id from runs order by id"), 1)}
    listed = ", ".join(f'"{c}"' for c in columns)  # names from the store's own schema, quoted
    for row in conn.execute(f'select {listed} from "{table}"'):
        yield tuple(
            RUN_ID.sub(lambda m: places.get(m.group(), "run #?"), value) if isinstance(value, str) else value
            for value in row
        )


def _keyed(
    table: str, columns: list[str], key: list[int], rows: list[list[tuple[Any, ...]]], names: tuple[str, str]
) -> int:
    by_key = [{tuple(row[i] for i in key): row for row in side} for side in rows]
    found = 0
    for side, other, name in ((0, 1, names[0]), (1, 0, names[1])):
        missing = [k for k in by_key[side] if k not in by_key[other]]
        found += len(missing)
        for k in missing[:SHOWN]:
            print(f"  {table} {k}: only in {name}")
    changed: Counter[str] = Counter()
    for k, row in by_key[0].items():
        if (theirs := by_key[1].get(k)) is not None and row != theirs:
            for column, a, b in zip(columns, row, theirs, strict=True):
                if a != b:
                    changed[column] += 1
                    if changed[column] <= SHOWN:
                        print(f"  {table} {k}.{column}: {_short(a)} -> {_short(b)}")
    for column, count in changed.items():
        print(f"  {table}.{column}: {count} rows differ")
    return found + sum(changed.values())


def _multiset(table: str, rows: list[list[tuple[Any, ...]]], names: tuple[str, str]) -> int:
    counts = [Counter(side) for side in rows]
    found = 0
    for side, other, name in ((0, 1, names[0]), (1, 0, names[1])):
        extra = counts[side] - counts[other]
        found += sum(extra.values())
        for row in list(extra)[:SHOWN]:
            print(f"  {table} only in {name}: {_short(row)}")
    return found


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


if __name__ == "__main__":
    main()
