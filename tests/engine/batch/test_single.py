"""One account refreshed on demand does to the store what the nightly batch does to it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from kamengine.engine.api import Engine
from kamengine.engine.batch.processes import ProcessExecutor
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store.snapshots import accounts, last_snapshot, role_on
from kamengine.engine.store.store import Store
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
_KEPT = ("id", "status", "due", "priority", "owner_id", "title", "approach")


def _recommendations(path: Path) -> list[dict[str, object]]:
    store = Store(path)
    try:
        return [{k: row[k] for k in _KEPT} for row in store.find("acme-tel")]
    finally:
        store.close()


def test_a_refresh_stores_what_a_batch_of_that_one_account_stores(tmp_path: Path) -> None:
    body = json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), default=str).encode()
    data = json.loads(body)  # dates as text, as the service receives them
    (tmp_path / "one.jsonl").write_bytes(body + b"\n")
    with Engine(registry=Registry(get_plugin_manager(load_entry_points=False))) as engine:
        engine.batch(f"jsonl:{tmp_path / 'one.jsonl'}", store=tmp_path / "batch.db", executor=ProcessExecutor(1))
        store = Store(tmp_path / "api.db")
        refreshed = engine.refresh(load_snapshot(str(EXAMPLE)), data, body, store, principal="tok")
        again = engine.refresh(load_snapshot(str(EXAMPLE)), data, body, store, principal="tok")
    assert _recommendations(tmp_path / "api.db") == _recommendations(tmp_path / "batch.db")
    assert refreshed.run.outcome.new == len(refreshed.recommendations) > 0
    assert again.run.outcome.new == 0 and again.run.outcome.refreshed == len(refreshed.recommendations)
    run = store.db.table("runs").get(again.run.run_id)
    assert run["source"] == "api:acme-tel" and run["status"] == "finished"
    decision = store.db.table("decisions").get(again.decision_id)
    assert decision["account_id"] == "acme-tel" and decision["run_id"] == again.run.run_id
    assert decision["revision"] == engine.revision and decision["principal"] == "tok"
    assert last_snapshot(store, "acme-tel")["decision_id"] == again.decision_id  # type: ignore[index]
    assert role_on(store, "acme-tel", "u-ad") == "AD" and role_on(store, "acme-tel", "u-x") is None
    assert [a["account_id"] for a in accounts(store, "u-sr")] == ["acme-tel"] and accounts(store, "u-x") == []
    store.close()


def test_a_failed_refresh_writes_nothing(tmp_path: Path) -> None:
    data = json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")), default=str))
    store = Store(tmp_path / "api.db")
    store.db.execute("create trigger refuse before insert on decisions begin select raise(abort, 'refused'); end")
    with Engine(registry=Registry(get_plugin_manager(load_entry_points=False))) as engine:
        try:
            engine.refresh(load_snapshot(str(EXAMPLE)), data, b"{}", store, principal="tok")
        except Exception as exc:
            assert "refused" in str(exc)
        else:
            raise AssertionError("the refresh should have failed")
    for table in ("runs", "recommendations", "snapshots", "status_history"):
        assert store.db.table(table).count == 0, table
    store.close()
