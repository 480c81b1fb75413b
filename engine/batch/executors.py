"""The executor a batch run evaluates on, made in one place from what the run asks for."""

from __future__ import annotations

import os
from typing import Literal

from ..plugin.sources import Source
from .executor import Executor, Task
from .worker import account_of


def make_executor(
    kind: Literal["process", "dask"],
    source: Source,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    account_seconds: float | None = None,
) -> Executor:
    """Local worker processes (``workers``, None: one per core; an account past ``account_seconds`` is
    stopped) or the Dask cluster at ``scheduler``; a worker that dies is reported by the account of
    ``source`` it held."""

    def identify(task: Task) -> str:
        return account_of(task, source)

    if kind == "dask":
        from .dask_cluster import DaskExecutor  # Dask is imported only by a run on a cluster

        return DaskExecutor(scheduler or "", identify)
    from .processes import ProcessExecutor

    return ProcessExecutor(workers or os.cpu_count() or 1, identify, account_seconds)
