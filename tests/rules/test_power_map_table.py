"""The three axes and the intimacy ladder as one decision table (docs/rules.md) advise as the rule form does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from durable_marker import needs_durable
from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.authoring.playbook_tests import run_playbook_tests
from kamengine.engine.errors import PlaybookError
from kamengine.engine.model.documents import parse
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.playbooks.playbook import Playbook
from kamengine.engine.playbooks.validate import playbook_from_document
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

REGISTRY = Registry(get_plugin_manager(load_entry_points=False))
DOC = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
POWER_MAP = REPO / "rules" / "power_map.yaml"


def _table() -> dict[str, Any]:
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S) if "three-axes-and-ladder" in b)
    return yaml.safe_load(block)["rules"][0]


def _as_table() -> Playbook:
    """rules/power_map.yaml with the table in place of the rules its rows replace."""
    data = yaml.safe_load(POWER_MAP.read_text(encoding="utf-8"))
    table = _table()
    ids = {row["id"] for row in table["table"]["rows"]}
    first = next(i for i, rule in enumerate(data["rules"]) if rule["id"] in ids)
    data["rules"] = [*data["rules"][:first], table, *(r for r in data["rules"][first:] if r["id"] not in ids)]
    document = parse(json.dumps(data, default=str, ensure_ascii=False), "power_map_table.json", PlaybookError)
    return playbook_from_document(document, REGISTRY.actions, None, REGISTRY.kinds)


def _builtin() -> list[Playbook]:
    from kamengine.engine.advise.spec import playbook_paths
    from kamengine.engine.playbooks.loader import load_playbooks

    return load_playbooks(playbook_paths(REGISTRY), REGISTRY.actions, kinds=REGISTRY.kinds)


def test_each_row_compiles_to_the_rule_it_replaces() -> None:
    rules = {rule.id: rule for rule in next(p for p in _builtin() if p.id == "power-map").rules}
    table = _as_table()
    rows = [rule for rule in table.rules if rule.table == "three-axes-and-ladder"]
    assert len(rows) == 8 and table.tables[0].hit_policy == "collect"
    for row in rows:
        rule = rules[row.id]
        assert (row.when, row.actions, row.rationale, row.priority, row.exclusive_group, row.description) == (
            rule.when, rule.actions, rule.rationale, rule.priority, rule.exclusive_group, rule.description,
        ), row.id  # fmt: skip


def _cases() -> list[tuple[str, Any]]:
    cases = []
    for path in sorted((REPO / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases += [(f"{path.name}: {case['name']}", case) for case in data.get("tests") or []]
    return cases


@pytest.mark.parametrize("engine", [pytest.param("durable", marks=needs_durable), "reference"])
def test_every_playbook_test_case_gets_the_same_advice_both_ways(engine: str) -> None:
    builtin = _builtin()
    with_table = [_as_table() if p.id == "power-map" else p for p in builtin]
    enrichers = REGISTRY.enricher_instances()
    rule_form = Advisor(builtin, REGISTRY.actions, engine=engine, enrichers=enrichers)  # type: ignore[arg-type]
    table_form = Advisor(with_table, REGISTRY.actions, engine=engine, enrichers=enrichers)  # type: ignore[arg-type]
    cases = _cases()
    assert len(cases) > 20
    try:
        for name, case in cases:
            snapshot = snapshot_from_document(parse(json.dumps(case["snapshot"], default=str), name))
            expected, actual = rule_form.advise(snapshot), table_form.advise(snapshot)
            assert [r.to_dict() for r in actual.recommendations] == [r.to_dict() for r in expected.recommendations]
            assert [(s.recommendation.to_dict(), s.reason) for s in actual.suppressed] == [
                (s.recommendation.to_dict(), s.reason) for s in expected.suppressed
            ], name
    finally:
        rule_form.close()
        table_form.close()


def test_the_power_map_cases_pass_against_the_table_form() -> None:
    report = run_playbook_tests(_as_table(), REGISTRY.actions, REGISTRY.enricher_instances())
    assert [case.failures for case in report.cases if not case.passed] == []
    assert report.never_fired == [] and report.missing_translations == []
