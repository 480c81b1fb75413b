"""``report rules``: per rule, what people did with the advice, with the reasons they gave for dismissing it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.store.rule_reports import rule_report
from kamengine.engine.store.store import Store
from support import builtin_advisor, contact, make_playbook, make_snapshot

TEAM_PLAYBOOK = """\
playbook: team
rules:
  - id: greet-supporters
    rationale: Supporters hear from us.
    subject: contact
    when: [{stance: 2}]
    actions: [{action: regular_office_visit, title: "Visit {name}"}]
"""


def _store(tmp_path: Path) -> Store:
    """Opposing evaluators (the three axes), supporters (a team plugin's rule), others; people decide."""
    builtin = builtin_advisor()
    advisor = Advisor([*builtin.playbooks.values(), make_playbook(TEAM_PLAYBOOK, builtin.actions)], builtin.actions)
    people = [contact(f"e{i}", role="E", stance=-1) for i in range(5)] + [contact(f"s{i}", stance=2) for i in range(3)]
    people += [contact("d0", role="D", stance=0), contact("a0", role="A", stance=1), contact("x0", role="S", stance=0)]
    snapshot = make_snapshot(as_of="2026-11-01", contacts=people)
    store = Store(tmp_path / "k.db")
    run_id, _ = store.start_run("test")
    store.apply_advice(run_id, snapshot, advisor.advise(snapshot).recommendations)
    store.finish_run(run_id, {})
    advisor.close()
    recs = {(r["rule"], r["action"], r["subject_id"]): r["id"] for r in store.find()}
    visits = [recs[("power-map/three-axes-evaluator", "hq_tour", f"e{i}")] for i in range(5)]
    for rec, reason in zip(visits, ["Not relevant", "not  relevant.", "already met", "wrong person"], strict=False):
        store.change(rec, "dismissed", "li.wei", reason)
    store.change(visits[4], "accepted", "li.wei", "")
    store.change(visits[4], "done", "li.wei", "toured")
    team = [recs[("team/greet-supporters", "regular_office_visit", f"s{i}")] for i in range(3)]
    store.change(team[0], "dismissed", "li.wei", "too early")
    store.change(
        team[1], "snoozed", "li.wei", "after the holidays", until=dt.date(2027, 1, 10), on=dt.date(2026, 11, 20)
    )
    return store


def test_each_rule_shows_its_decisions_and_the_reasons_for_dismissing_it(tmp_path: Path) -> None:
    uses = {use.rule: use for use in rule_report(_store(tmp_path))}
    axes = uses["power-map/three-axes-evaluator"]
    assert axes.given == 15  # five people, three actions each
    assert (axes.decisions["dismissed"], axes.decisions["accepted"], axes.decisions["done"]) == (4, 1, 1)
    assert axes.reasons == {"not relevant": 2, "already met": 1, "wrong person": 1}
    assert axes.dismiss_rate == round(4 / 15, 3) and axes.flagged
    assert axes.days_to_done is not None and axes.days_to_done < 1
    team = uses["team/greet-supporters"]  # a plugin's rule, reported like a built-in one
    assert (team.given, team.decisions["dismissed"], team.decisions["snoozed"]) == (3, 1, 1)
    assert team.reasons == {"too early": 1} and not team.flagged  # one dismissal proves nothing
    assert not any(use.flagged for rule, use in uses.items() if rule != axes.rule)


def test_since_keeps_the_advice_first_given_from_that_day(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert rule_report(store, dt.date.today() + dt.timedelta(days=1)) == []
    assert rule_report(store, dt.date.today()) == rule_report(store)


def test_the_command_prints_a_table_with_reasons_and_json(tmp_path: Path) -> None:
    _store(tmp_path)
    db = str(tmp_path / "k.db")
    table = CliRunner().invoke(main, ["report", "rules", "--db", db])
    assert table.exit_code == 0, table.output
    line = next(line for line in table.output.splitlines() if line.startswith("power-map/three-axes-evaluator"))
    assert line.split()[1:10] == ["!", "15", "1", "1", "4", "0", "0", "0", "27%"]
    assert "'not relevant' ×2, 'already met' ×1, 'wrong person' ×1" in table.output
    assert table.output.rstrip().endswith("and at least 3 dismissals")
    rows = json.loads(CliRunner().invoke(main, ["report", "rules", "--db", db, "-f", "json"]).output)
    team = next(row for row in rows if row["rule"] == "team/greet-supporters")
    assert (team["given"], team["dismissed"], team["dismiss_reasons"], team["flagged"]) == (
        3,
        1,
        {"too early": 1},
        False,
    )
    later = CliRunner().invoke(main, ["report", "rules", "--db", db, "--since", "2999-01-01"])
    assert later.output == "No advice in the store given since 2999-01-01 yet.\n"
    bad = CliRunner().invoke(main, ["report", "rules", "--db", db, "--since", "yesterday"])
    assert bad.exit_code == 2 and "'yesterday' does not match the format '%Y-%m-%d'" in bad.output


def test_beside_the_decisions_the_stance_the_rule_moved(tmp_path: Path) -> None:
    store = _store(tmp_path)
    later = make_snapshot(
        as_of="2099-01-01", contacts=[contact("e4", role="E", stance=1), contact("e0", role="E", stance=-1)]
    )
    run_id, _ = store.start_run("test")
    store.apply_advice(run_id, later, builtin_advisor().advise(later).recommendations)
    store.finish_run(run_id, {})
    axes = next(use for use in rule_report(store) if use.rule == "power-map/three-axes-evaluator")
    assert (axes.stance_change, axes.control_change) == (2.0, 0.0)  # e4 toured; e0..e3, never toured, stayed


def test_a_few_dismissals_of_much_advice_are_no_signal_while_others_have_none() -> None:
    from kamengine.engine.store.rule_reports import RuleUse, _flag

    def use(rule: str, given: int, dismissed: int) -> RuleUse:
        return RuleUse(rule, given, {"dismissed": dismissed})

    uses = [use("busy", 200, 3), use("quiet", 40, 0), use("other", 10, 0), use("rejected", 12, 6)]
    _flag(uses)  # the median rate is 0: 3 of 200 (1.5%) is not flagged, 6 of 12 is
    assert [u.rule for u in uses if u.flagged] == ["rejected"]


def test_an_empty_report_in_csv_has_the_columns_of_a_full_one(tmp_path: Path) -> None:
    _store(tmp_path)
    db = str(tmp_path / "k.db")
    full = CliRunner().invoke(main, ["report", "rules", "--db", db, "--csv"]).stdout.splitlines()[0]
    empty = CliRunner().invoke(main, ["report", "rules", "--db", db, "--csv", "--since", "2999-01-01"])
    assert empty.stdout.splitlines() == [full]
