"""kamengine plugins, rules list|show|validate|test|lint, explain, and advise's plugin options."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.model.loading import load_snapshot
from support import REPO, builtin_advisor, example_recommendations, write_csv_dir

RULES = str(REPO / "rules")


def _run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_plugins_lists_builtins_with_their_hooks() -> None:
    result = _run("plugins", "--format", "json")
    assert result.exit_code == 0
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["kamengine.plugins.csv_source"]["hooks"] == ["kamengine_register_sources"]
    assert rows["kamengine.plugins.csv_source"]["provides"] == ["source csv"]
    assert all(row["builtin"] and row["package"] == "kamengine" for row in rows.values())
    table = [line.split() for line in _run("plugins").output.splitlines()]
    assert table[0] == ["name", "from", "hooks"]
    first = table.index(["kamengine.plugins.builtin_actions", "built-in", "kamengine_register_actions"])
    assert table[first + 1] == ["provides", "39", "actions"]


@prints_as_on_durable
def test_rules_list_and_show() -> None:
    listed = _run("rules", "list").output.splitlines()
    assert listed[0].split() == ["rule", "subject", "priority", "actions"]
    assert len(listed) == len(builtin_advisor().rules) + 2  # the header and its underline
    assert any(line.startswith("power-map/three-axes-evaluator ") for line in listed)
    shown = _run("rules", "show", "three-axes-evaluator")
    assert shown.exit_code == 0
    assert "  when: role = E and stance = -1" in shown.output
    missing = _run("rules", "show", "three-axes-evaluater")
    assert missing.exit_code == 2 and "did you mean 'power-map/three-axes-evaluator'" in missing.stderr


def test_rules_validate_reports_problems_with_lines(tmp_path: Path) -> None:
    count = len(builtin_advisor().rules)
    assert (
        _run("rules", "validate", RULES).output
        == f"{len(builtin_advisor().playbooks)} playbook(s), {count} rules: valid\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "playbook: b\nrules:\n  - {id: r, rationale: x, subject: contact, when: [{stance: {gte: high}}], actions: [{action: hq_tour, title: t}]}\n",
        encoding="utf-8",
    )
    result = _run("rules", "validate", str(bad))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {bad}:3: rules[0].when[0].stance.gte: expected a whole number for 'stance', found 'high'\n"
    )


def test_rules_test_passes_with_full_coverage_on_the_builtin_playbook() -> None:
    result = _run("rules", "test", RULES)
    assert result.exit_code == 0, result.output
    assert "power-map (" in result.output and "  coverage: 18/18 rules fired in some case\n" in result.output
    assert "never fired" not in result.output and "MISSING" not in result.output
    assert result.output.endswith("all cases passed\n")


def test_rules_test_reports_failures_and_uncovered_rules(tmp_path: Path) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(
        """\
playbook: p
rules:
  - {id: opposed, rationale: x, subject: contact, when: [{stance: -1}], actions: [{action: hq_tour, title: t}]}
  - {id: never, rationale: x, subject: contact, when: [{stance: 3}], actions: [{action: hq_tour, title: t}]}
tests:
  - name: wrong expectation
    snapshot: {as_of: 2026-11-20, account: {id: a, name: A}, contacts: [{id: c1, name: C, stance: -1}]}
    expect: [{subject: c1, action: executive_visit}]
    forbid: [{subject: c1, action: hq_tour}]
""",
        encoding="utf-8",
    )
    result = _run("rules", "test", str(playbook))
    assert result.exit_code == 1
    assert (
        "  FAIL  wrong expectation\n        expected executive_visit for c1, not recommended\n        forbidden hq_tour for c1, but p/opposed recommended it\n"
        in result.output
    )
    assert "  coverage: 1/2 rules fired in some case\n    never fired: p/never\n" in result.output
    assert result.stderr == "Error: 1 failure(s)\n"


def test_rules_lint_is_clean_on_the_builtin_playbook_and_finds_problems(tmp_path: Path) -> None:
    assert _run("rules", "lint", RULES).output == f"{len(builtin_advisor().playbooks)} playbook(s): no findings\n"
    bad = tmp_path / "lint.yaml"
    bad.write_text(
        """\
playbook: l
rules:
  - {id: impossible, rationale: x, subject: contact, when: [{stance: {gte: 2}}, {stance: {lt: 1}}], actions: [{action: hq_tour, title: t}]}
  - {id: first, rationale: x, subject: contact, exclusive_group: g, when: [{stance: {gte: 1}}], actions: [{action: hq_tour, title: t}]}
  - {id: second, rationale: x, subject: contact, exclusive_group: g, when: [{stance: {gte: 2}}], actions: [{action: exhibition_invite, title: t}]}
  - {id: apart, rationale: x, subject: contact, exclusive_group: g, when: [{stance: -1}], actions: [{action: exhibition_invite, title: t}]}
""",
        encoding="utf-8",
    )
    result = _run("rules", "lint", str(bad))
    assert result.exit_code == 1
    assert result.stderr == "Error: 2 finding(s)\n"
    assert result.stdout.splitlines() == [
        f"{bad}:3: rules[0]: l/impossible can never fire: stance ≥ 2 and stance < 1 cannot all hold",
        f"{bad}:5: rules[2]: l/first and l/second in exclusive group 'g' can fire together for one subject at the same priority; which one is kept is an accident",
    ]


@prints_as_on_durable
def test_explain_says_which_cooldown_suppressed_an_executive_visit(example_path: str) -> None:
    result = _run("explain", example_path, "--rule", "three-axes-evaluator", "--subject", "c-eng")
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert lines[0] == "rule subject action outcome detail"
    assert lines[2:4] == [
        "power-map/three-axes-evaluator contact c-eng executive_visit held back (cooldown) "
        "last executive_visit was 20 days ago; cooldown is 90 days",
        "power-map/three-axes-evaluator contact c-eng exhibition_invite recommended "
        "priority 338.79, due 2026-12-11, by Sofia Marin (SR)",  # an exhibition needs 21 days' notice (issue 21)
    ]
    assert "· owner: Sofia Marin (SR), who owns the relationship" in lines
    assert "· urgency: priority 135 x tier 1.2 x deal 2.09 (5G core tender)" in lines
    # Her invitation to the tender team's HQ tour is that tour: led, owned and ranked by it.
    assert (
        "power-map/three-axes-evaluator contact c-eng hq_tour recommended priority 160.61, due 2027-01-04, by Li Wei (AR)"
        in lines
    )
    assert any(line.startswith("· approach: carried by hq_tour (apr-") for line in lines)
    assert "· owner: Li Wei (AR), who leads the approach (not Sofia Marin (SR))" in lines
    assert "· urgency: 160.61, the most urgent reason of its approach" in lines
    assert any(line.startswith("· compliance: 5G core tender is being decided (quiet period)") for line in lines)
    (found,) = json.loads(_run("explain", *result_args(example_path), "--json").output)
    assert found["subject"] == {"kind": "contact", "id": "c-eng"} and found["fired"] and found["failed"] is None
    held, *recommended = found["actions"]
    assert held == {
        "action": "executive_visit", "outcome": "held back", "reason": "cooldown",
        "detail": "last executive_visit was 20 days ago; cooldown is 90 days",
    }  # fmt: skip
    assert [(a["action"], a["priority"], a["owner"]["id"]) for a in recommended] == [
        ("exhibition_invite", 338.79, "u-sr"), ("hq_tour", 160.61, "u-ar"),
    ]  # fmt: skip


def result_args(example_path: str) -> list[str]:
    return [example_path, "--rule", "three-axes-evaluator", "--subject", "c-eng"]


@prints_as_on_durable
def test_explain_names_the_first_failing_condition(example_path: str) -> None:
    result = _run("explain", example_path, "--rule", "power-map/borrow-leverage", "--subject", "c-cio", "--csv")
    assert result.output == (
        "rule,subject,action,outcome,detail,notes\n"
        "power-map/borrow-leverage,contact c-cio,,did not fire,stance < 2: seen 3,\n"
    )
    quantified = _run("explain", example_path, "--rule", "develop-coach", "--subject", "c-arch").output
    assert quantified.endswith("any deals where coach_count = 0 and strongest_supporter = true: 0 of 1 deals matched\n")
    assert "contact c-arch" in quantified and "did not fire" in quantified
    unknown = _run("explain", example_path, "--rule", "develop-coach", "--subject", "c-arc")
    assert unknown.exit_code == 2 and "did you mean 'c-arch'?" in unknown.stderr


@prints_as_on_durable
def test_advise_reads_a_source_and_explains(tmp_path: Path, example_path: str) -> None:
    folder = write_csv_dir(tmp_path / "csv", [load_snapshot(example_path)])
    from_file = json.loads(_run("advise", example_path, "-f", "json").output)
    result = _run("advise", "--source", f"csv:{folder}", "-f", "json", "--explain")
    recs = json.loads(result.output)
    assert [r["id"] for r in recs] == [r["id"] for r in from_file]
    sponsor = next(r for r in recs if r["rule"] == "power-map/borrow-leverage" and r["subject"]["id"] == "c-cto")
    assert sponsor["explanation"] == [
        "role in [A, D] (seen D)",
        "level = executive (seen executive)",
        "stance < 2 (seen 1)",
        "(owner_level ≠ executive or owner_level is missing) (owner_level ≠ executive: seen middle)",
        "(account.tier in [strategic, key] or deal_value ≥ 1000000) (account.tier in [strategic, key]: seen strategic)",
        "none activities where type = executive_visit and planned = false and days_ago ≤ 180 (0 of 2 matched)",
    ]


def test_advise_source_and_emit_mistakes(example_path: str) -> None:
    assert "unknown source 'crm'; installed: csv, file, jsonl, sqlite" in _run("advise", "--source", "crm:x").stderr
    assert "'csv' needs a location" in _run("advise", "--source", "csv").stderr
    assert "'ics' needs a target: ics:TARGET" in _run("advise", example_path, "--emit", "ics").stderr
    assert "give SNAPSHOT files or --source" in _run("advise").stderr


@prints_as_on_durable
def test_caps_limit_recommendations_per_contact_and_account(example_path: str) -> None:
    # Caps count approaches (one occasion, however many reasons it carries) and keep the most urgent.
    capped = json.loads(_run("advise", example_path, "-f", "json", "--max-per-contact", "1").output)
    approaches: dict[str, set[str]] = {}
    for rec in capped:
        if rec["subject"]["kind"] == "contact":
            approaches.setdefault(rec["subject"]["id"], set()).add(rec["approach"])
    assert {len(found) for found in approaches.values()} == {1}
    every = example_recommendations()
    assert set(approaches) == {r["subject"]["id"] for r in every if r["subject"]["kind"] == "contact"}
    top3 = json.loads(_run("advise", example_path, "-f", "json", "--max-per-account", "3").output)
    assert len({r["approach"] for r in top3}) == 3
    assert [r["approach"] for r in top3] == [r["approach"] for r in every[: len(top3)]]


@prints_as_on_durable
def test_a_broken_source_plugin_costs_only_its_own_accounts(monkeypatch: object, example_path: str) -> None:
    from kamengine.plugins.jsonl_source import JsonLinesSource

    def explode(self: object) -> object:
        raise OSError("disk on fire")
        yield

    monkeypatch.setattr(JsonLinesSource, "records", explode)  # type: ignore[attr-defined]
    result = _run("advise", example_path, "--source", "jsonl:whatever.jsonl", "-f", "jsonl")
    assert result.exit_code == 1
    assert result.stderr == "Error: source 'jsonl' failed on whatever.jsonl: disk on fire\n"
    assert len(result.stdout.splitlines()) == len(example_recommendations())
