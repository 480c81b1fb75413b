"""On Dask, an account is blamed only for deaths proven twice, and a cluster with no worker fails the run, not hangs it."""

from __future__ import annotations

import logging
import time

import pytest
from kamengine.engine.batch.dask_cluster import CONFIRMING_DEATHS, DaskExecutor, deaths_shown
from kamengine.engine.batch.executor import Answer, Job, Task
from kamengine.engine.plugin.sources import SourceRecord

distributed = pytest.importorskip("distributed")


def test_one_death_alone_proves_nothing_and_a_killed_worker_counts_every_death_the_scheduler_saw() -> None:
    from distributed.scheduler import KilledWorker

    assert deaths_shown(KilledWorker("k", None, 0)) == 1 < CONFIRMING_DEATHS  # type: ignore[arg-type]
    assert deaths_shown(KilledWorker("k", None, 1)) == 2 == CONFIRMING_DEATHS  # type: ignore[arg-type]
    assert deaths_shown(KilledWorker("k", None, 3)) == 4  # type: ignore[arg-type]  # Dask's default: blamed at once
    assert deaths_shown(RuntimeError("raised on the worker")) == 0  # the account's own error, not a death


def test_a_cluster_with_no_worker_fails_every_account_with_why_instead_of_waiting_for_ever() -> None:
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        executor = DaskExecutor(cluster.scheduler_address, partition_size=2, worker_wait=1)
        tasks = [Task(f"p.jsonl:{line}", SourceRecord(f"p.jsonl:{line}")) for line in range(1, 6)]
        job = Job(None, None, "p.jsonl")  # type: ignore[arg-type]  # never evaluated: no worker takes it
        answers: list[Answer] = []
        started = time.monotonic()
        executor.run(job, tasks, answers.append)
    assert time.monotonic() - started < 30
    assert sorted(answer.origin for answer in answers) == sorted(task.origin for task in tasks)
    assert {answer.error for answer in answers} == {
        f"{answer.origin}: no Dask worker at {cluster.scheduler_address} for 1 s; not evaluated" for answer in answers
    }
