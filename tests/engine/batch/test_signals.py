"""Signals during a run: the supervisor notes them between accounts; worker processes ignore Ctrl-C."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.batch.executor import Answer, Job, Task
from kamengine.engine.batch.processes import _Worker
from kamengine.engine.batch.signals import Interrupted, check, interrupts_held_for_children, wakeup, watching
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO


def test_while_watching_a_signal_is_noted_not_raised_and_the_default_comes_back() -> None:
    default = signal.getsignal(signal.SIGINT)
    with watching():
        assert len(wakeup()) == 1
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)  # the first signal is the one reported
        with pytest.raises(Interrupted) as stopped:
            check()
        assert stopped.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGINT) is default and wakeup() == []
    check()  # nothing to report outside


def test_a_worker_process_ignores_ctrl_c_even_while_it_starts() -> None:
    registry = Registry(get_plugin_manager(load_entry_points=False))
    source = registry.source(f"file:{REPO / 'examples' / 'acme-telecom.yaml'}")
    job = Job(Engine(registry=registry).spec, type(source), source.location)
    worker = _Worker(multiprocessing.get_context("spawn"))
    try:
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGINT)  # before it could set anything up
        worker.brief(job)
        assert worker.conn.poll(60)
        worker.start(worker.conn.recv())
        os.kill(worker.process.pid, signal.SIGINT)
        worker.send(Task(source.location, next(iter(source.records()))))
        assert worker.conn.poll(60)
        answer = worker.conn.recv()
        assert isinstance(answer, Answer) and answer.advice is not None and worker.process.is_alive()
    finally:
        worker.stop()


def test_ctrl_c_while_a_worker_starts_is_noted_by_the_supervisor_not_dropped() -> None:
    with watching():
        with interrupts_held_for_children():
            os.kill(os.getpid(), signal.SIGINT)  # held here (blocked), not ignored: it must not be lost
            worker = _Worker(multiprocessing.get_context("spawn"))
        try:
            with pytest.raises(Interrupted) as stopped:
                check()
            assert stopped.value.signum == signal.SIGINT
        finally:
            worker.process.kill()
            worker.process.join(10)


def test_a_worker_killed_while_it_starts_does_not_hold_the_supervisor() -> None:
    registry = Registry(get_plugin_manager(load_entry_points=False))
    source = registry.source(f"file:{REPO / 'examples' / 'acme-telecom.yaml'}")
    big = Job(
        Engine(registry=registry).spec,
        type(source),
        source.location,
        skip=frozenset(f"acct-{i}" for i in range(50_000)),
    )
    worker = _Worker(multiprocessing.get_context("spawn"))
    os.kill(worker.process.pid or 0, signal.SIGKILL)  # as a SIGTERM to the process group would
    worker.process.join(30)
    worker.brief(big)  # megabytes to a process that is gone: a broken pipe at once, not a write for ever
    assert worker.broken
