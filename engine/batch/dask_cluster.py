"""Evaluation on a Dask cluster (``kamengine[dask]``): partitions of accounts, one advisor per worker.

The store is still written by the one process that runs ``kamengine batch``; workers only
evaluate. A partition whose worker dies is retried by Dask (the scheduler's
``allowed-failures``); if it keeps dying, each of its accounts is sent again, alone on the
cluster, so that only the account that kills a worker is recorded as failed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from ..errors import KamengineError
from .executor import Answer, Job, Task
from .worker import Evaluation

# Per Dask worker process: the evaluation of the job it last worked on, built once (its
# durable host with it); a new run's job replaces it and frees the old host.
_EVALUATIONS: dict[str, Evaluation] = {}


def evaluate_partition(tasks: list[Task], job: Job) -> list[Answer]:
    """Run on a Dask worker: answer for every account of a partition."""
    evaluation = _EVALUATIONS.get(job.token)
    if evaluation is None:
        for old in _EVALUATIONS.values():
            old.close()
        _EVALUATIONS.clear()
        evaluation = _EVALUATIONS[job.token] = Evaluation(job)
    return [evaluation(task) for task in tasks]


class DaskExecutor:
    """Sends partitions of accounts to a Dask scheduler and hands results back as they finish."""

    def __init__(self, scheduler: str, identify: Callable[[Task], str] | None = None, partition_size: int = 50) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise KamengineError("--executor dask needs Dask: pip install 'kamengine[dask]'") from None
        self.identify = identify or (lambda task: task.origin)
        self.partition_size = partition_size
        self.restarts = 0
        try:
            self.client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise KamengineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None

    def run(self, job: Job, tasks: Iterable[Task], on_answer: Callable[[Answer], None]) -> None:
        from distributed import as_completed

        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        shared: list[Any] = [self.client.scatter(job, broadcast=True)]  # sent once, not with every partition
        partitions = _partitions(iter(tasks), self.partition_size)
        in_flight = as_completed()
        submitted: dict[Any, list[Task]] = {}
        # The accounts of a partition whose workers kept dying, each sent again alone on the
        # cluster: then a worker that dies died of that account, and of no other.
        suspects: deque[Task] = deque()

        def send(partition: list[Task]) -> None:
            future = self.client.submit(evaluate_partition, partition, shared[0], pure=False)
            submitted[future] = partition
            in_flight.add(future)

        def go_on() -> None:
            if not suspects:
                for partition in islice(partitions, 2 * workers - in_flight.count()):
                    send(partition)  # bounded: memory stays flat however large the portfolio
            elif not in_flight.count():
                send([suspects.popleft()])

        go_on()
        try:
            for future in in_flight:
                partition = submitted.pop(future)
                try:
                    answers: list[Answer] = future.result()
                except Exception as exc:  # the partition's workers kept dying
                    if future.status == "cancelled":  # the job died with the workers that held it:
                        shared[0] = job  # from now on it goes with each partition (scattering races deaths)
                        send(partition)
                        continue
                    self.restarts += 1
                    answers = []
                    if len(partition) > 1:
                        suspects.extend(partition)
                    else:
                        (task,) = partition  # alone on the cluster: it is what kills the worker
                        answers = [Answer(task.origin, self.identify(task), error=f"{task.origin}: {_why(exc)}")]
                for answer in answers:
                    on_answer(answer)
                go_on()
        finally:
            self.client.close()


def _why(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return "worker process died (on this account alone, as often as the scheduler allows)"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"Dask worker failed: {type(exc).__name__}: {first}"


def _partitions(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while True:
        partition = list(islice(tasks, size))
        if not partition:
            return
        yield partition
