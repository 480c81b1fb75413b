"""The week and explain through the Engine: the store's week as a reader sees it, and explain's refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.explain import NoSuchChoice
from kamengine.engine.api.stored_week import _sharing
from kamengine.engine.api.stores import Store, open_store
from kamengine.engine.api.week import planner, status_label
from kamengine.engine.model.config import Config
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store.snapshots import save_snapshot
from support import REPO, activity, builtin_advisor, contact, make_snapshot, snapshot_data

DAY = dt.date(2026, 11, 23)
EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding one run's advice for an account of three contacts, and its snapshot (its team: u-ar, u-ad)."""
    sections = {
        "contacts": [contact(f"c{n}", name=f"P{n}", role="E", stance=-1) for n in range(3)],
        "activities": [activity(f"a{n}", "project_office_visit", "2026-11-01", f"c{n}") for n in range(3)],
    }
    snapshot = make_snapshot(**sections)
    opened = open_store(tmp_path / "k.db", must_exist=False)
    run_id, _ = opened.start_run("test")
    opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    save_snapshot(opened, snapshot, snapshot_data(**sections))
    return opened


def _week(store: Store, reader: TokenHolder | None = None, person: str | None = None):  # type: ignore[no-untyped-def]
    registry = Registry(get_plugin_manager(load_entry_points=False))
    return planner(registry, Config()).stored_week(store, DAY, reader=reader, person=person)


def test_without_a_reader_the_week_plans_every_live_recommendation(store: Store) -> None:
    week = _week(store)
    planned = {
        r.id for i in (*week.plan.items, *(u.item for u in week.plan.unplanned)) for r in (i.lead, *i.companions)
    }
    assert planned == {r.id for r in week.recommendations} and len(planned) == 9
    assert week.statuses == {} and all(week.sees(r) for r in week.recommendations)


def test_a_member_sees_the_accounts_of_their_team_and_nobody_else_does(store: Store) -> None:
    theirs = _week(store, TokenHolder("t-ar", "u-ar", "read"))
    assert theirs.recommendations and all(theirs.sees(r) for r in theirs.recommendations)
    stranger = _week(store, TokenHolder("t-x", "u-x", "read"))
    assert stranger.recommendations == []  # nothing of theirs shares a person with this account
    others = _week(store, TokenHolder("t-x", "u-x", "read"), person="u-ar")  # u-ar's week, as u-x may see it
    assert others.recommendations and not any(others.sees(r) for r in others.recommendations)


def test_what_people_decided_reads_as_words() -> None:
    assert status_label({"status": "snoozed", "snoozed_until": "2026-12-01"}) == "snoozed until 2026-12-01"
    assert status_label({"status": "accepted"}) == "accepted"
    assert status_label({"status": "open"}) == ""


def test_the_shared_work_reaches_every_account_of_everyone_who_works_with_them() -> None:
    links = [("a1", "u-1"), ("a1", "u-2"), ("a2", "u-2"), ("a2", "u-3"), ("a3", "u-4")]
    assert _sharing(links, {"u-1"}, set()) == {"a1", "a2"}
    assert _sharing(links, {"u-4"}, {"a9"}) == {"a3", "a9"}


def test_explain_names_the_option_a_missing_rule_or_subject_came_from() -> None:
    with Engine() as engine:
        with pytest.raises(NoSuchChoice) as subject:
            engine.explain(str(EXAMPLE), subject="c-anx")
        with pytest.raises(NoSuchChoice) as rule:
            engine.explain(str(EXAMPLE), rule="three-axes-evaluatr")
        found = engine.explain(str(EXAMPLE), rule="three-axes-evaluator", subject="c-eng")
    assert subject.value.option == "subject" and "(did you mean 'c-ana'?)" in str(subject.value)
    assert rule.value.option == "rule" and str(rule.value).startswith("no rule 'three-axes-evaluatr'")
    assert [(o["rule"], o["subject"]) for o in found] == [
        ("power-map/three-axes-evaluator", {"kind": "contact", "id": "c-eng"})
    ]
