"""Dask workers need nothing but their task: started in a folder without the store or the settings, they give the
process pool's store over two nights with a relative ``--db``, lose nothing when one is killed mid-run, and a worker
without a plugin the run uses stops the run before it starts, named (issue 25 point 2).

The cluster is started as docs/batch.md shows it on two hosts (``dask scheduler``, ``dask worker``), each process
in an empty folder; ``kamengine batch`` runs from another folder, with ``--db`` and the source relative to it and a
``kamengine.toml`` there that changes the advice's language (a worker reading settings of its own would show it).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dask_processes import read_scheduler_address, stop_processes
from support import example_data

BIN = Path(sys.executable).parent
ACCOUNTS = 120  # more than two Dask partitions (50 accounts each): both workers are busy
#: What differs between two runs of the same nights by design: the runs' ids, when things happened, and the order
#: rows were written in (an autoincrement id and what points at it: workers answer in any order).
RUN_IDS = {"run_id", "first_run", "last_run"}
WRITE_ORDER = {"snapshot_id", "delivery_id"}


def _compared(table: str, column: str, kind: str, pk: int) -> bool:
    if (
        column in RUN_IDS
        or column in WRITE_ORDER
        or column.endswith("_at")
        or column == "at"
        or (table == "runs" and column == "id")
    ):
        return False
    return not (column == "id" and kind == "INTEGER" and pk == 1)


class Cluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, each in an empty folder."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None) -> None:
        self.empty = folder / "cluster"  # neither the store nor the settings
        self.empty.mkdir(parents=True)
        self.env = {**os.environ, **(env or {})}
        self.processes: list[subprocess.Popen[bytes]] = []
        scheduler_file = folder / "scheduler.json"
        self._start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(scheduler_file)])  # fmt: skip
        self.address = read_scheduler_address(scheduler_file, self.processes[0])
        self.workers = [self.add_worker(name) for name in ("host-a", "host-b")]
        with _client(self.address) as client:
            client.wait_for_workers(2, timeout=120)

    def add_worker(self, name: str) -> subprocess.Popen[bytes]:
        """A worker without a nanny: killed, it stays dead, as a machine that went down."""
        self._start(["worker", self.address, "--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                     "--host", "127.0.0.1"])  # fmt: skip
        return self.processes[-1]

    def _start(self, args: list[str]) -> None:
        log = (self.empty.parent / f"dask-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen([str(BIN / "dask"), *args], cwd=self.empty, env=self.env, stdout=log, stderr=log)
        self.processes.append(process)

    def stop(self) -> None:
        stop_processes(self.processes)


def _client(address: str) -> Any:
    distributed: Any = pytest.importorskip("distributed")
    return distributed.Client(address, timeout=60)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    pytest.importorskip("distributed")
    started = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield started
    finally:
        started.stop()


def _night(night: int) -> list[dict[str, Any]]:
    """Night 1: the example account, many times over; night 2, a day later: some people's stance dropped (the
    ``stance-dropped`` rule fires only where the store's stance history says what it was)."""
    accounts = []
    for index in range(ACCOUNTS):
        data = copy.deepcopy(example_data())
        data["account"]["id"], data["account"]["name"] = f"acct-{index:03d}", f"Account {index}"
        if night == 2:
            data["as_of"] = (dt.date.fromisoformat(data["as_of"]) + dt.timedelta(days=1)).isoformat()
            for number, person in enumerate(data["contacts"]):
                if (number + index) % 3 == 0 and person.get("stance", 0) > -1:
                    person["stance"] = person.get("stance", 0) - 1
        accounts.append(data)
    return accounts


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where ``kamengine batch`` runs: the nights' files and the settings (advice in Chinese)."""
    folder = tmp_path_factory.mktemp("office")
    (folder / "kamengine.toml").write_text('lang = "zh"\n', encoding="utf-8")
    for night in (1, 2):
        lines = [json.dumps(account) for account in _night(night)]
        (folder / f"night{night}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _batch(office: Path, db: str, night: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``kamengine batch`` from ``office``, with the store and the source as paths relative to it."""
    command = [str(BIN / "kamengine"), "batch", "--source", f"jsonl:night{night}.jsonl", "--db", db, *args]
    return subprocess.run(command, cwd=office, capture_output=True, text=True, timeout=600)


def _contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, every column but the runs' ids and times, in a fixed order."""
    with sqlite3.connect(db) as conn:
        tables = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
        contents = {}
        for table in sorted(t for t in tables if not t.startswith("sqlite_")):
            columns = conn.execute(f"pragma table_info({table})").fetchall()
            kept = [row[1] for row in columns if _compared(table, row[1], row[2], row[5])]
            rows = conn.execute(f"select {', '.join(kept)} from {table}").fetchall()
            contents[table] = sorted(rows, key=repr)
    return contents


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_two_nights_on_dask_with_a_relative_db_give_the_process_pool_s_store(cluster: Cluster, office: Path) -> None:
    for night in (1, 2):
        pool = _batch(office, "pool.db", night, "--workers", "2")
        assert pool.returncode == 0, pool.stderr
        dask = _batch(office, "dask.db", night, "--executor", "dask", "--scheduler", cluster.address)
        assert dask.returncode == 0, dask.stderr
    assert not list(cluster.empty.glob("*.db"))  # the workers made no store of their own where they run
    on_dask, pooled = _contents(office / "dask.db"), _contents(office / "pool.db")
    assert on_dask == pooled
    assert len(on_dask["recommendations"]) > ACCOUNTS and len(on_dask["runs"]) == 2
    # The nights are such that the stance history matters, and the settings reached the workers.
    dropped = "select count(*) from recommendations where rule like '%stance-dropped'"
    alone = _batch(office, "night2-alone.db", 2, "--workers", "2")  # night 2 without night 1's stances
    assert alone.returncode == 0, alone.stderr
    assert _count(office / "dask.db", dropped) >= _count(office / "night2-alone.db", dropped) + ACCOUNTS
    with sqlite3.connect(office / "dask.db") as conn:
        titles = [title for (title,) in conn.execute("select title from recommendations")]
    assert all(any("\u4e00" <= char <= "\u9fff" for char in title) for title in titles)  # kamengine.toml's lang


def test_a_worker_killed_mid_run_loses_nothing(cluster: Cluster, office: Path, tmp_path: Path) -> None:
    # This test's own cluster: its workers take 150 ms an account, so the run is still going when one is killed.
    slow = Cluster(tmp_path, env={"KAMENGINE_FAULT_INJECT": "sleep:0.15"})
    try:
        command = [str(BIN / "kamengine"), "batch", "--source", "jsonl:night1.jsonl", "--db", "killed.db",
                   "--executor", "dask", "--scheduler", slow.address]  # fmt: skip
        run = subprocess.Popen(command, cwd=office, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while _written(office / "killed.db") == 0:  # the first results have arrived
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.05)
        killed = _busy_worker(slow)
        killed.send_signal(signal.SIGKILL)
        at_kill = _written(office / "killed.db")
        _, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
        assert 0 < at_kill < ACCOUNTS, (at_kill, stderr)  # killed mid-run
    finally:
        slow.stop()
    assert killed.returncode == -signal.SIGKILL
    reference = _batch(office, "night1-pool.db", 1, "--workers", "2")
    assert reference.returncode == 0, reference.stderr
    assert _contents(office / "killed.db") == _contents(office / "night1-pool.db")
    assert _count(office / "killed.db", "select count(distinct account_id) from recommendations") == ACCOUNTS


def _busy_worker(cluster: Cluster) -> subprocess.Popen[bytes]:
    """The process of a worker that holds accounts now (the scheduler says which), else the first one."""
    with _client(cluster.address) as client:
        processing = client.processing()
        names = {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
    busy = [names[address] for address, keys in processing.items() if keys and address in names]
    index = ["host-a", "host-b"].index(busy[0]) if busy else 0
    return cluster.workers[index]


def _written(db: Path) -> int:
    """Accounts the run has written so far (0 before the store exists)."""
    if not db.exists():
        return 0
    try:
        return _count(db, "select count(*) from run_accounts")
    except sqlite3.DatabaseError:  # the store is being made
        return 0


PLUGIN = '''"""A team's plugin, installed where the batch runs but on no Dask worker."""
from kamengine import Enricher, hookimpl


class Territory(Enricher):
    PLUGIN_NAME = "territory"
    FIELDS = {}

    def values(self, kind, record, snapshot):
        return {}


@hookimpl
def kamengine_register_enrichers():
    return [Territory]
'''


def test_a_worker_without_a_plugin_the_run_uses_stops_the_run_naming_both(
    cluster: Cluster, office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from kamengine.engine.api import Engine
    from kamengine.engine.api.options import BatchOptions
    from kamengine.engine.errors import KamengineError
    from kamengine.engine.plugin._manager import PluginInfo, get_plugin_manager
    from kamengine.engine.plugin._registry import Registry

    (tmp_path / "acme_territory.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # this process only: the workers cannot import it
    manager = get_plugin_manager(load_entry_points=False)
    manager.register(importlib.import_module("acme_territory"), "territory")
    manager.infos["territory"] = PluginInfo("territory", "acme-territory", "1.4", builtin=False)
    engine = Engine(registry=Registry(manager))
    options = BatchOptions(executor="dask", scheduler=cluster.address)
    db = tmp_path / "refused.db"
    with pytest.raises(KamengineError) as refused:
        engine.batch(f"jsonl:{office / 'night1.jsonl'}", store=db, options=options)
    message = str(refused.value)
    assert message.startswith("Dask worker tcp://127.0.0.1:")
    assert "lacks plugin 'territory' (acme-territory 1.4), which this run uses" in message
    assert _count(db, "select count(*) from runs") == 0  # stopped before the run began


def test_the_supervisor_reads_each_contact_s_last_stance_as_a_worker_did(tmp_path: Path) -> None:
    import random

    from kamengine.engine.store.stances import (
        LAST_OF_MANY,
        StanceHistory,
        fill_stances,
        last_stances,
        record_stances,
    )
    from kamengine.engine.store.store import Store
    from support import make_snapshot

    store, rng = Store(tmp_path / "k.db"), random.Random(5)
    nights = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(12)]
    people = {f"acct-{a}": [f"c-{c}" for c in range(a + 2)] for a in range(4)}
    with store.db.conn:
        for night in nights[:-1]:
            for account, contacts in people.items():
                stances = [(c, rng.choice([-1, 0, 1, 2, 3])) for c in contacts[: rng.randint(1, len(contacts))]]
                record_stances(store.db.conn, account, night.isoformat(), stances)
    pairs = enumerate((account, night) for account in people for night in nights)
    asked = [(index, account, night, [*people[account], "c-new"]) for index, (account, night) in pairs]
    found = last_stances(store.db.conn, asked)
    history = StanceHistory(str(store.path))
    for index, account, night, _ in asked:
        contacts = [{"id": c, "name": c} for c in people[account]] + [
            {"id": "c-new", "name": "New", "previous_stance": 1}
        ]
        snapshot = make_snapshot(as_of=night.isoformat(), account={"id": account, "name": account}, contacts=contacts)
        assert fill_stances(snapshot, found.get(index, {})) == history.fill(snapshot)
    history.close()
    assert sum(len(stances) for stances in found.values()) > len(people) * len(nights)  # most nights had some
    plan = " ".join(str(row) for row in store.db.conn.execute(f"explain query plan {LAST_OF_MANY}", ["[]"]))
    assert "SEARCH stance_history USING INDEX" in plan and "SCAN stance_history" not in plan  # a seek per contact
    store.close()
