"""The compiled evaluator: the built-in playbooks advise as on durable, selected by --engine compiled, errors named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import needs_durable
from kamengine.cli import main
from kamengine.engine.errors import EvaluationError
from kamengine.engine.evaluate.compiled import CompiledEvaluator
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference
from kamengine.engine.model.loading import load_snapshot
from kamengine.engine.model.snapshot import Snapshot
from portfolio_fixture import portfolio
from support import REPO, activity, builtin_advisor, contact, make_playbook, make_snapshot

EXAMPLES = [REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").glob("*.yaml"))]


def _rules(body: str):  # type: ignore[no-untyped-def]
    return make_playbook("playbook: t\nrules:\n" + body).rules


def _advice(engine: str, snapshot: Snapshot) -> list[dict[str, object]]:
    return [r.to_dict() for r in builtin_advisor(engine).advise(snapshot).recommendations]


@needs_durable
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_built_in_playbooks_advise_the_examples_as_on_durable(path: Path) -> None:
    snapshot = load_snapshot(str(path))
    durable = builtin_advisor("durable")
    facts = compute_facts(snapshot, durable.enrichers, durable.actions)
    expected = durable.fire(facts)
    fired = builtin_advisor("compiled").fire(facts)
    assert [(f.key, f.matches) for f in fired] == [(f.key, f.matches) for f in expected]
    assert _advice("compiled", snapshot) == _advice("durable", snapshot)


def test_a_generated_portfolio_is_advised_as_on_durable_and_the_reference() -> None:
    # Issue 21's portfolio: busy accounts with deals, decision groups and months of activities.
    for data in portfolio(12):
        snapshot = Snapshot.model_validate(data)
        compiled = _advice("compiled", snapshot)
        assert compiled == _advice("durable", snapshot)
        assert compiled == _advice("reference", snapshot)


@needs_durable
def test_a_quantifier_passed_over_by_a_short_cut_still_reports_its_items_on_every_engine() -> None:
    from kamengine.engine.evaluate.durable import DurableEvaluator

    # any_of holds on its first branch, so the count is never needed to decide; durable still reports its items.
    body = """\
  - id: r
    rationale: x
    subject: contact
    when:
      - any_of:
          - {stance: -1}
          - count: {of: activities, where: {type: hq_tour}, gte: 1}
    actions: [{action: executive_visit, title: t}]
"""
    snapshot = make_snapshot(
        contacts=[contact("c1", stance=-1)],
        activities=[
            activity("a1", "hq_tour", "2026-01-01", "c1"),
            activity("a2", "private_activity", "2026-02-01", "c1"),
        ],
    )
    facts = compute_facts(snapshot)
    rules = _rules(body)
    [firing] = CompiledEvaluator(rules).evaluate(facts)
    assert firing.key == ("t/r", "c1")
    assert firing.matches == {1: ("a1",)}
    assert [f.matches for f in evaluate_reference(rules, facts)] == [{1: ("a1",)}]  # the judge's evidence too
    with DurableEvaluator(rules) as durable:
        assert [f.matches for f in durable.evaluate(facts)] == [{1: ("a1",)}]


def test_a_value_a_rule_cannot_compare_fails_the_account_naming_the_rule() -> None:
    body = "  - {id: opposes, rationale: x, subject: contact, when: [{stance: {lt: 0}}], actions: [{action: executive_visit, title: t}]}\n"
    facts = compute_facts(make_snapshot(contacts=[contact("c1", stance=-1)]))
    facts.contacts[0]["stance"] = "cold"  # as an enricher's field of the wrong type would be
    with pytest.raises(EvaluationError, match=r"^rule t/opposes \(.*\) failed on contact 'c1': .*'<'"):
        CompiledEvaluator(_rules(body)).evaluate(facts)


@needs_durable
def test_engine_compiled_on_the_command_line_advises_as_durable() -> None:
    example = str(EXAMPLES[0])
    runner = CliRunner()
    compiled = runner.invoke(main, ["advise", example, "-f", "json", "--engine", "compiled"])
    durable = runner.invoke(main, ["advise", example, "-f", "json", "--engine", "durable"])
    assert compiled.exit_code == 0, compiled.output
    assert json.loads(compiled.stdout) == json.loads(durable.stdout)
    assert compiled.stderr == ""


def _durable_loaded(args: list[str]) -> bool:
    """Whether a kamengine command, run in a fresh interpreter, imported durable_rules."""
    check = (
        "import sys\nfrom kamengine.cli import main\n"
        f"try:\n    main({args!r})\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print(any(m.startswith(('durable', 'kamengine.engine.evaluate.durable')) for m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] == "True"


def test_engine_compiled_never_imports_durable_rules() -> None:
    assert not _durable_loaded(["advise", str(EXAMPLES[0]), "--engine", "compiled"])


@needs_durable
def test_kamengine_toml_chooses_the_engine_and_engine_overrides_it(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('engine = "compiled"\n', encoding="utf-8")
    example = str(EXAMPLES[0])
    assert not _durable_loaded(["--config", str(settings), "advise", example])
    assert _durable_loaded(["--config", str(settings), "advise", example, "--engine", "durable"])
    assert _durable_loaded(["advise", example])  # no setting: durable, the default
    runner = CliRunner()
    shown = runner.invoke(main, ["--config", str(settings), "config", "show", "-f", "json"])
    assert {"key": "engine", "value": "compiled", "origin": str(settings)} in json.loads(shown.stdout)
    settings.write_text('engine = "fast"\n', encoding="utf-8")
    refused = runner.invoke(main, ["--config", str(settings), "advise", example])
    assert refused.exit_code == 1
    assert f"{settings}: engine: expected one of durable, compiled, reference, found 'fast'" in refused.stderr


def test_without_durable_rules_the_playbooks_own_cases_run_on_the_compiled_evaluator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_durable = CliRunner().invoke(main, ["rules", "test", str(REPO / "rules")])
    monkeypatch.setitem(sys.modules, "kamengine.engine.evaluate.durable", None)  # as on Python 3.13+
    compiled = CliRunner().invoke(main, ["rules", "test", str(REPO / "rules")])
    assert compiled.exit_code == 0, compiled.output
    assert "all cases passed" in compiled.stdout
    assert compiled.stdout == with_durable.stdout
