"""The built-in playbook as a whole: its catalogue is current, and it covers the method."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.authoring.playbook_tests import run_playbook_tests
from kamengine.engine.model.actions import BUILTIN_ACTIONS
from support import REPO, builtin_advisor


def test_docs_playbook_md_is_the_current_catalogue(tmp_path: Path) -> None:
    empty = tmp_path / "kamengine.toml"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(empty), "rules", "catalogue", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    expected = (REPO / "docs" / "playbook.md").read_text(encoding="utf-8")
    assert result.stdout == expected, (
        "regenerate: KAMENGINE_DISABLE_PLUGINS=1 kamengine --config /dev/null rules catalogue -o docs/playbook.md"
    )


def test_every_action_of_the_contract_is_recommended_by_some_rule() -> None:
    produced = {spec.action for rule in builtin_advisor().rules for spec in rule.actions}
    assert set(BUILTIN_ACTIONS) - produced == set()


def test_every_rule_is_fired_by_a_test_case_and_every_text_is_translated() -> None:
    advisor = builtin_advisor()
    for playbook in advisor.playbooks.values():
        report = run_playbook_tests(playbook, advisor.actions, advisor.enrichers)
        assert report.cases, playbook.id
        assert [c.name for c in report.cases if not c.passed] == [], playbook.id
        assert report.never_fired == [], playbook.id
        assert playbook.languages == ("en", "zh") and report.missing_translations == [], playbook.id


def test_catalogue_json_lists_every_rule() -> None:
    import json

    result = CliRunner().invoke(main, ["rules", "catalogue", "--format", "json"])
    rows = json.loads(result.stdout)
    assert len(rows) == len(builtin_advisor().rules)
    assert set(rows[0]) == {
        "rule",
        "description",
        "subject",
        "priority",
        "looks_for",
        "actions",
        "rationale",
        "parameters",
    }
