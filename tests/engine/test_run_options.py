"""RunOptions carry a run's settings into the Engine; one compiled advisor serves every language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.api.options import BatchOptions, RunOptions
from kamengine.engine.batch.executors import make_executor
from kamengine.engine.batch.processes import ProcessExecutor
from kamengine.engine.model.config import Config
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(get_plugin_manager(load_entry_points=False))


def _said(recommendations: list) -> list[dict]:  # type: ignore[type-arg]
    return [r.to_dict() for r in recommendations]


def test_one_advisor_says_in_each_language_what_an_advisor_of_that_language_says(registry: Registry) -> None:
    snapshot = load_snapshot(str(EXAMPLE))
    with Engine(RunOptions(lang="zh"), registry) as chinese, Engine(RunOptions(), registry) as shared:
        zh = _said(chinese.advisor.advise(snapshot).recommendations)
        assert _said(shared.advisor.advise(snapshot, lang="zh").recommendations) == zh
        en = _said(shared.advisor.advise(snapshot).recommendations)
        assert _said(chinese.advisor.advise(snapshot, lang="en").recommendations) == en
        assert zh != en
        asked = shared.advise([f"file:{EXAMPLE}"], lang="zh")
        assert sorted(_said(asked.recommendations), key=str) == sorted(zh, key=str)


def test_the_crisis_option_is_the_same_run_as_a_crisis_in_the_settings(registry: Registry) -> None:
    config = dataclasses.replace(Config(), crisis="chip shortage at our factories")
    settled = Engine(RunOptions(rules=(), config=config), registry)
    crisis = Engine(RunOptions(crisis="chip shortage at our factories"), registry)
    assert crisis.config.crisis == config.crisis and crisis.revision == settled.revision


def test_the_options_settle_the_spec(registry: Registry) -> None:
    options = RunOptions(engine="reference", caps={"per_account": 2}, as_of=dt.date(2027, 1, 4), lang="zh")
    spec = Engine(options, registry).spec
    assert (spec.engine, spec.caps["per_account"], spec.as_of, spec.lang) == ("reference", 2, options.as_of, "zh")
    assert Engine(RunOptions(no_builtin=True, rules=(str(REPO / "rules" / "power_map.yaml"),)), registry).spec.playbooks


def test_the_engine_makes_the_executor_its_options_name(registry: Registry, tmp_path: Path) -> None:
    source = registry.source(f"file:{EXAMPLE}")
    made = make_executor("process", source, workers=2, account_seconds=5)
    assert isinstance(made, ProcessExecutor) and (made.size, made.account_timeout) == (2, 5)
    with Engine(RunOptions(), registry) as engine:
        result = engine.batch(f"file:{EXAMPLE}", store=tmp_path / "k.db", options=BatchOptions(workers=1))
    assert result.ok and result.accounts == 1 and result.outcome.new > 0
