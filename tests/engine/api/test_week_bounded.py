"""A week planned alone (``stored_week(through=its Sunday)``) holds the items the whole plan puts in that week, for
every person and week of the horizon: after snoozes that move an approach's lead or a companion past the week, and
with accounts sharing people; and it reads fewer recommendations than the whole plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.stores import Store, open_store
from kamengine.engine.api.week import StoredWeek, planner
from kamengine.engine.model.config import Config
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store import records
from kamengine.engine.store.record_shapes import Logged
from kamengine.engine.store.snapshots import save_snapshot
from support import builtin_advisor, example_data

TODAY = dt.date(2026, 11, 23)
ADMIN = TokenHolder("t-admin", "boss", "admin")
LOGGED = Logged("r", "t", b"{}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Four accounts of the bundled example (one team, so every account shares its people), advised; then of
    acct-1's approaches: one's lead snoozed three weeks (its companions due now), one's companion snoozed three
    weeks, one's lead and one's companion kept due three weeks later (as an older night may have left them), the
    soonest snoozed whole; and a recommendation accepted."""
    opened = open_store(tmp_path_factory.mktemp("bounded") / "k.db", must_exist=False)
    run_id, _ = opened.start_run("test")
    for n in range(4):
        data = example_data()
        data["account"]["id"] = f"acct-{n}"
        snapshot = snapshot_from_document(Document(data, "example"))
        opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
        save_snapshot(opened, snapshot, data)
    later = TODAY + dt.timedelta(weeks=3)
    groups = _approaches(opened.find("acct-1", ["open"]))
    for row in groups[0]:
        records.decide_logged(opened, row["id"], "snooze", "u-ar", until=later, logged=LOGGED)
    records.decide_logged(opened, groups[1][0]["id"], "snooze", "u-ar", until=later, logged=LOGGED)
    records.decide_logged(opened, groups[2][-1]["id"], "snooze", "u-ar", until=later, logged=LOGGED)
    with opened.writing():
        for row in (groups[3][0], groups[4][-1]):
            opened.db.conn.execute("update recommendations set due = ? where id = ?", [later.isoformat(), row["id"]])
    records.decide_logged(opened, opened.find("acct-2", ["open"])[0]["id"], "accept", "u-ar", logged=LOGGED)
    yield opened
    opened.close()


def _approaches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The approaches of several members (a lead and companions) among ``rows``, soonest first, each lead first."""
    by: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["approach"]:
            by.setdefault(row["approach"], []).append(row)
    found = sorted((members for members in by.values() if len(members) > 1), key=lambda m: min(r["due"] for r in m))
    assert len(found) >= 5, "the example gives approaches of several members"
    week = planner(Registry(get_plugin_manager(load_entry_points=False)), Config())
    leads = {item.lead.id for item in week.week_plan([records.as_planned(r) for r in rows], TODAY)}
    return [sorted(members, key=lambda r: r["id"] not in leads) for members in found]


def _week(store: Store, person: str, through: dt.date | None) -> StoredWeek:
    week = planner(Registry(get_plugin_manager(load_entry_points=False)), Config())
    return week.stored_week(store, TODAY, reader=ADMIN, person=person, through=through)


def _in(plan: StoredWeek, week: str, person: str) -> list[dict[str, Any]]:
    """The person's items of ``week`` (those they lead and attend), as the week page and /v1/plan show them."""
    mine = (item.to_dict() for item in plan.plan.items if item.week == week and person in item.people)
    return sorted(mine, key=lambda i: i["lead"]["id"])


def test_each_week_alone_holds_what_the_whole_plan_puts_in_it(store: Store) -> None:
    people = {str(row["owner_id"]) for row in store.find(None, ["open", "accepted", "snoozed"]) if row["owner_id"]}
    assert len(people) >= 3
    compared = 0
    for person in sorted(people):
        whole = _week(store, person, None)
        for week in whole.plan.weeks:
            alone = _week(store, person, _sunday(week))
            assert _in(alone, week, person) == _in(whole, week, person), f"{person}'s {week}"
            assert {i.week for i in alone.plan.items} <= set(whole.plan.weeks[: whole.plan.weeks.index(week) + 1])
            assert alone.plan.unplanned == []
            compared += len(_in(whole, week, person))
    assert compared > 30  # weeks with meetings in them were compared, not empty ones


def test_a_week_reads_only_the_advice_that_can_land_by_its_end(store: Store) -> None:
    whole = _week(store, "u-ar", None)
    first = _week(store, "u-ar", _sunday(whole.plan.weeks[0]))
    assert 0 < len(first.recommendations) < len(whole.recommendations)
    last = _sunday(whole.plan.weeks[0])
    later = [r for r in first.recommendations if r.due > last]  # read whole with their approach due now
    assert later and all(r.approach for r in later)
    read = {r.approach for r in first.recommendations}
    members: dict[str, list[dict[str, Any]]] = {}
    for row in store.find("acct-1", ["open", "accepted", "snoozed"]):
        members.setdefault(str(row["approach"]), []).append(row)
    for approach, rows in members.items():  # an approach is read when one of its members is due (awake) by then
        due = min(records.as_planned(row).due for row in rows)
        assert (approach in read) == (due <= last), approach
    asleep = [a for a, rows in members.items() if all(row["status"] == "snoozed" for row in rows)]
    assert len(asleep) == 1 and asleep[0] not in read


def test_a_snoozed_lead_takes_its_companions_with_it_out_of_the_week(store: Store) -> None:
    """The approach whose lead sleeps three weeks: its companions, due now, are not planned alone this week."""
    rows = store.find("acct-1", ["snoozed"])
    approaches = {str(r["approach"]) for r in rows if r["approach"]}
    whole = _week(store, "u-ar", None)
    for week in whole.plan.weeks[:2]:
        alone = _week(store, "u-ar", _sunday(week))
        met = [i for i in alone.plan.items if i.week == week and i.lead.approach in approaches]
        assert met == [i for i in whole.plan.items if i.week == week and i.lead.approach in approaches]


def _sunday(week: str) -> dt.date:
    year, number = int(week[:4]), int(week.split("W")[1])
    return dt.date.fromisocalendar(year, number, 7)


def test_a_store_has_the_owner_due_index(tmp_path: Path) -> None:
    opened = open_store(tmp_path / "k.db", must_exist=False)
    names = {row[0] for row in opened.db.execute("select name from sqlite_master where type = 'index'")}
    opened.close()
    assert "recommendations_owner_due" in names
