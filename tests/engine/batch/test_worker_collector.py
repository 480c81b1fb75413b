"""A batch worker holds the cyclic garbage collector off while it works out an account, and gives it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from kamengine.engine.api import Engine, RunOptions
from kamengine.engine.batch.executor import Job, Task
from kamengine.engine.batch.worker import Evaluation
from kamengine.engine.model.config import load_config
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


@pytest.fixture
def evaluation() -> Iterator[tuple[Evaluation, Task, list[bool]]]:
    """The example's account in a worker's evaluation whose advisor notes whether the collector was on."""
    registry = Registry(get_plugin_manager(load_entry_points=False))
    engine = Engine(RunOptions(config=load_config(None)), registry)
    source = registry.source(f"file:{EXAMPLE}")
    worker = Evaluation(Job(engine.spec, type(source), source.location))
    seen: list[bool] = []
    advise = worker.advisor.advise

    def noting(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return advise(*args, **kwargs)

    worker.advisor.advise = noting  # type: ignore[method-assign]
    yield worker, Task(str(EXAMPLE), next(iter(source.records()))), seen
    worker.close()


def test_off_while_advising_and_on_again_after(evaluation: tuple[Evaluation, Task, list[bool]]) -> None:
    worker, task, seen = evaluation
    assert gc.isenabled()
    answer = worker(task)
    assert answer.advice is not None and answer.advice.rows
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off(evaluation: tuple[Evaluation, Task, list[bool]]) -> None:
    worker, task, seen = evaluation
    gc.disable()
    try:
        worker(task)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [False]


def test_on_again_when_the_account_fails(evaluation: tuple[Evaluation, Task, list[bool]]) -> None:
    worker, task, _ = evaluation

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a rule's bug")

    worker.advisor.advise = broken  # type: ignore[method-assign]
    answer = worker(task)
    assert answer.error is not None and "a rule's bug" in answer.error
    assert gc.isenabled()
