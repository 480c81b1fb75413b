"""Everyone's plan a page at a time (an admin's ``GET /v1/plan?owner=all``) reads on indexes only: the owners one
seek each, an owner's advice due by the week's end on (owner, due), approaches' members and nobody's advice on the
accounts' and owners' indexes (issue 25 point 1)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.week import planner
from kamengine.engine.model.config import Config
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store.snapshots import save_snapshot
from kamengine.engine.store.store import Store
from support import builtin_advisor, drop_owners, example_data

TODAY = dt.date(2026, 12, 7)
ADMIN = TokenHolder("t-admin", "boss", "admin")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two accounts of the bundled example and one without a team (its staffing owned by nobody), advised; never
    ANALYZEd, so the planner takes every table for a large one."""
    opened = Store(tmp_path_factory.mktemp("everyone") / "k.db")
    run_id, _ = opened.start_run("test")
    for n, team in enumerate((True, True, False)):
        data = example_data()
        data["account"]["id"] = f"acct-{n}"
        if not team:
            data["team"] = []
            drop_owners(data)
        snapshot = snapshot_from_document(Document(data, "example"))
        opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
        save_snapshot(opened, snapshot, data)
    yield opened
    opened.close()


@pytest.mark.parametrize("through", [dt.date(2026, 12, 13), dt.date(2027, 1, 31)], ids=["a week", "the horizon"])
def test_everyones_pages_read_on_indexes(store: Store, through: dt.date) -> None:
    week = planner(Registry(get_plugin_manager(load_entry_points=False)), Config())
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        led = list(week.led_by_owner(store, TODAY, through, reader=ADMIN))
    finally:
        store.db.conn.set_trace_callback(None)
    assert led[0] and all(item.owner_id is None for item in led[0])  # nobody's items first: they exist here
    assert len(led) > 3 and any(led[1:])
    asked = [sql for sql in statements if re.search(r"\bfrom (recommendations|snapshots)\b", sql)]
    assert any("owner_id >= ''" in sql for sql in asked) and any("owner_id is null" in sql for sql in asked)
    for sql in asked:
        plan = [str(row[3]) for row in store.db.conn.execute(f"explain query plan {sql}")]
        assert not [step for step in plan if re.match(r"SCAN (recommendations|snapshots)\b", step)], (sql, plan)
