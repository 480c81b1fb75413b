"""Deadlines for work that may never end: a call into a plugin, one account's evaluation.

Python cannot stop a thread, so there are two ways, each where it works:

- ``in_thread``: the call runs in a daemon thread and we stop waiting for it at the deadline
  (an emitter that hangs: the run reports it and goes on; the thread dies with the process);
- ``alarm``: in the main thread of a Unix process, SIGALRM interrupts Python code at the
  deadline (an enricher looping on one account during ``advise``).

Work that can hang inside C code is stopped from outside instead: a batch worker past the
account deadline is killed by the supervisor.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from ..errors import KamengineError

T = TypeVar("T")


class DeadlineExceeded(KamengineError):
    """A unit of work took longer than its deadline; it failed, the rest goes on."""


def in_thread(call: Callable[[], T], seconds: float, what: str) -> T:
    """``call()``, or DeadlineExceeded when it has not returned after ``seconds``."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller, whatever it is
            failure.append(exc)

    worker = threading.Thread(target=run, name=f"kamengine: {what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DeadlineExceeded(f"{what} did not finish within {seconds:g} s")
    if failure:
        raise failure[0]
    return outcome[0]


@contextlib.contextmanager
def alarm(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the block with DeadlineExceeded after ``seconds`` (main thread on Unix; elsewhere no deadline)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0]:  # someone else's timer is running: leave it be
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"{what} took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
