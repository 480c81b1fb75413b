"""Decision tables: read, checked (file:line), compiled per hit policy, rendered by the catalogue and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import needs_durable
from kamengine.cli import main
from kamengine.engine.authoring.catalogue import catalogue_json, catalogue_markdown
from kamengine.engine.evaluate.explain import describe
from kamengine.engine.model.actions import ActionCatalogue
from support import make_playbook, playbook_problems

TABLE = """\
playbook: t
parameters:
  warm: 1
rules:
  - id: grid
    subject: contact
    rationale: why
    table:
      hit_policy: {policy}
      inputs: [role, stance]
      actions: [{{action: executive_visit, title: "Visit {{name}}"}}]
      rows:
        - {{cells: [[A, D], "$warm.."], actions: [executive_visit]}}
        - {{cells: [A, 2], actions: [executive_visit]}}
        - {{id: opponents, cells: [any, -1], priority: 90, actions: [{{action: hq_tour, title: "Tour {{name}}"}}]}}
"""


def _table(policy: str, drop_second: bool = False) -> str:
    text = TABLE.format(policy=policy)
    return text.replace("        - {cells: [A, 2], actions: [executive_visit]}\n", "") if drop_second else text


def test_rows_become_rules_with_their_own_ids_priorities_and_sources() -> None:
    playbook = make_playbook(_table("collect"))
    assert [(r.qualified_id, r.priority, r.table, r.source) for r in playbook.rules] == [
        ("t/grid-1", 50, "grid", "playbook.yaml:13: rules[0].table.rows[0]"),
        ("t/grid-2", 50, "grid", "playbook.yaml:14: rules[0].table.rows[1]"),
        ("t/opponents", 90, "grid", "playbook.yaml:15: rules[0].table.rows[2]"),
    ]
    assert [describe(r.when) for r in playbook.rules] == [
        "role in [A, D] and stance ≥ 1",
        "role = A and stance = 2",
        "stance = -1",
    ]
    assert [spec.action for spec in playbook.rules[2].actions] == ["hq_tour"]


def test_under_first_a_row_excludes_the_rows_above_that_can_overlap_it() -> None:
    playbook = make_playbook(_table("first", drop_second=True).replace("[any, -1]", "[any, any]"))
    assert (
        describe(playbook.rules[1].when) == "(role not in [A, D] or role is missing or stance < 1 or stance is missing)"
    )
    assert describe(playbook.rules[0].when) == "role in [A, D] and stance ≥ 1"


def test_under_first_an_unreachable_row_is_an_error_naming_the_row_that_takes_it() -> None:
    assert playbook_problems(_table("first")) == [
        "playbook.yaml:14: rules[0].table.rows[1]: row 'grid-2' is unreachable under hit_policy first: "
        "whatever it matches, 'grid-1' (playbook.yaml:13) matched first"
    ]


def test_under_unique_overlapping_rows_are_an_error_with_the_values_where_they_overlap() -> None:
    assert playbook_problems(_table("unique")) == [
        "playbook.yaml:14: rules[0].table.rows[1]: rows 'grid-1' (playbook.yaml:13) and 'grid-2' overlap under "
        "hit_policy unique: both match role A, stance 2"
    ]
    assert playbook_problems(_table("collect")) == []
    with_when = _table("unique").replace("[A, 2], actions:", "[A, 2], when: {live_deal_count: 0}, actions:")
    assert playbook_problems(with_when)[0].endswith(
        "both match role A, stance 2; a row's when is not looked into: to tell them apart, make its field an input"
    )


def test_gaps_are_listed_under_first_and_unique_not_under_collect() -> None:
    assert make_playbook(_table("collect")).tables[0].gaps == ()
    # Combinations that differ in one column are one gap; a column any of whose values leaves it is left out;
    # a stance is never missing, a role may be.
    assert make_playbook(_table("unique", drop_second=True)).tables[0].gaps == (
        "no row covers stance 0",
        "no row covers role in [S, E, I, missing], stance in [1, 2, 3]",
    )
    diagonal = "".join(
        f"        - {{cells: [{r}, {s}], actions: [executive_visit]}}\n"
        for r, s in zip("ADSEI", range(-1, 4), strict=True)
    )
    gaps = (
        make_playbook(TABLE.format(policy="unique").split("      rows:\n")[0] + "      rows:\n" + diagonal)
        .tables[0]
        .gaps
    )
    assert gaps[0] == "no row covers role in [A, S, E, I, missing], stance 0"  # (D, 0) is the only row at 0
    assert gaps[-1].startswith("... and ") and gaps[-1].endswith(" more gap(s)")
    complete = _table("first", drop_second=True).replace("[any, -1]", "[any, any]")
    assert make_playbook(complete).tables[0].gaps == ()
    every_stance = "".join(f"        - {{cells: [any, {s}], actions: [executive_visit]}}\n" for s in ("-1", 0, '"1.."'))
    every_stance_table = TABLE.format(policy="unique").split("      rows:\n")[0] + "      rows:\n" + every_stance
    assert make_playbook(every_stance_table).tables[0].gaps == ()  # a stance is never missing, never 4


def test_mistakes_in_a_table_name_their_file_line_and_cell() -> None:
    text = _table("collect")
    assert playbook_problems(text.replace("[role, stance]", "[role, stanse]")) == [
        "playbook.yaml:10: rules[0].table.inputs[1]: unknown field 'stanse' for a contact (did you mean 'stance'?); "
        "an input is a field"
    ]
    assert playbook_problems(text.replace('"$warm.."', '"x..3"').replace("[A, 2]", "[Q, 2, 3]")) == [
        "playbook.yaml:13: rules[0].table.rows[0].cells[1].stance.gte: expected a whole number for 'stance', found 'x'",
        "playbook.yaml:14: rules[0].table.rows[1].cells: 3 cell(s) for 2 input(s) (role, stance)",
    ]
    assert playbook_problems(text.replace("[A, 2], actions: [executive_visit]", "[A, 2], actions: [hq_tuor]")) == [
        "playbook.yaml:14: rules[0].table.rows[1].actions[0]: no action 'hq_tuor' in the table's 'actions'; "
        "the table's actions are executive_visit"
    ]
    assert playbook_problems(text.replace('"$warm.."', '"3..1"')) == [
        "playbook.yaml:13: rules[0].table.rows[0].cells: row 'grid-1' can never fire: its cells cannot all hold"
    ]
    assert playbook_problems(text.replace("id: opponents", "id: grid-1")) == [
        "playbook.yaml:15: rules[0].table.rows[2].id: duplicate rule id 'grid-1'"
    ]
    # A cell it could not read is reported alone: the grid is not checked with a guess for it.
    assert playbook_problems(_table("first").replace('"$warm.."', '"..$wram"')) == [
        "playbook.yaml:13: rules[0].table.rows[0].cells[1].stance.lte: unknown parameter 'wram' (did you mean 'warm'?)"
    ]
    assert playbook_problems(_table("unique").replace('"$warm.."', '"2026-01-01..2026-12-31"')) == [
        "playbook.yaml:13: rules[0].table.rows[0].cells[1].stance.gte: expected a whole number for 'stance', "
        "found '2026-01-01'",
        "playbook.yaml:13: rules[0].table.rows[0].cells[1].stance.lte: expected a whole number for 'stance', "
        "found '2026-12-31'",
    ]
    assert playbook_problems(text.replace("hit_policy: collect", "hit_policy: any")) == [
        "playbook.yaml:9: rules[0].table.hit_policy: 'hit_policy' is one of first, unique, collect, found 'any'"
    ]


def test_a_first_row_is_held_to_the_limits_of_a_rule() -> None:
    # Each row excludes every row above it, with three values and a missing one: row 126 has 503.
    rows = "".join(
        f"        - {{cells: [any, any], when: {{days_since_last_meeting: {{in: [{i}, {i + 1}, {i + 2}]}}}}, "
        "actions: [executive_visit]}\n"
        for i in range(150)
    )
    text = TABLE.format(policy="first").split("      rows:\n")[0] + "      rows:\n" + rows
    problems = playbook_problems(text)
    assert len(problems) == 25 and problems[0].startswith("playbook.yaml:138: rules[0].table.rows[125]: with the rows")
    assert "compiles to 503 alternatives nested 2 deep; at most 500 and 16: use hit_policy unique" in problems[0]


def test_the_catalogue_renders_a_table_as_a_table() -> None:
    playbook = make_playbook(_table("unique", drop_second=True))
    text = catalogue_markdown([playbook], ActionCatalogue())
    assert (
        "### t/grid (decision table, hit policy unique)\n\n"
        "| rule | `role` | `stance` | priority | recommends |\n|---|---|---|---|---|\n"
        "| grid-1 | in [A, D] | ≥ 1 | 50 | `executive_visit` |\n"
        "| opponents | any | -1 | 90 | `hq_tour` |\n\n- no row covers stance 0\n"
    ) in text
    assert "### t/opponents" in text  # and each row as the rule it is
    assert '"table": "grid"' in catalogue_json([playbook])


def test_validate_warns_of_gaps_and_lint_reports_them(tmp_path: Path) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(_table("unique", drop_second=True), encoding="utf-8")
    validated = CliRunner().invoke(main, ["rules", "validate", str(path)])
    assert validated.exit_code == 0, validated.output
    assert f"{path}:5: rules[0]: table grid: no row covers stance 0" in validated.output
    linted = CliRunner().invoke(main, ["rules", "lint", str(path)])
    assert linted.exit_code == 1 and f"{path}:5: rules[0]: table t/grid: no row covers stance 0" in linted.output


def test_the_first_policy_example_of_docs_rules_md_validates() -> None:
    import re

    from support import REPO

    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, flags=re.S) if "greeting-by-role" in b]
    playbook = make_playbook("playbook: doc\n" + block)
    assert [(r.id, r.table) for r in playbook.rules] == [
        ("greeting-by-role-1", "greeting-by-role"),
        ("greeting-by-role-2", "greeting-by-role"),
    ]
    assert (
        describe(playbook.rules[1].when)
        == "stance ≥ 0 and (role not in [A, D] or role is missing or stance < 1 or stance is missing)"
    )
    assert playbook.tables[0].gaps == ("no row covers stance -1",)  # whatever the role


@needs_durable
def test_a_row_durable_rules_cannot_hold_is_named_when_the_playbook_loads() -> None:
    from kamengine.engine.advise.advisor import Advisor
    from kamengine.engine.errors import EvaluationError

    rows = "".join(
        f"        - {{cells: [any, any], when: {{any_of: [{{activity_count: {i}}}, {{live_deal_count: {i}}}]}}, "
        "actions: [executive_visit]}\n"
        for i in range(8)
    )
    playbook = make_playbook(TABLE.format(policy="first").split("      rows:\n")[0] + "      rows:\n" + rows)
    with pytest.raises(EvaluationError) as caught:
        Advisor([playbook]).close()
    assert str(caught.value).endswith(
        "error code: 113; it cannot hold playbook.yaml:19: rules[0].table.rows[6] (t/grid-7); "
        "playbook.yaml:20: rules[0].table.rows[7] (t/grid-8): write them with fewer alternatives"
    )
