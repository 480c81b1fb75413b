"""Nothing hangs: a slow account, a hanging emitter or enricher fails that unit by its deadline; the rest goes on."""

from __future__ import annotations

import dataclasses
import io
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from kamengine.engine.api import Engine, RunOptions
from kamengine.engine.delivery.deadlines import DeadlineExceeded, alarm, in_thread
from kamengine.engine.model.config import Config
from kamengine.engine.model.fields import FieldSpec
from kamengine.engine.model.limits import Limits
from kamengine.engine.plugin import EmitContext, Emitter, Enricher, Recommendation
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLES = REPO / "examples" / "portfolio"


class Stuck(Emitter):
    PLUGIN_NAME = "stuck"

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        time.sleep(60)
        return "never"


class Counted(Emitter):
    PLUGIN_NAME = "counted"

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        return f"{len(recommendations)} recommendations"


class Looping(Enricher):
    """Never finishes on Initech (until the test that left it looping in a thread releases it); instant elsewhere."""

    PLUGIN_NAME = "looping"
    FIELDS: ClassVar = {"account": (FieldSpec("loop_marker", "int", "a test field"),)}
    released = threading.Event()

    def values(self, kind: str, record: object, snapshot: object) -> dict[str, int]:
        while kind == "account" and getattr(record, "id", "") == "initech" and not self.released.is_set():
            time.sleep(0.01)
        return {"loop_marker": 1}


def _engine(registry: Registry | None = None, **limits: float) -> Engine:
    return Engine(RunOptions(config=dataclasses.replace(Config(), limits=Limits(**limits))), registry)


def test_a_call_in_a_thread_is_given_up_at_its_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=re.escape("a test call did not finish within 0.2 s")):
        in_thread(lambda: time.sleep(30), 0.2, "a test call")
    assert time.monotonic() - started < 2
    assert in_thread(lambda: 42, 1, "a quick call") == 42


def test_an_alarm_interrupts_python_code_in_the_main_thread() -> None:
    with pytest.raises(DeadlineExceeded, match=re.escape("the loop took longer than 0.2 s")), alarm(0.2, "the loop"):
        while True:
            time.sleep(0.01)


def test_a_hanging_emitter_fails_its_delivery_and_the_others_deliver() -> None:
    engine = _engine(hook_seconds=0.5)
    started = time.monotonic()
    result = engine.advise([f"file:{EXAMPLES}"], emit=[Stuck(None), Counted(None)], stdout=io.StringIO())
    assert time.monotonic() - started < 10
    stuck, counted = result.deliveries
    assert (stuck.ok, stuck.message) == (False, "emitter 'stuck' did not finish within 0.5 s")
    assert counted.ok and counted.message == f"{len(result.recommendations)} recommendations"


def test_an_account_past_its_deadline_fails_and_the_others_are_advised(tmp_path: Path) -> None:
    registry = Registry()
    registry.enrichers["looping"] = Looping
    engine = _engine(registry, account_seconds=1)
    result = engine.advise([f"file:{EXAMPLES}"], stdout=io.StringIO())
    assert result.advised == len(list(EXAMPLES.glob("*.yaml"))) - 1  # every bundled account but the one that loops
    (failure,) = result.failures
    assert failure.startswith(f"{EXAMPLES / 'initech.yaml'}: enricher 'looping' failed on account 'initech'")
    assert failure.endswith("advising this account took longer than 1 s")


def test_in_the_service_a_looping_plugin_fails_the_request_by_its_deadline(tmp_path: Path) -> None:
    from kamengine.engine.plugin._manager import get_plugin_manager
    from kamengine.service.advice import within_deadline
    from kamengine.service.problems import Problem
    from kamengine.service.state import Service

    registry = Registry(get_plugin_manager(load_entry_points=False))
    registry.enrichers["looping"] = Looping
    config = dataclasses.replace(Config(), limits=Limits(account_seconds=1))
    service = Service(tmp_path / "k.db", auth=False, config=config, registry=registry)
    try:
        assert within_deadline(service, lambda: 7) == 7
        body = (EXAMPLES / "initech.yaml").read_bytes()
        from kamengine.service.advice import _advise, _refresh
        from kamengine.service.state import LOCAL

        for call in (
            lambda: _advise(service, LOCAL, body, False, None),
            lambda: _refresh(service, LOCAL, "initech", body),
        ):
            started = time.monotonic()
            with pytest.raises(Problem) as refused:
                call()  # a request's thread has no alarm: it waited for ever
            assert time.monotonic() - started < 10
            assert refused.value.status == 503 and "did not finish within 1 s" in refused.value.detail
        with service.store() as store:  # nothing of the refresh was written
            assert store.db.execute("select count(*) from runs").fetchone() == (0,)
        fine = _advise(service, LOCAL, (EXAMPLES / "globex-energy.yaml").read_bytes(), False, None)
        assert fine.status_code == 200
    finally:
        Looping.released.set()  # the calls left behind end now
        service.close()
    Looping.released.clear()


def test_explain_ends_by_the_deadline_when_a_plugin_loops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from kamengine.cli import explain as explain_command
    from kamengine.cli import main
    from kamengine.engine.plugin._manager import get_plugin_manager

    registry = Registry(get_plugin_manager(load_entry_points=False))
    registry.enrichers["looping"] = Looping
    monkeypatch.setattr(explain_command, "load_registry", lambda: registry)
    settings = tmp_path / "kamengine.toml"
    settings.write_text("[limits]\naccount_seconds = 1\n", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["--config", str(settings), "explain", str(EXAMPLES / "initech.yaml"), "--subject", "initech"]
    )
    assert time.monotonic() - started < 10  # it ran for ever
    assert result.exit_code == 1 and "explaining this account took longer than 1 s" in result.stderr


def test_an_emitter_with_a_deadline_of_its_own_is_given_it_not_hook_seconds() -> None:
    from kamengine.engine.delivery.send import deliver

    class Patient(Emitter):
        PLUGIN_NAME = "patient"
        OWN_DEADLINE = "delivery_seconds"  # as the webhook: it ends the delivery itself

        def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
            time.sleep(1.5)  # past hook_seconds, within its own deadline
            return "delivered"

    context = EmitContext(io.StringIO(), limits=Limits(hook_seconds=0.5, delivery_seconds=3))
    assert deliver(Patient(None), [], context, seconds=0.5).message == "delivered"  # a first night cut at 300 s
    assert not deliver(Stuck(None), [], context, seconds=0.5).ok  # one without keeps hook_seconds
