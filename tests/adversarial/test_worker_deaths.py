"""A worker that dies or hangs costs only the account it held; a finished run retries its failures."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _portfolio(path: Path, count: int) -> Path:
    """``count`` accounts as JSON Lines: acct-00, acct-01, ..."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    lines = []
    for index in range(count):
        data["account"]["id"], data["account"]["name"] = f"acct-{index:02d}", f"Account {index}"
        lines.append(json.dumps(data, default=str))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _batch(db: Path, source: Path, *args: str, fault: str | None = None) -> object:
    env = {"KAMENGINE_FAULT_INJECT": fault} if fault else {}
    command = ["--config", "/dev/null", "batch", "--source", f"jsonl:{source}", "--db", str(db), *args]
    return CliRunner().invoke(main, command, env=env)


def _seed() -> int:
    """A fresh seed each run; ``KAMENGINE_TEST_SEED`` replays one a failure printed."""
    fixed = os.environ.get("KAMENGINE_TEST_SEED")
    return int(fixed) if fixed else random.SystemRandom().randrange(2**32)


def _statuses(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("select account_id, status from run_accounts"))


def _advised(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select distinct account_id from recommendations")}


def test_twenty_crashes_at_random_points_cost_only_their_accounts_and_a_retry_advises_them(tmp_path: Path) -> None:
    seed = _seed()
    accounts = [f"acct-{i:02d}" for i in range(60)]
    crashing = sorted(random.Random(seed).sample(accounts, 20))
    source, db = _portfolio(tmp_path / "p.jsonl", 60), tmp_path / "k.db"
    result = _batch(db, source, "--workers", "2", fault="crash:" + ",".join(crashing))
    assert result.exit_code == 1, (seed, result.output)
    statuses = _statuses(db)
    assert sorted(a for a, s in statuses.items() if s == "failed") == crashing, seed
    assert sorted(a for a, s in statuses.items() if s == "done") == sorted(set(accounts) - set(crashing)), seed
    assert _advised(db) == set(accounts) - set(crashing), seed
    assert result.stderr.count("worker process died (killed by SIGSEGV)") == 20, seed
    retried = _batch(db, source, "--workers", "2", "--retry-failed")
    assert retried.exit_code == 0, retried.output
    assert "20 accounts retried" in retried.stderr
    assert set(_statuses(db).values()) == {"done"} and _advised(db) == set(accounts)
    with sqlite3.connect(db) as conn:
        ((runs, summary),) = conn.execute("select count(*), summary from runs").fetchall()
    totals = json.loads(summary)  # the run's whole totals: the first night and the retry, not the retry alone
    assert runs == 1 and (totals["failed"], totals["accounts"], totals["retried"]) == (0, 60, 20)
    assert totals["new"] == len(_advised_rows(db)), totals


def test_an_account_past_its_deadline_is_stopped_and_the_others_are_advised(tmp_path: Path) -> None:
    source, db = _portfolio(tmp_path / "p.jsonl", 6), tmp_path / "k.db"
    result = _batch(db, source, "--workers", "2", "--account-timeout", "3", fault="hang:acct-02")
    assert result.exit_code == 1
    assert "acct-02" not in _advised(db) and len(_advised(db)) == 5
    assert "took longer than 3 s (the account deadline); stopped" in result.stderr


def test_retry_needs_a_finished_run_of_that_source(tmp_path: Path) -> None:
    source, db = _portfolio(tmp_path / "p.jsonl", 1), tmp_path / "k.db"
    nothing = _batch(db, source, "--retry-failed")
    assert nothing.exit_code == 1 and f"no run of jsonl:{source} to retry" in nothing.stderr
    both = _batch(db, source, "--retry-failed", "--resume")
    assert both.exit_code == 2 and "one at a time" in both.stderr


def test_on_dask_twenty_crashes_at_random_points_cost_only_their_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    seed = _seed()
    accounts = [f"acct-{i:02d}" for i in range(40)]
    crashing = sorted(random.Random(seed).sample(accounts, 20))
    source, db = _portfolio(tmp_path / "p.jsonl", 40), tmp_path / "k.db"
    monkeypatch.setenv("KAMENGINE_FAULT_INJECT", "crash:" + ",".join(crashing))  # before the workers start
    import dask

    # LocalCluster closes for good a worker it finds missing 15 s after any of its deaths (the
    # default lost-worker-timeout): with twenty deaths on a busy machine that can catch one
    # mid-restart, leave the run without workers, or close a worker under an innocent account.
    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.deploy.lost-worker-timeout": "1h"}
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
    ):
        result = _batch(db, source, "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 1, (seed, result.output)
    statuses = _statuses(db)
    assert sorted(a for a, s in statuses.items() if s == "failed") == crashing, (seed, result.output)
    assert _advised(db) == set(accounts) - set(crashing), (seed, result.output)
    assert result.stderr.count("worker process died 2 times while this account ran alone") == 20, seed


def test_on_dask_a_worker_killed_from_outside_under_an_innocent_account_does_not_cost_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    source, db = _portfolio(tmp_path / "p.jsonl", 1), tmp_path / "k.db"
    monkeypatch.setenv("KAMENGINE_FAULT_INJECT", "sleep:2")  # time to kill the worker while it evaluates
    import dask

    settings = {"distributed.scheduler.allowed-failures": 0, "distributed.deploy.lost-worker-timeout": "1h"}
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        distributed.Client(cluster.scheduler_address) as client,
    ):
        (pid,) = client.run(os.getpid).values()

        def kill_once_the_account_runs() -> None:
            while not any(client.processing().values()):
                time.sleep(0.05)
            time.sleep(0.5)
            os.kill(pid, signal.SIGKILL)  # as a cluster manager or the OOM killer would

        killer = threading.Thread(target=kill_once_the_account_runs)
        killer.start()
        result = _batch(db, source, "--executor", "dask", "--scheduler", cluster.scheduler_address)
        killer.join()
    assert result.exit_code == 0, result.output
    assert _statuses(db) == {"acct-00": "done"} and _advised(db) == {"acct-00"}


def _advised_rows(db: Path) -> list[tuple[str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select id from recommendations").fetchall()
