"""Local worker processes for the nightly batch: each evaluates accounts; this process writes the store.

The writing process only reads the source and writes: a source that can (``Source.parse``)
hands over its records unparsed, and workers parse, validate, advise and answer with the
account's advice in the store's row form, so that the one writer is not what limits the
run. Each worker builds its advisor (and its durable rulesets) once; a worker that dies —
an exception it cannot report, or a segfault inside the C engine — costs only the account
it held: the supervisor never writes to its pipe again, records that account as failed with
the signal, hands the accounts queued behind it to the others and starts a new worker. A
worker that holds one account longer than the account deadline is stopped the same way.
Threads would give no parallelism (durable holds the GIL).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import KamengineError, plain
from .executor import IDLE_SECONDS, Answer, Job, Task
from .signals import Interrupted, check, ignore_interrupts, interrupts_held_for_children, wakeup
from .worker import Evaluation

_STARTED = "started"  # a worker's first message when it is ready; anything else says why not


def _worker_main(conn: Connection) -> None:
    ignore_interrupts()
    try:
        job: Job = conn.recv()  # sent once the process runs: see _Worker.brief
        evaluation = Evaluation(job)
    except Exception as exc:  # told to the supervisor, which stops the run: every account would fail
        conn.send(plain(exc))
        return
    conn.send(_STARTED)
    # A thread takes tasks off the pipe as soon as they come, so the supervisor never blocks
    # sending one while this process is blocked sending an answer it has not read yet.
    inbox: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
    threading.Thread(target=_receive_tasks, args=(conn, inbox), daemon=True).start()
    while (task := inbox.get()) is not None:
        conn.send(evaluation(task))
    evaluation.close()


def _receive_tasks(conn: Connection, inbox: queue.SimpleQueue[Task | None]) -> None:
    try:
        while (task := conn.recv()) is not None:
            inbox.put(task)
    except (EOFError, OSError):  # the supervisor is gone
        pass
    inbox.put(None)


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        # The job is not an argument: multiprocessing writes a spawned process's arguments while it still holds
        # the other end of that pipe, so a child killed while starting (SIGTERM to the process group) left this
        # process blocked on the write for ever. It goes through our own pipe instead (``brief``).
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True)
        with interrupts_held_for_children():
            self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # sent, in the order the worker handles them
        self.started = False  # its first message says whether it could build its evaluation
        self.broken = False  # its pipe broke: it died, and is never written to again
        self.since: float | None = None  # when it began the account it is on

    def brief(self, job: Job) -> None:
        """Send the job; a worker that died meanwhile is found by its sentinel, as any death."""
        try:
            self.conn.send(job)
        except OSError:
            self.broken = True

    def start(self, message: str) -> None:
        if message != _STARTED:
            raise KamengineError(f"a worker process could not start: {message}")
        self.started = True
        self.since = time.monotonic() if self.tasks else None

    def send(self, task: Task) -> None:
        """Queue a task; a worker whose pipe broke (it died) keeps it, for the death to be handled once."""
        if not self.tasks and self.started:
            self.since = time.monotonic()
        self.tasks.append(task)
        if self.broken:
            return
        try:
            self.conn.send(task)
        except OSError:  # BrokenPipeError, ConnectionResetError: dead; its sentinel tells the supervisor
            self.broken = True

    def answered(self) -> Task:
        """The account it was on is answered: it goes on to the next one queued."""
        self.since = time.monotonic() if len(self.tasks) > 1 else None
        return self.tasks.popleft()

    def overdue(self, deadline: float | None, now: float) -> bool:
        return deadline is not None and self.since is not None and now - self.since > deadline

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):  # it may be dead already
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class ProcessExecutor:
    """Evaluates tasks in N worker processes, replacing any that die.

    Each worker has up to ``DEPTH`` accounts queued, so it always has the next one while
    this process writes to the store (a group commit can take tens of milliseconds). When a
    worker dies, the account it was on (the first it had not answered) is the one that
    failed; the others go back to the queue.
    """

    DEPTH = 8

    def __init__(
        self, workers: int, identify: Callable[[Task], str] | None = None, account_timeout: float | None = None
    ) -> None:
        self.size = max(1, workers)
        self.identify = identify or (lambda task: task.origin)
        self.account_timeout = account_timeout  # seconds one account may take; None: no deadline
        self.context = multiprocessing.get_context("spawn")  # no inherited durable state or threads
        self.restarts = 0
        self.on_idle: Callable[[], None] | None = None

    def run(self, job: Job, tasks: Iterable[Task], on_answer: Callable[[Answer], None]) -> None:
        workers = [_Worker(self.context) for _ in range(self.size)]
        for worker in workers:  # all started first: they import and build their rules side by side
            worker.brief(job)
        source: Iterator[Task] = iter(tasks)
        retry: deque[Task] = deque()  # tasks a dead worker had queued but not started
        exhausted = False
        try:
            while True:
                for worker in workers:
                    while not worker.broken and len(worker.tasks) < self.DEPTH and not (exhausted and not retry):
                        task = retry.popleft() if retry else next(source, None)
                        if task is None:
                            exhausted = True
                            break
                        worker.send(task)
                busy = [w for w in workers if w.tasks]
                if not busy:
                    return
                waiting = [w.conn for w in busy] + [w.process.sentinel for w in busy] + wakeup()
                ready = wait(waiting, self._wait(busy))
                if not ready and self.on_idle is not None:
                    self.on_idle()
                check()  # before deaths: a SIGTERM to the whole process group kills workers too
                now = time.monotonic()
                for worker in busy:
                    answer = _receive(worker) if worker.conn in ready else None
                    if isinstance(answer, Answer):
                        worker.answered()
                        on_answer(answer)
                    elif answer is not None:
                        worker.start(answer)
                    elif worker.process.sentinel in ready or worker.conn in ready:
                        worker.process.join(timeout=5)
                        if not worker.started:  # it would die again on every account
                            raise KamengineError(
                                f"a worker process died while starting ({_death(worker.process.exitcode)})"
                            )
                        self._replace(
                            worker,
                            workers,
                            job,
                            retry,
                            on_answer,
                            f"worker process died ({_death(worker.process.exitcode)})",
                        )
                    elif worker.overdue(self.account_timeout, now):
                        worker.process.kill()
                        worker.process.join(timeout=5)
                        why = f"took longer than {self.account_timeout:g} s (the account deadline); stopped"
                        self._replace(worker, workers, job, retry, on_answer, why)
        except Interrupted:
            for worker in workers:  # what they hold is not written: --resume evaluates it again
                worker.process.kill()
            raise
        finally:
            for worker in workers:
                worker.stop()

    def _wait(self, busy: list[_Worker]) -> float | None:
        """How long to wait for an answer before an account's deadline passes, or before ``on_idle`` is due
        (None: no deadline, nothing to call)."""
        idle = IDLE_SECONDS if self.on_idle is not None else None
        if self.account_timeout is None:
            return idle
        started = [w.since for w in busy if w.since is not None]
        until = max(0.0, min(started) + self.account_timeout - time.monotonic()) if started else self.account_timeout
        return until + 0.01 if idle is None else min(until + 0.01, idle)

    def _replace(
        self, worker: _Worker, workers: list[_Worker], job: Job, retry: deque[Task],
        on_answer: Callable[[Answer], None], why: str,
    ) -> None:  # fmt: skip
        """A worker is gone: the account it was on fails with ``why``, its queue goes to the others."""
        workers.remove(worker)
        worker.broken = True  # never written to again
        lost = worker.tasks.popleft()
        on_answer(Answer(lost.origin, self.identify(lost), error=f"{lost.origin}: {why}"))
        retry.extend(worker.tasks)
        workers.append(_Worker(self.context))
        workers[-1].brief(job)
        self.restarts += 1


def _receive(worker: _Worker) -> Answer | str | None:
    """The worker's answer (or, first, how its start went); None when its pipe closed because it died."""
    try:
        message: Answer | str = worker.conn.recv()
    except Exception:  # EOF, a broken pipe, or half a message from a process that died writing it
        return None
    return message


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
