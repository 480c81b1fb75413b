"""Night 1 and night N of the same portfolio: a store with N-1 nights of stance history beside a new one, timed.

``batch_bench.py --nights N`` and ``done_when.py`` use it. Both stores are seeded the same way (night 1 with
nothing, night N with N-1 earlier nights written straight into ``stance_history`` as the installed code keeps it:
a row when a contact's stance changes, about 1 contact in 50 a night, and a ``stance_nights`` row per account and
night), then the same 2-worker batch night runs on a fresh copy of each, the two alternating ``repeats`` times.
Only the stance history ages: the advice, runs and snapshots of the earlier nights are not there, so what differs
between the two nights is what the stance history costs. Figures per account: the stance read as the installed
batch makes it (this process's CPU; the supervisor's chunked ``last_stances`` or, before it, each worker's
``StanceHistory``), the on-demand refresh's read (``StanceHistory`` on a new connection per account, as
``engine/batch/single.py`` does), and the real night's workers and batch process (exact CPU from the kernel, less
what a run of one account costs: start-up is the same on both nights and would thin the ratio out).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: A batch night: (source, store) -> its figures (``batch_bench.night_runner``).
Night = Callable[[Path, Path], dict[str, float]]

#: The figures of a night: their names in the figures, and their columns' headers. CPU per account is net of
#: start-up (``batch_bench.net``: less a run of one account), which would otherwise thin out what the age adds.
COLUMNS = {
    "stance_read_ms": ("stance read CPU ms/acct", "stance read"),
    "refresh_read_ms": ("refresh read CPU ms/acct", "refresh read"),
    "worker_cpu_ms_net": ("workers CPU ms/acct", "workers"),
    "main_cpu_ms_net": ("batch process CPU ms/acct", "batch process"),
    "total_cpu_ms_net": ("together CPU ms/acct", "together"),
    "accounts_per_s": ("acc/s", "acc/s"),
}


def seed(db: Path, documents: list[dict[str, Any]], nights: int) -> tuple[int, str]:
    """A new store at ``db`` with nights 1..N-1 before the documents' dates in its stance history, kept as the
    installed code keeps it; how many history rows it holds, and which way."""
    from kamengine.engine.store.store import Store

    store = Store(db)
    conn: sqlite3.Connection = store.db.conn
    changes_only = "stance_nights" in store.db.table_names()
    rng = random.Random(11)
    with conn:
        for document in documents:
            account = document["account"]["id"]
            last_night = dt.date.fromisoformat(document["as_of"])
            dates = [(last_night - dt.timedelta(days=nights - n)).isoformat() for n in range(1, nights)]
            rows = []
            for person in document["contacts"]:
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
    total = int(conn.execute("select count(*) from stance_history").fetchone()[0])
    store.close()
    return total, "changes only" if changes_only else "every contact every night"


def stance_read_ms(db: Path, snapshots: list[Any]) -> float:
    """CPU ms per account of reading every asked contact's last stance the way the installed batch does: the
    supervisor's ``last_stances`` in chunks, or (before it) ``StanceHistory.fill`` per account in a worker."""
    try:
        from kamengine.engine.batch.tasks import CHUNK
        from kamengine.engine.store.stances import asked_contacts, last_stances
    except ImportError:  # a baseline before the supervisor's read: each worker read its accounts' stances
        return _per_account_ms(db, snapshots, reopen=False)
    keys = [(n, s.account.id, s.as_of, asked_contacts(s)) for n, s in enumerate(snapshots)]
    conn = sqlite3.connect(db)
    last_stances(conn, keys[:1])  # the schema read outside the timing
    began = time.process_time()
    for start in range(0, len(keys), CHUNK):
        last_stances(conn, keys[start : start + CHUNK])
    spent = time.process_time() - began
    conn.close()
    return spent / len(snapshots) * 1000


def refresh_read_ms(db: Path, snapshots: list[Any]) -> float:
    """CPU ms per account of the on-demand refresh's stance read: a new ``StanceHistory`` (connection) each."""
    return _per_account_ms(db, snapshots, reopen=True)


def _per_account_ms(db: Path, snapshots: list[Any], reopen: bool) -> float:
    from kamengine.engine.store.stances import StanceHistory

    history = StanceHistory(str(db))
    history.fill(snapshots[0])  # the first connection opens outside the timing
    began = time.process_time()
    for snapshot in snapshots:
        if reopen:
            history.close()
            history = StanceHistory(str(db))
        history.fill(snapshot)
    spent = time.process_time() - began
    history.close()
    return spent / len(snapshots) * 1000


def parsed(lines: list[str]) -> list[Any]:
    """The JSON lines as the installed code's snapshots."""
    from kamengine.engine.model.documents import parse
    from kamengine.engine.model.loading import snapshot_from_document

    return [snapshot_from_document(parse(line, f"line {n}")) for n, line in enumerate(lines, 1)]


def _copy(store: Path, to: Path) -> Path:
    for suffix in ("-wal", "-shm"):
        Path(f"{to}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(store, to)
    return to


def aged(source: Path, folder: Path, nights: int, repeats: int, night: Night, say: Any = print) -> dict[str, float]:
    """Night 1 and night ``nights`` of ``source`` (``repeats`` batch runs each, alternating): printed, and the
    figures by name (``night N: …`` medians and ``night N / night 1: …``)."""
    if nights < 2:
        raise SystemExit("--nights: give 2 or more (night 1 is always run beside it)")
    lines = source.read_text(encoding="utf-8").splitlines()
    documents = [json.loads(line) for line in lines]
    snapshots = parsed(lines)
    stores = {n: folder / f"night-{n}.db" for n in (1, nights)}
    figures: dict[int, dict[str, list[float]]] = {n: {} for n in stores}
    for n, path in stores.items():
        began = time.perf_counter()
        rows, kind = seed(path, documents, n)
        say(f"night {n}: {rows:,} stance history rows ({kind}), seeded in {time.perf_counter() - began:.0f} s")
        figures[n]["stance_read_ms"] = [stance_read_ms(path, snapshots)]
        figures[n]["refresh_read_ms"] = [refresh_read_ms(path, snapshots[:500])]
    for repeat in range(repeats):
        for n in list(stores) if repeat % 2 == 0 else list(stores)[::-1]:
            ran = night(source, _copy(stores[n], folder / "running.db"))
            ran["total_cpu_ms_net"] = ran["worker_cpu_ms_net"] + ran["main_cpu_ms_net"]
            for figure in (f for f in COLUMNS if f in ran):  # the reads were timed above, once
                figures[n].setdefault(figure, []).append(ran[figure])
    medians = {n: {k: statistics.median(v) for k, v in spent.items()} for n, spent in figures.items()}
    return _report(medians, nights, repeats, say)


def _report(medians: dict[int, dict[str, float]], nights: int, repeats: int, say: Any) -> dict[str, float]:
    say(f"2-worker batch night, median of {repeats} run(s) each, alternating, CPU net of start-up; reads here")
    say(f"CPU ms per account{'':<2}" + "".join(f" {header:>13}" for _, header in COLUMNS.values()))
    for n, values in medians.items():
        say(f"{f'night {n}':<20}" + "".join(f" {values[k]:>13.3f}" for k in COLUMNS))
    first, last = medians[1], medians[nights]
    ratios = {k: last[k] / first[k] if first[k] else float("nan") for k in COLUMNS}
    say(f"{f'night {nights} / 1':<20}" + "".join(f" {ratios[k]:>12.2f}x" for k in COLUMNS))
    named = {f"night {n}: {COLUMNS[k][0]}": v for n, values in medians.items() for k, v in values.items()}
    return named | {f"night {nights} / night 1: {COLUMNS[k][0]}": ratio for k, ratio in ratios.items()}
