"""Signals during a run: the supervisor notes them between accounts; worker processes ignore Ctrl-C."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.batch.executor import Answer, Job, Task
from kamengine.engine.batch.processes import _Worker
from kamengine.engine.batch.signals import Interrupted, check, wakeup, watching
from kamengine.engine.plugin.manager import get_plugin_manager
from kamengine.engine.plugin.registry import Registry
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
    job = Job(Engine(registry).spec, type(source), source.location)
    worker = _Worker(multiprocessing.get_context("spawn"), job)
    try:
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGINT)  # before it could set anything up
        assert worker.conn.poll(60)
        worker.start(worker.conn.recv())
        os.kill(worker.process.pid, signal.SIGINT)
        worker.send(Task(source.location, next(iter(source.records()))))
        assert worker.conn.poll(60)
        answer = worker.conn.recv()
        assert isinstance(answer, Answer) and answer.advice is not None and worker.process.is_alive()
    finally:
        worker.stop()
