"""Evaluation on a Dask cluster (``kamengine[dask]``): partitions of accounts, one advisor per worker.

The store is still written by the one process that runs ``kamengine batch``; workers only
evaluate. A partition whose worker dies is retried by Dask (the scheduler's
``allowed-failures``); if it keeps dying, each of its accounts is sent again, alone on the
cluster. A worker can also vanish under an innocent account (a cluster manager or an
autoscaler closing it), so an account is recorded as failed only when workers died at least
twice while it ran alone. No wait is unbounded: a cluster left without a worker for
``worker_wait`` seconds fails what is left of the run, each account with why.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from itertools import chain, islice
from time import monotonic
from typing import Any

from ..errors import KamengineError
from .executor import IDLE_SECONDS, Answer, Job, Task
from .worker import Evaluation
from .worker_plugins import check_workers

# Per Dask worker process: the evaluation of the job it last worked on, built once (its
# durable host with it); a new run's job replaces it and frees the old host.
_EVALUATIONS: dict[str, Evaluation] = {}

#: Worker deaths, all while an account ran alone, that prove the account kills workers: one
#: could be a worker closed by its cluster manager; two independent ones are not chance.
CONFIRMING_DEATHS = 2
_LOOK = 1.0  # seconds between looks at the cluster while nothing finishes


def evaluate_partition(tasks: list[Task], job: Job) -> list[Answer]:
    """Run on a Dask worker: answer for every account of a partition."""
    evaluation = _EVALUATIONS.get(job.token)
    if evaluation is None:
        for old in _EVALUATIONS.values():
            old.close()
        _EVALUATIONS.clear()
        evaluation = _EVALUATIONS[job.token] = Evaluation(job)
    return [evaluation(task) for task in tasks]


def deaths_shown(exc: BaseException) -> int:
    """How many worker deaths a failed run proves: a KilledWorker counts every worker the scheduler saw die."""
    if type(exc).__name__ == "KilledWorker":
        return int(getattr(exc, "allowed_failures", 0)) + 1
    return 0


def _check_security(scheduler: str) -> None:
    """A TLS cluster reached without the client's certificate, or a plain address where Dask's settings require
    encryption, is a clear message here: distributed itself raises a TypeError or a RuntimeError."""
    from distributed.security import Security

    tls = Security()  # Dask's configuration: DASK_DISTRIBUTED__COMM__TLS__* or ~/.config/dask (docs/batch.md)
    cannot = f"cannot reach the Dask scheduler at {scheduler}"
    if scheduler.startswith("tls://") and not (tls.tls_ca_file and tls.tls_client_cert):
        raise KamengineError(
            f"{cannot}: a tls:// scheduler needs the client's certificate: set DASK_DISTRIBUTED__COMM__TLS__CA_FILE,"
            " DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY (docs/batch.md)"
        )
    if tls.require_encryption and not scheduler.startswith("tls://"):
        raise KamengineError(f"{cannot}: Dask's settings require encryption; give the tls:// address (docs/batch.md)")


class DaskExecutor:
    """Sends partitions of accounts to a Dask scheduler and hands results back as they finish."""

    def __init__(
        self,
        scheduler: str,
        identify: Callable[[Task], str] | None = None,
        partition_size: int = 50,
        worker_wait: float = 120.0,
    ) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise KamengineError("--executor dask needs Dask: pip install 'kamengine[dask]'") from None
        self.identify = identify or (lambda task: task.origin)
        self.partition_size = partition_size
        self.worker_wait = worker_wait  # how long a run waits on a cluster with no worker before giving up
        self.scheduler = scheduler
        self.restarts = 0
        self.on_idle: Callable[[], None] | None = None
        _check_security(scheduler)
        try:
            self.client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise KamengineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None

    def run(self, job: Job, tasks: Iterable[Task], on_answer: Callable[[Answer], None]) -> None:
        try:
            _Run(self, job, tasks, on_answer).run()
        finally:
            self.client.close()

    def ready(self, job: Job) -> None:
        """Stop before the run, naming the worker, if a worker lacks kamengine's version or a plugin ``job`` uses."""
        try:
            check_workers(self.client, job)
        except KamengineError:
            self.client.close()
            raise

    def workers(self) -> int:
        """The workers the scheduler has now."""
        return len(self.client.scheduler_info().get("workers", {}))


class _Run:
    """One run on the cluster: the units in flight, the accounts under suspicion, the deaths seen."""

    def __init__(self, executor: DaskExecutor, job: Job, tasks: Iterable[Task], on_answer: Callable[[Answer], None]):
        self.executor, self.client, self.job, self.on_answer = executor, executor.client, job, on_answer
        self.slots = 2 * max(1, executor.workers())
        self.shared: Any = job
        with contextlib.suppress(TimeoutError):  # sent once, not with every partition (without a worker: by value)
            self.shared = self.client.scatter(job, broadcast=True, timeout=executor.worker_wait)
        self.partitions = _partitions(iter(tasks), executor.partition_size)
        self.pending: dict[Any, list[Task]] = {}
        # The accounts of a partition whose workers kept dying, each sent again alone on the
        # cluster: then a worker that dies died of that account, or of something outside the run.
        self.suspects: deque[Task] = deque()
        self.deaths: dict[str, int] = {}  # origin -> worker deaths while it ran alone
        self.looked = monotonic()
        self.empty_since: float | None = None  # when the cluster was last seen without a worker

    def run(self) -> None:
        from distributed import wait

        self.go_on()
        while self.pending:
            # Nothing finished in time, or a unit was cancelled with the job it needed: both are seen below.
            with contextlib.suppress(TimeoutError, CancelledError):
                wait(list(self.pending), timeout=min(_LOOK, IDLE_SECONDS), return_when="FIRST_COMPLETED")
            finished = [future for future in self.pending if future.done()]
            for future in finished:
                self.finish(future)
            if not finished and self.executor.on_idle is not None:
                self.executor.on_idle()
            if monotonic() - self.looked >= _LOOK:
                self.look()
            self.go_on()

    def send(self, partition: list[Task]) -> None:
        future = self.client.submit(evaluate_partition, partition, self.shared, pure=False)
        self.pending[future] = partition

    def go_on(self) -> None:
        if not self.suspects:
            for partition in islice(self.partitions, self.slots - len(self.pending)):
                self.send(partition)  # bounded: memory stays flat however large the portfolio
        elif not self.pending:
            self.send([self.suspects.popleft()])

    def finish(self, future: Any) -> None:
        partition = self.pending.pop(future)
        try:
            answers: list[Answer] = future.result(timeout=self.executor.worker_wait)
        except TimeoutError:  # its result went with a worker and was not made again in time
            self.send(partition)
            return
        except Exception as exc:  # the partition's workers kept dying
            if future.status == "cancelled":  # the job died with the workers that held it:
                self.shared = self.job  # from now on it goes with each partition (scattering races deaths)
                self.send(partition)
                return
            self.executor.restarts += 1
            answers = self.blame(partition, exc)
        for answer in answers:
            self.on_answer(answer)

    def blame(self, partition: list[Task], exc: BaseException) -> list[Answer]:
        """The answers a failed unit gives: none yet while the culprit is unproven, else the account's failure."""
        if len(partition) > 1:
            self.suspects.extend(partition)
            return []
        (task,) = partition
        shown = deaths_shown(exc)
        if not shown:  # the evaluation itself raised on the worker: that is the account's own error
            return [self.failed(task, f"Dask worker failed: {type(exc).__name__}: {_first_line(exc)}")]
        deaths = self.deaths[task.origin] = self.deaths.get(task.origin, 0) + shown
        if deaths < CONFIRMING_DEATHS:
            self.suspects.appendleft(task)  # once more, alone: a second death is not chance
            return []
        return [self.failed(task, f"worker process died {deaths} times while this account ran alone on the cluster")]

    def look(self) -> None:
        """Gives up on a cluster that has had no worker for ``worker_wait`` seconds: every account left fails."""
        self.looked = now = monotonic()
        if self.executor.workers():
            self.empty_since = None
            return
        self.empty_since = self.empty_since or now
        if now - self.empty_since < self.executor.worker_wait:
            return
        self.client.cancel(list(self.pending))
        left = chain([*self.pending.values(), list(self.suspects)], self.partitions)
        self.pending.clear()
        self.suspects.clear()
        why = f"no Dask worker at {self.executor.scheduler} for {self.executor.worker_wait:g} s; not evaluated"
        for task in chain.from_iterable(left):
            self.on_answer(self.failed(task, why))

    def failed(self, task: Task, why: str) -> Answer:
        return Answer(task.origin, self.executor.identify(task), error=f"{task.origin}: {why}")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else ""


def _partitions(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    while True:
        partition = list(islice(tasks, size))
        if not partition:
            return
        yield partition
