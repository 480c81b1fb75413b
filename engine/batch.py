"""The nightly batch: worker processes evaluate accounts, this process writes the store.

Each worker builds its advisor (and its durable rulesets) once and evaluates one account at
a time; a worker that dies — an exception it cannot report, or a segfault inside the C
engine — costs only the account it held: the supervisor records that account as failed and
starts a new worker. Threads would give no parallelism (durable holds the GIL).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from .recommendation import Recommendation
from .snapshot import Snapshot

#: Test hook, never set in production: ``crash:ACCOUNT_ID`` kills the worker holding that
#: account with SIGSEGV; ``sleep:SECONDS`` slows every account down.
FAULT_ENV = "KAMENGINE_FAULT_INJECT"


@dataclass(frozen=True)
class AdvisorSettings:
    """Everything a worker needs to build the same advisor as the command line would."""

    rule_paths: tuple[str, ...] = ()
    no_builtin: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    config_path: str | None = None
    engine: str = "durable"


@dataclass(frozen=True)
class Task:
    account_id: str
    origin: str
    snapshot: Snapshot


@dataclass(frozen=True)
class Result:
    task: Task
    recommendations: list[Recommendation] | None = None
    error: str | None = None


def build_advisor(settings: AdvisorSettings) -> Any:
    """The advisor a worker uses: registered playbooks, kamengine.toml, the given options."""
    from .assembly import configured_advisor, configured_playbooks
    from .config import find_config, load_config
    from .registry import Registry

    registry = Registry()
    config = load_config(find_config(settings.config_path))
    playbooks = configured_playbooks(registry, config, settings.rule_paths, settings.no_builtin, settings.params)
    return configured_advisor(registry, config, playbooks, settings.engine)  # type: ignore[arg-type]


def _worker_main(conn: Connection, settings: AdvisorSettings) -> None:
    advisor = build_advisor(settings)
    fault = os.environ.get(FAULT_ENV, "")
    while True:
        task: Task | None = conn.recv()
        if task is None:
            return
        if fault == f"crash:{task.account_id}":
            os.kill(os.getpid(), signal.SIGSEGV)
        if fault.startswith("sleep:"):
            time.sleep(float(fault[6:]))
        try:
            advice = advisor.advise(task.snapshot)
            # Only the answer travels back: the writer still has the task and its snapshot.
            conn.send((advice.recommendations, None))
        except Exception as exc:  # reported as this account's failure; the worker goes on
            conn.send((None, f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, context: Any, settings: AdvisorSettings) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # sent, in the order the worker handles them

    def send(self, task: Task) -> None:
        self.tasks.append(task)
        self.conn.send(task)

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):  # it may be dead already
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class ProcessExecutor:
    """Evaluates tasks in N worker processes, replacing any that die.

    Each worker has up to ``DEPTH`` accounts queued, so it computes the next one while this
    process writes the last one to the store. When a worker dies, the account it was on (the
    first it had not answered) is the one that failed; the others go back to the queue.
    """

    DEPTH = 2

    def __init__(self, workers: int, settings: AdvisorSettings) -> None:
        self.size = max(1, workers)
        self.settings = settings
        self.context = multiprocessing.get_context("spawn")  # no inherited durable state or threads
        self.restarts = 0

    def run(self, tasks: Iterable[Task], on_result: Callable[[Result], None]) -> None:
        workers = [_Worker(self.context, self.settings) for _ in range(self.size)]
        source: Iterator[Task] = iter(tasks)
        retry: deque[Task] = deque()  # tasks a dead worker had queued but not started
        exhausted = False
        try:
            while True:
                for worker in workers:
                    while len(worker.tasks) < self.DEPTH and not (exhausted and not retry):
                        task = retry.popleft() if retry else next(source, None)
                        if task is None:
                            exhausted = True
                            break
                        worker.send(task)
                busy = [w for w in workers if w.tasks]
                if not busy:
                    return
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
                for worker in busy:
                    answer = _receive(worker) if worker.conn in ready else None
                    if answer is not None:
                        recommendations, error = answer
                        on_result(Result(worker.tasks.popleft(), recommendations, error))
                    elif worker.process.sentinel in ready or worker.conn in ready:
                        worker.process.join(timeout=5)
                        workers.remove(worker)
                        lost = worker.tasks.popleft()
                        on_result(Result(lost, error=f"worker process died ({_death(worker.process.exitcode)})"))
                        retry.extend(worker.tasks)
                        workers.append(_Worker(self.context, self.settings))
                        self.restarts += 1
        finally:
            for worker in workers:
                worker.stop()


def _receive(worker: _Worker) -> tuple[list[Recommendation] | None, str | None] | None:
    """The worker's answer, or None when its pipe closed because it died."""
    try:
        answer: tuple[list[Recommendation] | None, str | None] = worker.conn.recv()
    except (EOFError, OSError):
        return None
    return answer


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
