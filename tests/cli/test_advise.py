"""``kamengine advise`` through click's CliRunner: formats, options and user mistakes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from support import example_recommendations

CONTRACT_FIELDS = {
    "id",
    "account_id",
    "action",
    "subject",
    "title",
    "rationale",
    "rule",
    "priority",
    "due",
    "owner_role",
    "evidence",
    "owner",
    "approach",
    "opportunity_id",
    "compliance",
    "account_name",
    "attendees",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@prints_as_on_durable
def test_table_is_ranked_and_readable(runner: CliRunner, example_path: str) -> None:
    result = runner.invoke(main, ["advise", example_path, "--all"])  # (by default, 10 approaches: issue 21)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["priority", "due", "owner", "action", "title"]
    top = example_recommendations()[0]
    owner = f"{top['owner']['name']} ({top['owner']['role']})"
    assert lines[2].split()[:2] == [f"{top['priority']:g}", top["due"]]
    assert f"  {owner}  " in lines[2] and f"  {top['action']}  " in lines[2]
    assert lines[2].endswith(top["title"])
    assert any(line.endswith("Name an executive sponsor for Ana Ruiz (Chief Technology Officer)") for line in lines)
    rows = [line for line in lines[2:] if not line.startswith(" ")]
    priorities = [float(line.split()[0]) for line in rows]
    assert priorities == sorted(priorities, reverse=True)
    # What compliance says is under its row, once per occasion; what an occasion carries reads "+ ...".
    notes = [line.strip() for line in lines[2:] if line.startswith(" ")]
    assert "! Private one-to-one activity is never offered to a public official; Regular office visit instead" in notes
    assert any(" + Invite Marta Vidal" in line for line in rows)


@prints_as_on_durable
def test_json_matches_the_contract(runner: CliRunner, example_path: str) -> None:
    result = runner.invoke(main, ["advise", example_path, "--format", "json"])
    assert result.exit_code == 0
    recs = json.loads(result.output)
    assert recs == example_recommendations()
    assert all(set(r) == CONTRACT_FIELDS for r in recs)
    assert all(r["subject"]["kind"] in ("contact", "opportunity", "account") for r in recs)
    assert [r["priority"] for r in recs] == sorted((r["priority"] for r in recs), reverse=True)
    assert {"power-map", "kam-deals", "kam-account"} <= {r["rule"].split("/")[0] for r in recs}


@prints_as_on_durable
def test_jsonl_csv_and_markdown_carry_the_same_recommendations(runner: CliRunner, example_path: str) -> None:
    ids = [r["id"] for r in json.loads(runner.invoke(main, ["advise", example_path, "-f", "json"]).output)]
    jsonl = runner.invoke(main, ["advise", example_path, "-f", "jsonl"]).output
    assert [json.loads(line)["id"] for line in jsonl.splitlines()] == ids
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["advise", example_path, "-f", "csv"]).output)))
    assert [row["id"] for row in rows] == ids
    first = json.loads(runner.invoke(main, ["advise", example_path, "-f", "json"]).output)[0]
    assert json.loads(rows[0]["evidence"]) == first["evidence"]
    owner = f"{first['owner']['name']} ({first['owner']['role']})"
    assert (rows[0]["owner"], rows[0]["approach"]) == (owner, first["approach"])
    markdown = runner.invoke(main, ["advise", example_path, "-f", "markdown", "--all"]).output.splitlines()
    assert [cell.strip() for cell in markdown[0].split("|")] == ["", "priority", "due", "owner", "action", "title", ""]
    assert len(markdown) == len(ids) + 2


@prints_as_on_durable
def test_reads_stdin(runner: CliRunner, example_path: str) -> None:
    text = Path(example_path).read_text(encoding="utf-8")
    result = runner.invoke(main, ["advise", "-", "-f", "jsonl"], input=text)
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(example_recommendations())


@prints_as_on_durable
def test_as_of_moves_the_evaluation_date(runner: CliRunner, example_path: str) -> None:
    later = json.loads(runner.invoke(main, ["advise", example_path, "-f", "json", "--as-of", "2027-03-01"]).output)
    # 120 days on, the evaluator's executive visit is out of its 90-day cooldown.
    assert any(r["action"] == "executive_visit" and r["subject"]["id"] == "c-eng" for r in later)
    assert min(r["due"] for r in later) >= "2027-03-01"


@prints_as_on_durable
def test_param_overrides_a_playbook_threshold(runner: CliRunner, example_path: str) -> None:
    default = json.loads(runner.invoke(main, ["advise", example_path, "-f", "json"]).output)
    strict = json.loads(
        runner.invoke(main, ["advise", example_path, "-f", "json", "--param", "family_min_stance=3"]).output
    )
    # The tender's quiet period turns the banquet into an office visit (issue 22); the rule still decides it.
    assert any(r["rule"] == "power-map/ladder-family-banquet" for r in default)
    assert not any(r["rule"] == "power-map/ladder-family-banquet" for r in strict)


@prints_as_on_durable
def test_rules_dir_adds_a_playbook(runner: CliRunner, example_path: str, tmp_path: Path) -> None:
    (tmp_path / "review.yaml").write_text(
        "playbook: reviews\nrules:\n  - id: review\n    rationale: Keep a cadence.\n    subject: account\n"
        "    when: [{tier: strategic}]\n    actions: [{action: account_review, title: 'Review {name}'}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["advise", example_path, "-f", "json", "--rules", str(tmp_path), "--no-builtin"])
    assert result.exit_code == 0, result.output
    assert [(r["rule"], r["title"], r["subject"]) for r in json.loads(result.output)] == [
        ("reviews/review", "Review ACME Telecom", {"kind": "account", "id": "acme-tel"})
    ]


@prints_as_on_durable
def test_reference_engine_gives_the_same_answer(runner: CliRunner, example_path: str) -> None:
    durable = runner.invoke(main, ["advise", example_path, "-f", "json"]).output
    reference = runner.invoke(main, ["advise", example_path, "-f", "json", "--engine", "reference"]).output
    assert durable == reference


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "as_of: 2026-11-20\naccount: {id: a, name: A, tyer: key}\n",
            "bad.yaml:2: account.tyer: unknown field 'tyer' (did you mean 'tier'?)",
        ),
        ("as_of: 2026-11-20\naccount: {id: a, name: A\n", "bad.yaml:3: invalid YAML"),
        (
            "as_of: 2026-11-20\naccount: {id: a, name: A}\ncontacts: [{id: c, name: C, stance: 9}]\n",
            "bad.yaml:3: contacts[0].stance: Input should be -1, 0, 1, 2 or 3 (found 9)",
        ),
    ],
)
@prints_as_on_durable
def test_bad_snapshots_exit_1_with_a_located_message_and_no_traceback(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["advise", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path}/{message}")
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


@prints_as_on_durable
def test_one_bad_file_does_not_lose_the_others(runner: CliRunner, tmp_path: Path, example_path: str) -> None:
    result = runner.invoke(main, ["advise", str(tmp_path / "missing.yaml"), example_path, "-f", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}/missing.yaml: no such file or directory\n"
    assert len(result.stdout.splitlines()) == len(example_recommendations())


def test_a_broken_playbook_exits_1_naming_file_and_line(runner: CliRunner, tmp_path: Path, example_path: str) -> None:
    (tmp_path / "bad.yaml").write_text(
        "playbook: x\nrules:\n  - id: r\n    rationale: y\n    subject: contact\n    when: [{stanse: 1}]\n    actions: [{action: hq_tour, title: t}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["advise", example_path, "--rules", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {tmp_path}/bad.yaml:6: rules[0].when[0].stanse: unknown field 'stanse' for a contact (did you mean 'stance'?)\n"
    )


def test_usage_mistakes(runner: CliRunner, example_path: str) -> None:
    assert runner.invoke(main, ["advise"]).exit_code == 2
    bad_param = runner.invoke(main, ["advise", example_path, "--param", "nonsense"])
    assert bad_param.exit_code == 2 and "expected NAME=VALUE" in bad_param.stderr
    unknown = runner.invoke(main, ["advise", example_path, "--param", "no_such=1"])
    assert unknown.exit_code == 2 and "--param no_such: no loaded playbook declares it" in unknown.stderr
    bad_date = runner.invoke(main, ["advise", example_path, "--as-of", "tomorrow"])
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.stderr
    nothing = runner.invoke(main, ["advise", example_path, "--no-builtin"])
    assert nothing.exit_code == 2 and "no playbooks" in nothing.stderr


def test_version_and_help(runner: CliRunner) -> None:
    from importlib.metadata import version

    assert runner.invoke(main, ["--version"]).output == f"kamengine, version {version('kamengine')}\n"
    for args in (["-h"], ["advise", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output
