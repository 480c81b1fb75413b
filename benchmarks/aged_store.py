"""Night 1, night 2 and night N of the same portfolio: stores with 0, 1 and N-1 nights of stance history, timed.

``batch_bench.py --nights N`` and ``done_when.py`` use it. The stores are seeded the same way (night 1 with
nothing, night n with n-1 earlier nights written straight into ``stance_history`` as the installed code keeps it:
a row when a contact's stance changes, about 1 contact in 50 a night, walked back from tonight's stance, and a
``stance_nights`` row per account and night), then the same 2-worker batch night runs on a fresh copy of each,
``repeats`` times, the order rotating. Only the stance history ages: the advice, runs and snapshots of the earlier
nights are not there, so what differs between the nights is what the stance history costs. Figures per account
(medians of the runs): the stance read as the installed batch makes it (this process's CPU; the supervisor's
chunked ``last_stances`` or, before it, each worker's ``StanceHistory``), the on-demand refresh's read
(``StanceHistory`` on a new connection per account, as ``engine/batch/single.py`` does), and the real night's
workers and batch process (exact CPU from the kernel, less one start-up: the median of every run's one-account
batch, the same on every night, which would otherwise thin the ratio out).

Which night the criterion compares with. Issue 24's done-when is "night 365 costs no more than 1.1x night 1",
and ``done_when.py`` judges it so, as written. Night 1 is not the same work, though: a store's first night has
no earlier stances, so the workers fill none into the snapshot and no contact has a ``stance_change`` (no "moved
from stance" advice); night 2 is the first night with history, the same kind of work as night 365. So night 365 /
night 2 is what the store's age alone costs, and is printed beside it (done_when.py shows both rows). The history
is walked back from tonight's stance so that tonight differs from the last recorded stance for about 1 contact in
50 at any age, as in a real store: drawn forwards from it, a year's history ended on a random stance, and night
365 had a "moved from stance" change for most contacts, which no real night has (night 365 / night 1 then read
1.19, one run).
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
                stances = _stances_before(person.get("stance", 0), len(dates), rng)
                for n, (date, stance) in enumerate(zip(dates, stances, strict=True)):
                    if not changes_only or n == 0 or stance != stances[n - 1]:
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


def _stances_before(tonight: int, nights: int, rng: random.Random) -> list[int]:
    """A contact's stance on each of the ``nights`` before tonight's ``tonight``, oldest first: walked back from
    tonight, changing on about 1 night in 50. So tonight differs from the last recorded stance for about 1 contact
    in 50 whatever the store's age, as in a real store; a history drawn forwards from tonight's stance would end
    on a random stance after a year and give most contacts a "moved from stance" change only night 365 has."""
    stances, stance = [], tonight
    for _ in range(nights):
        if rng.random() < 0.02:
            stance = rng.choice([s for s in (-1, 0, 1, 2, 3) if s != stance])
        stances.append(stance)
    return stances[::-1]


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
    """Night 1, night 2 and night ``nights`` of ``source`` (``repeats`` batch runs each, their order rotating):
    printed, and the figures by name (``night N: …`` medians, ``night N / night 1: …`` and ``night N / night 2: …``)."""
    if nights < 2:
        raise SystemExit("--nights: give 2 or more (night 1 and night 2 are always run beside it)")
    lines = source.read_text(encoding="utf-8").splitlines()
    documents = [json.loads(line) for line in lines]
    snapshots = parsed(lines)
    stores = {n: folder / f"night-{n}.db" for n in sorted({1, 2, nights})}
    figures: dict[int, dict[str, list[float]]] = {n: {} for n in stores}
    for n, path in stores.items():
        began = time.perf_counter()
        rows, kind = seed(path, documents, n)
        say(f"night {n}: {rows:,} stance history rows ({kind}), seeded in {time.perf_counter() - began:.0f} s")
        figures[n]["stance_read_ms"] = [stance_read_ms(path, snapshots)]
        figures[n]["refresh_read_ms"] = [refresh_read_ms(path, snapshots[:500])]
    ran: dict[int, list[dict[str, float]]] = {n: [] for n in stores}
    order = list(stores)
    for repeat in range(repeats):  # each night takes each place in the order in turn: the load's drift is shared
        for n in order[repeat % len(order) :] + order[: repeat % len(order)]:
            ran[n].append(night(source, _copy(stores[n], folder / "running.db")))
    for n, runs in ran.items():
        for one in _net_of_startup(runs, [run for each in ran.values() for run in each], len(lines)):
            for figure in (f for f in COLUMNS if f in one):  # the reads were timed above, once
                figures[n].setdefault(figure, []).append(one[figure])
    medians = {n: {k: statistics.median(v) for k, v in spent.items()} for n, spent in figures.items()}
    return _report(medians, nights, repeats, say)


def _net_of_startup(
    runs: list[dict[str, float]], every: list[dict[str, float]], accounts: int
) -> list[dict[str, float]]:
    """``runs`` with their CPU per account less one start-up for all: the median of ``every`` run's one-account
    batch (``startup_*``, when the night gives it), so a start-up timed slow on one night does not tilt the ratio."""
    if accounts < 2 or not all("startup_worker_cpu_ms" in run for run in every):
        return [run | {"total_cpu_ms_net": run["worker_cpu_ms_net"] + run["main_cpu_ms_net"]} for run in runs]
    startup = {name: statistics.median(run[f"startup_{name}_cpu_ms"] for run in every) for name in ("worker", "main")}
    nets = [
        run
        | {
            f"{name}_cpu_ms_net": (run[f"{name}_cpu_ms"] * accounts - startup[name]) / (accounts - 1)
            for name in startup
        }
        for run in runs
    ]
    return [run | {"total_cpu_ms_net": run["worker_cpu_ms_net"] + run["main_cpu_ms_net"]} for run in nets]


def _report(medians: dict[int, dict[str, float]], nights: int, repeats: int, say: Any) -> dict[str, float]:
    say(f"2-worker batch night, median of {repeats} run(s) each, order rotating, CPU net of start-up; reads here")
    say(f"CPU ms per account{'':<2}" + "".join(f" {header:>13}" for _, header in COLUMNS.values()))
    for n, values in medians.items():
        say(f"{f'night {n}':<20}" + "".join(f" {values[k]:>13.3f}" for k in COLUMNS))
    named = {f"night {n}: {COLUMNS[k][0]}": v for n, values in medians.items() for k, v in values.items()}
    for base in sorted({1, 2} - {nights}):
        first, last = medians[base], medians[nights]
        ratios = {k: last[k] / first[k] if first[k] else float("nan") for k in COLUMNS}
        say(f"{f'night {nights} / {base}':<20}" + "".join(f" {ratios[k]:>12.2f}x" for k in COLUMNS))
        named |= {f"night {nights} / night {base}: {COLUMNS[k][0]}": ratio for k, ratio in ratios.items()}
    return named
