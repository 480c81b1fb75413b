"""Two processes opening a new store at the same moment (two ``serve`` instances started together) both get it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from queue import Queue


def _open(path: Path, answers: Queue[str]) -> None:
    from kamengine.engine.store.store import Store

    try:
        Store(path).close()
        answers.put("ok")
    except Exception as exc:  # the test reports what a process met, whatever it is
        answers.put(f"{type(exc).__name__}: {exc}")


def test_two_processes_migrate_a_new_store_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for trial in range(4):  # without the retry, 8 of 12 such pairs had one fail
        answers = context.Queue()
        path = tmp_path / f"k{trial}.db"
        processes = [context.Process(target=_open, args=(path, answers)) for _ in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        assert sorted(answers.get(timeout=5) for _ in processes) == ["ok", "ok"]
