"""The stored recommendations through the Engine: slices a holder may see, and decisions kept in the decision log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.documents import LIFECYCLE, StoredRecommendation, stored_document
from kamengine.engine.api.recommendations import API
from kamengine.engine.api.stores import Store, StoreError, open_store
from kamengine.engine.errors import UsageError
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import activity, builtin_advisor, contact, make_snapshot

ADMIN = TokenHolder("t-admin", "admin", "admin")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding one run's advice for an account of three contacts (nine recommendations)."""
    people = [contact(f"c{n}", name=f"P{n}", role="E", stance=-1) for n in range(3)]
    visits = [activity(f"a{n}", "project_office_visit", "2026-11-01", f"c{n}") for n in range(3)]
    snapshot = make_snapshot(as_of="2026-11-20", contacts=people, activities=visits)
    opened = open_store(tmp_path / "k.db", must_exist=False)
    run_id, _ = opened.start_run("test")
    opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    return opened


def _everything(store: Store, holder: TokenHolder) -> list[dict[str, object]]:
    return Engine.recommendations_seen(store, holder, limit=500).rows


def test_slices_cover_what_the_holder_sees_once_each(store: Store) -> None:
    everything = _everything(store, ADMIN)
    assert len(everything) == 9
    seen, after = [], None
    while True:
        part = Engine.recommendations_seen(store, ADMIN, after=after, limit=4)
        seen += part.rows
        if part.next_after is None:
            break
        after = part.next_after
    assert [r["id"] for r in seen] == [r["id"] for r in everything]
    owner = str(everything[0]["owner_id"])
    theirs = _everything(store, TokenHolder("t-1", owner, "read"))  # on no stored team: only what they own
    assert theirs and all(r["owner_id"] == owner for r in theirs)
    assert _everything(store, TokenHolder("t-2", "u-nobody", "read")) == []


def test_a_decision_is_kept_in_the_decision_log_and_a_refused_one_writes_nothing(store: Store) -> None:
    rec_id = str(_everything(store, ADMIN)[0]["id"])
    with Engine(registry=Registry(get_plugin_manager(load_entry_points=False))) as engine:
        row = engine.decide(store, rec_id, "done", by="li.wei", principal="t-1", said=b"{}", asked=API)
        assert row["status"] == "done"
        with pytest.raises(StoreError, match=r"reopen it first \(POST /v1/recommendations/.*/reopen\)"):
            engine.decide(store, rec_id, "accept", by="li.wei", principal="t-1", said=b"{}", asked=API)
        with pytest.raises(UsageError, match=r"a dismissal needs a reason \(reason\)"):
            engine.decide(store, rec_id, "dismiss", by="li.wei", principal="t-1", said=b"{}", asked=API)
        revision = engine.revision
    logged = store.db.execute("select kind, principal, revision, recommendations from decisions").fetchall()
    assert logged == [("done", "t-1", revision, json.dumps([rec_id]))]
    assert [h["status"] for h in Engine.history(store, rec_id)] == ["open", "done"]


def test_the_document_is_the_declared_one(store: Store) -> None:
    row = _everything(store, ADMIN)[0]
    document = stored_document(row)
    assert StoredRecommendation.model_validate(document).model_dump(include=set(LIFECYCLE)) == {
        key: row[key] for key in LIFECYCLE
    }
    assert list(document)[-len(LIFECYCLE) :] == list(LIFECYCLE)
