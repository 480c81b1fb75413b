"""service/calls.py: requests' engine work in reused threads, under a deadline that covers only the timed part."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterator

import pytest
from kamengine.service.calls import Timed, Workers, wait, wait_async
from kamengine.toolkit import DeadlineExceeded

LABEL: contextvars.ContextVar[str] = contextvars.ContextVar("label", default="unset")


@pytest.fixture
def workers() -> Iterator[Workers]:
    made = Workers("test")
    yield made
    made.close()


def _untimed(call: object) -> Timed[object]:
    """A Timed whose whole call is timed, as ``within_deadline`` makes it."""

    def run(timed: Timed[object]) -> object:
        timed.start()
        return call() if callable(call) else call

    return Timed(run)


def test_a_thread_is_reused_by_the_next_call(workers: Workers) -> None:
    first = wait(workers, _untimed(threading.get_ident), 5, "calling")
    second = wait(workers, _untimed(threading.get_ident), 5, "calling")
    assert first == second != threading.get_ident()


def test_the_call_runs_in_the_callers_context(workers: Workers) -> None:
    held = LABEL.set("request 7")
    try:
        assert wait(workers, _untimed(LABEL.get), 5, "calling") == "request 7"
    finally:
        LABEL.reset(held)
    assert wait(workers, _untimed(LABEL.get), 5, "calling") == "unset"  # the thread kept nothing of the last call


def test_a_call_past_its_deadline_is_left_and_the_next_is_served(workers: Workers) -> None:
    released = threading.Event()
    with pytest.raises(DeadlineExceeded, match=r"looping did not finish within 0\.2 s"):
        wait(workers, _untimed(released.wait), 0.2, "looping")
    try:
        assert wait(workers, _untimed(lambda: 7), 5, "calling") == 7  # another thread: the first is still waiting
    finally:
        released.set()


def test_the_deadline_starts_when_the_timed_part_does(workers: Workers) -> None:
    before = threading.Event()

    def call(timed: Timed[str]) -> str:
        before.wait(0.6)  # the parse: longer than the deadline, not under it
        timed.start()
        timed.stop()
        before.wait(0.6)  # the rendering: after the timed part, not under it either
        return "advised"

    assert wait(workers, Timed(call), 0.2, "advising") == "advised"


def test_the_calls_own_errors_reach_the_caller_as_they_are(workers: Workers) -> None:
    def late() -> None:
        raise TimeoutError("the CRM did not answer")  # not the deadline's: the caller sees it as raised

    with pytest.raises(TimeoutError, match="the CRM did not answer"):
        wait(workers, _untimed(late), 5, "calling")


def test_the_event_loop_waits_without_a_thread_of_its_own(workers: Workers) -> None:
    released = threading.Event()

    async def both() -> tuple[object, str]:
        answer = await wait_async(workers, _untimed(lambda: 7), 5, "calling")
        try:
            await wait_async(workers, _untimed(released.wait), 0.2, "looping")
        except DeadlineExceeded as exc:
            return answer, str(exc)
        return answer, "no deadline"

    try:
        assert asyncio.run(both()) == (7, "looping did not finish within 0.2 s")
    finally:
        released.set()


def test_closing_ends_the_idle_threads() -> None:
    workers = Workers("closing")
    thread = wait(workers, _untimed(threading.current_thread), 5, "calling")
    assert isinstance(thread, threading.Thread) and thread.is_alive()  # idle, waiting for the next call
    workers.close()
    thread.join(5)
    assert not thread.is_alive()


def test_from_the_event_loop_the_calls_errors_and_context_reach_it_as_in_a_thread(workers: Workers) -> None:
    def late() -> None:
        raise TimeoutError("the CRM did not answer")

    async def both() -> tuple[object, object]:
        held = LABEL.set("request 9")
        try:
            label = await wait_async(workers, _untimed(LABEL.get), 5, "calling")
        finally:
            LABEL.reset(held)
        with pytest.raises(TimeoutError, match="the CRM did not answer"):
            await wait_async(workers, _untimed(late), 5, "calling")
        return label, await wait_async(workers, _untimed(threading.get_ident), 5, "calling")

    label, thread = asyncio.run(both())
    assert label == "request 9" and thread != threading.get_ident()


def test_a_call_that_ends_after_its_loop_closed_leaves_its_thread_serving(workers: Workers) -> None:
    released = threading.Event()
    thread = wait(workers, _untimed(threading.current_thread), 5, "calling")

    async def given_up() -> None:
        with pytest.raises(DeadlineExceeded):
            await wait_async(workers, _untimed(released.wait), 0.1, "looping")

    asyncio.run(given_up())  # the loop is closed when the call returns: its answer has nowhere to go
    released.set()
    for _ in range(500):  # until the thread is idle again, or has ended
        if workers._idle_count or not thread.is_alive():
            break
        threading.Event().wait(0.01)
    assert thread.is_alive()  # it hands its answer nowhere and waits for the next call
    assert wait(workers, _untimed(threading.current_thread), 5, "calling") is thread
