"""Ctrl-C and SIGTERM during a run: noted, and acted on between two accounts, never in the middle of a write.

Python's default turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to
be, which could be inside the store's write of one account. While ``watching()``, both
signals only note themselves; the run checks (``check``) after each account it writes and
the process executor also wakes on them (``wakeup``) when it is waiting for its workers, so
a run stops within moments, with everything it wrote committed and the run open for
``--resume``. Worker processes ignore SIGINT from their first instant: a terminal sends it to
the whole process group, and the supervisor decides.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Iterator
from multiprocessing import resource_tracker
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The run was asked to stop by ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


class _Watch:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.reader, self.writer = socket.socketpair()
        for end in (self.reader, self.writer):
            end.setblocking(False)

    def note(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum


_watch: _Watch | None = None  # signals are process-wide, and so is the watch


@contextlib.contextmanager
def watching() -> Iterator[None]:
    """Within this block, SIGINT and SIGTERM are noted instead of acted on (from the main thread only)."""
    global _watch
    if _watch is not None or threading.current_thread() is not threading.main_thread():
        yield  # nested, or in a thread (a service's run): the default handling stays
        return
    watch = _Watch()
    previous = {s: signal.signal(s, watch.note) for s in SIGNALS}
    previous_fd = signal.set_wakeup_fd(watch.writer.fileno(), warn_on_full_buffer=False)
    _watch = watch
    try:
        yield
    finally:
        _watch = None
        signal.set_wakeup_fd(previous_fd)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        watch.reader.close()
        watch.writer.close()


def check() -> None:
    """Raise ``Interrupted`` if SIGINT or SIGTERM came while watching."""
    if _watch is None:
        return
    with contextlib.suppress(OSError):  # empty it: another signal's byte would wake every wait
        while _watch.reader.recv(64):
            pass
    if _watch.signum is not None:
        raise Interrupted(_watch.signum)


def wakeup() -> list[socket.socket]:
    """What a ``multiprocessing.connection.wait`` should also wait on to wake when a signal comes."""
    return [_watch.reader] if _watch is not None else []


def ignore_interrupts() -> None:
    """In a worker process, first thing: SIGINT is for the supervisor, which stops the workers itself. A SIGINT
    that came while it started waited, blocked (``interrupts_held_for_children``), and is dropped here."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def interrupts_held_for_children() -> Iterator[None]:
    """While a worker process starts: SIGINT blocked in this thread, so the new process begins with it blocked
    (a signal mask outlives exec) and a Ctrl-C to the process group waits in it until ``ignore_interrupts``.
    This process keeps its handler: a SIGINT meanwhile is taken by another thread and noted, never dropped (an
    ignored signal would be discarded, whoever blocks it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # multiprocessing starts its resource tracker with the first process, and unblocks SIGINT when it has:
    # started here first, it cannot undo the block below.
    resource_tracker.ensure_running()
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
