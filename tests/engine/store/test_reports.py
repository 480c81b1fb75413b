"""Effectiveness and coverage reports over a store built by real runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.store.reports import coverage, effectiveness
from kamengine.engine.store.store import Store
from support import builtin_advisor, contact, make_snapshot


def _snapshot(as_of: str, stances: dict[str, int], account: str = "acct", role: str | None = "E") -> Snapshot:
    people = [contact(cid, role=role, stance=stance) for cid, stance in stances.items()]
    return make_snapshot(as_of=as_of, account={"id": account, "name": account.upper()}, contacts=people)


def _run(store: Store, *snapshots: Snapshot) -> None:
    run_id, _ = store.start_run("test")
    for snapshot in snapshots:
        store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    store.finish_run(run_id, {})


def test_effectiveness_compares_with_people_who_started_at_the_same_stance(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    _run(store, _snapshot("2026-11-01", {"c1": -1, "c2": -1, "c3": 2}))
    visit = next(r for r in store.find() if r["subject_id"] == "c1" and r["action"] == "executive_visit")
    store.change(visit["id"], "done", "li.wei", "visited", on=dt.date(2026, 11, 10))
    _run(store, _snapshot("2026-12-01", {"c1": 1, "c2": -1, "c3": 3}))
    (effect,) = effectiveness(store)
    assert (effect.action, effect.treated, effect.treated_change) == ("executive_visit", 1, 2.0)
    assert (effect.control, effect.control_change, effect.difference) == (1, 0.0, 2.0)  # c2 only: c3 started at 2
    result = CliRunner().invoke(main, ["report", "effectiveness", "--db", str(tmp_path / "k.db"), "-f", "json"])
    assert json.loads(result.output)[0]["difference"] == 2.0
    table = CliRunner().invoke(main, ["report", "effectiveness", "--db", str(tmp_path / "k.db")]).output.splitlines()
    assert [line.split() for line in table] == [
        ["action", "done", "Δ", "stance", "control", "Δ", "stance", "(control)", "difference"],
        ["------", "----", "--------", "-------", "------------------", "----------"],
        ["executive_visit", "1", "+2.00", "1", "+0.00", "+2.00"],
    ]
    rows = CliRunner().invoke(main, ["report", "effectiveness", "--db", str(tmp_path / "k.db"), "--csv"]).output
    assert rows == "action,treated,treated_change,control,control_change,difference\nexecutive_visit,1,2,1,0,2\n"


@prints_as_on_durable
def test_coverage_lists_silent_accounts_and_rules_that_never_fired(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    _run(store, _snapshot("2026-11-01", {"c1": -1}), _snapshot("2026-11-01", {"c9": 1}, account="quiet", role=None))
    rules = [r.qualified_id for r in builtin_advisor().rules]
    report = coverage(store, rules)
    assert report.accounts_without_advice == ["quiet"]
    assert "power-map/three-axes-evaluator" not in report.rules_never_fired
    assert "kam-account/crisis-open-letter" in report.rules_never_fired
    result = CliRunner().invoke(main, ["report", "coverage", "--db", str(tmp_path / "k.db")])
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"accounts without any recommendation: 1; rules that never fired: {len(report.rules_never_fired)} of {len(rules)}"
    )
    assert lines[3].split() == ["account", "quiet", "no", "recommendation"]
    assert ["rule", "kam-account/crisis-open-letter", "never", "fired"] in [line.split() for line in lines]
    as_json = CliRunner().invoke(main, ["report", "coverage", "--db", str(tmp_path / "k.db"), "--json"]).output
    assert json.loads(as_json)["accounts_without_advice"] == ["quiet"]  # the JSON shape it always had
    as_lines = CliRunner().invoke(main, ["report", "coverage", "--db", str(tmp_path / "k.db"), "-f", "jsonl"]).output
    assert json.loads(as_lines.splitlines()[0]) == {"kind": "account", "id": "quiet", "finding": "no recommendation"}
