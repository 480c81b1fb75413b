"""Evaluation on a Dask cluster (``kamengine[dask]``): partitions of accounts, one advisor per worker.

The store is still written by the one process that runs ``kamengine batch``; workers only
evaluate. A partition whose worker dies is retried by Dask and, if it keeps dying, its
accounts are recorded as failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from .batch import AdvisorSettings, Result, Task, build_advisor
from .errors import KamengineError

_ADVISORS: dict[str, Any] = {}  # per worker process, by repr(settings): its host is built once


def evaluate_partition(tasks: list[Task], settings: AdvisorSettings) -> list[Result]:
    """Run on a Dask worker: advise on every account of a partition."""
    key = repr(settings)
    advisor = _ADVISORS.get(key)
    if advisor is None:
        advisor = _ADVISORS[key] = build_advisor(settings)
    results = []
    for task in tasks:
        try:
            results.append(Result(task, recommendations=advisor.advise(task.snapshot).recommendations))
        except Exception as exc:  # this account fails; the partition goes on
            results.append(Result(task, error=f"{type(exc).__name__}: {exc}"))
    return results


class DaskExecutor:
    """Sends partitions of accounts to a Dask scheduler and hands results back as they finish."""

    def __init__(self, scheduler: str, settings: AdvisorSettings, partition_size: int = 50) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise KamengineError("--executor dask needs Dask: pip install 'kamengine[dask]'") from None
        self.settings = settings
        self.partition_size = partition_size
        self.restarts = 0
        try:
            self.client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise KamengineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None

    def run(self, tasks: Iterable[Task], on_result: Callable[[Result], None]) -> None:
        from distributed import as_completed

        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        partitions = _partitions(iter(tasks), self.partition_size)
        in_flight = as_completed()
        submitted: dict[Any, list[Task]] = {}

        def submit(count: int) -> None:
            for partition in islice(partitions, count):
                future = self.client.submit(evaluate_partition, partition, self.settings, pure=False)
                submitted[future] = partition
                in_flight.add(future)

        submit(2 * workers)  # bounded: memory stays flat however large the portfolio
        try:
            for future in in_flight:
                partition = submitted.pop(future)
                try:
                    results: list[Result] = future.result()
                except Exception as exc:  # the partition's workers kept dying
                    results = [
                        Result(task, error=f"Dask worker failed: {type(exc).__name__}: {exc}") for task in partition
                    ]
                for result in results:
                    on_result(result)
                submit(1)
        finally:
            self.client.close()


def _partitions(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while True:
        partition = list(islice(tasks, size))
        if not partition:
            return
        yield partition
