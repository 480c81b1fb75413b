"""A request's engine work in a reused thread, under the account deadline: answered at it, the call left to end."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kamengine.toolkit import DeadlineExceeded

T = TypeVar("T")
#: Idle threads kept for the next calls; one more than this, finishing, ends (a burst of requests leaves no crowd).
IDLE_KEPT = 16


class Timed(Generic[T]):
    """A call whose deadline covers only the part between ``start()`` and ``stop()`` (the engine's evaluation): the
    parse before it and the rendering after it are not the account's, as they never were."""

    def __init__(self, call: Callable[[Timed[T]], T]) -> None:
        self.call = call
        self.started: float | None = None
        self.stopped = False

    def start(self) -> None:
        """The deadline's clock starts now."""
        self.started = time.monotonic()

    def stop(self) -> None:
        """The deadline no longer applies: the timed part has returned."""
        self.stopped = True

    def left(self, seconds: float) -> float | None:
        """How long to wait for the call before asking again: None, as long as it takes (the timed part has
        returned); a whole deadline while it has not begun; 0 once it has run for ``seconds``."""
        if self.stopped:
            return None
        if self.started is None:
            return seconds
        return max(0.0, self.started + seconds - time.monotonic())


class Workers:
    """Threads that each run one call at a time and wait for the next. A call past its deadline keeps its thread
    (Python cannot stop it) and another serves the next call: a thread is started only when none is idle."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._idle: queue.SimpleQueue[queue.SimpleQueue[_Job | None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle_count = 0
        self._closed = False

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        """``call()`` in an idle thread (or a new one), in a copy of the caller's context (its request id)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._hand(_Job(contextvars.copy_context(), call, functools.partial(_settle, future), future))
        return future

    def submit_async(self, call: Callable[[], T]) -> asyncio.Future[T]:
        """``submit`` from the event loop: the outcome is set on the loop's own future by one call from the thread
        (no thread-safe future in between, chained to the loop's by callbacks: a third of a hand-off's cost)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._hand(_Job(contextvars.copy_context(), call, functools.partial(_settle_on_loop, loop, future)))
        return future

    def _hand(self, job: _Job) -> None:
        """``job`` to an idle thread, or to a new one when none is idle."""
        with self._lock:
            inbox = self._idle.get_nowait() if self._idle_count else None
            self._idle_count -= inbox is not None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), name=self.name, daemon=True).start()
        inbox.put(job)

    def _serve(self, inbox: queue.SimpleQueue[_Job | None]) -> None:
        while (job := inbox.get()) is not None:
            settle = job.run()
            del job  # nothing of a request (its body, its answer) stays alive in an idle thread
            kept = self._rest(inbox)  # idle before the caller hears: its next call finds this thread
            settle()
            del settle
            if not kept:
                return

    def _rest(self, inbox: queue.SimpleQueue[_Job | None]) -> bool:
        """Whether the thread of ``inbox`` waits for another call (it ends when enough others do)."""
        with self._lock:
            if self._closed or self._idle_count >= IDLE_KEPT:
                return False
            self._idle_count += 1
            self._idle.put(inbox)
            return True

    def close(self) -> None:
        """The idle threads end; one still running a call ends when it returns."""
        with self._lock:
            self._closed = True
            while self._idle_count:
                self._idle.get_nowait().put(None)
                self._idle_count -= 1


#: What hands a call's outcome to its caller: ``settle(result, None)`` or ``settle(None, exception)``.
Settle = Callable[[Any, BaseException | None], None]


class _Job:
    """One call, its context and what hands its outcome over (``settle``); ``future``, a thread-safe one, may be
    cancelled before the call starts."""

    def __init__(
        self,
        context: contextvars.Context,
        call: Callable[[], Any],
        settle: Settle,
        future: concurrent.futures.Future[Any] | None = None,
    ) -> None:
        self.context, self.call, self.settle, self.future = context, call, settle, future

    def run(self) -> Callable[[], None]:
        """Runs the call; what hands its outcome over."""
        if self.future is not None and not self.future.set_running_or_notify_cancel():
            return lambda: None
        try:
            outcome = self.context.run(self.call)
        except BaseException as exc:  # handed to the caller, whatever it is
            return functools.partial(self.settle, None, exc)
        return functools.partial(self.settle, outcome, None)


def _settle(future: concurrent.futures.Future[Any], outcome: Any, exc: BaseException | None) -> None:
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(outcome)


def _settle_on_loop(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], outcome: Any, exc: BaseException | None
) -> None:
    """From the thread: the outcome set on the loop's future by the loop (a loop closed meanwhile has no caller)."""
    with contextlib.suppress(RuntimeError):  # the loop closed (shutdown) after the request was given up
        loop.call_soon_threadsafe(_set, future, outcome, exc)


def _set(future: asyncio.Future[Any], outcome: Any, exc: BaseException | None) -> None:
    if future.cancelled():  # the request was cancelled (the client left, shutdown): nobody waits for it
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(outcome)


def wait(workers: Workers, timed: Timed[T], seconds: float, what: str) -> T:
    """``timed``'s outcome; DeadlineExceeded when its timed part runs past ``seconds`` (the call goes on alone)."""
    future = workers.submit(lambda: timed.call(timed))
    while (left := timed.left(seconds)) != 0:
        done, _ = concurrent.futures.wait([future], timeout=left)
        if done:
            return future.result()
    raise DeadlineExceeded(f"{what} did not finish within {seconds:g} s")


async def wait_async(workers: Workers, timed: Timed[T], seconds: float, what: str) -> T:
    """``wait`` for the event loop: the loop serves other requests while the call runs, and is woken once by its
    end (no thread waits for it as well)."""
    future = workers.submit_async(lambda: timed.call(timed))
    while (left := timed.left(seconds)) != 0:
        done, _ = await asyncio.wait([future], timeout=left)
        if done:
            return future.result()
    raise DeadlineExceeded(f"{what} did not finish within {seconds:g} s")
