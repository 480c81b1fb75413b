"""``rules impact``: the built-in playbooks against a copy with one threshold changed, over a generated portfolio."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO, activity, contact, snapshot_data


def _account(index: int, last_met: str) -> dict:
    """A supporter on the second rung, last met on ``last_met`` (2026-09-06 is 75 days before as_of)."""
    person = contact("c1", name=f"Ana {index}", role="D", stance=1)
    visits = [
        activity("a1", "project_office_visit", "2026-05-01", "c1"),
        activity("a2", "regular_office_visit", last_met, "c1"),
    ]
    return snapshot_data(account={"id": f"acct-{index}", "name": f"ACME {index}"}, contacts=[person], activities=visits)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The built-in playbooks, a copy where a relationship turns cold after 90 days (not 60), and a portfolio."""
    root = tmp_path_factory.mktemp("impact")
    head = root / "head"
    shutil.copytree(REPO / "rules", head, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    power_map = head / "power_map.yaml"
    text = power_map.read_text(encoding="utf-8")
    power_map.write_text(text.replace("cold_after_days:\n    default: 60", "cold_after_days:\n    default: 90"))
    portfolio = root / "portfolio.jsonl"
    accounts = [_account(i, "2026-09-06" if i % 2 else "2026-11-01") for i in range(6)]
    portfolio.write_text("".join(json.dumps(a) + "\n" for a in accounts), encoding="utf-8")
    return {"base": str(REPO / "rules"), "head": str(head), "source": f"jsonl:{portfolio}"}


def _impact(versions: dict[str, str], *args: str) -> object:
    command = [
        "rules",
        "impact",
        "--base",
        versions["base"],
        "--head",
        versions["head"],
        "--source",
        versions["source"],
    ]
    return CliRunner().invoke(main, [*command, *args])


def test_a_longer_cold_threshold_adds_private_activities_and_removes_rewarming(versions: dict[str, str]) -> None:
    result = _impact(versions, "--workers", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["accounts"], report["changed_accounts"], report["failures"]) == (6, 3, [])
    changes = {(c["rule"], c["action"]): c for c in report["changes"]}
    assert sorted(changes) == [
        ("power-map/ladder-private-activity", "private_activity"),
        ("power-map/rewarm-cold", "regular_office_visit"),
    ]
    added = changes[("power-map/ladder-private-activity", "private_activity")]
    assert (added["added"], added["removed"], added["accounts"]) == (3, 0, ["acct-1", "acct-3", "acct-5"])
    assert added["examples"][0] == (
        "+ private_activity to Ana 1 at ACME 1, because role D, intimacy_level 2, stance 1, days_since_last_meeting 75"
    )
    removed = changes[("power-map/rewarm-cold", "regular_office_visit")]
    assert (removed["added"], removed["removed"], len(removed["examples"])) == (0, 3, 3)
    assert removed["examples"][0].startswith("- regular_office_visit to Ana 1 at ACME 1, no longer recommended (was: ")


def test_workers_see_the_same_changes_and_markdown_is_ready_for_a_pull_request(versions: dict[str, str]) -> None:
    one = json.loads(_impact(versions, "--workers", "1", "-f", "json").output)
    assert json.loads(_impact(versions, "--workers", "2", "-f", "json").output) == one
    markdown = _impact(versions, "-f", "markdown", "--examples", "1").output
    assert markdown.startswith("### Playbook impact\n\n3 of 6 account(s) change: ")
    assert "| `power-map/rewarm-cold` | `regular_office_visit` | 0 | 3 | 0 | 3 |" in markdown
    assert "- **added** private\\_activity to Ana 1 at ACME 1, because role D, intimacy\\_level 2" in markdown


def test_fail_on_change_exits_1_and_no_change_exits_0(versions: dict[str, str]) -> None:
    assert _impact(versions, "--fail-on-change").exit_code == 1
    same = CliRunner().invoke(
        main, ["rules", "impact", "--base", versions["base"], "--head", versions["base"], "--source", versions["source"],
               "--fail-on-change"],
    )  # fmt: skip
    assert same.exit_code == 0 and same.output.startswith("0 of 6 account(s) change:")


def test_a_git_ref_against_the_working_tree(
    versions: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(versions["base"], tmp_path / "playbooks", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run([*git, "-C", str(tmp_path), "commit", "-qm", "playbooks"], check=True)
    shutil.copy(Path(versions["head"]) / "power_map.yaml", tmp_path / "playbooks" / "power_map.yaml")
    monkeypatch.chdir(tmp_path)
    command = ["rules", "impact", "--source", versions["source"], "-f", "json", "--workers", "1"]
    by_ref = CliRunner().invoke(main, [*command, "--base", "HEAD", "--playbooks", "playbooks"])
    assert by_ref.exit_code == 0, by_ref.output
    assert json.loads(by_ref.output)["changed_accounts"] == 3
    file_at_ref = CliRunner().invoke(main, [*command, "--base", "HEAD:playbooks/power_map.yaml", "--head", "playbooks"])
    assert json.loads(file_at_ref.output)["changed_accounts"] == 3
    monkeypatch.chdir(tmp_path / "playbooks")  # inside the work tree, paths are relative to where one stands
    from_inside = CliRunner().invoke(main, [*command, "--base", "HEAD", "--playbooks", "."])
    assert from_inside.exit_code == 0, from_inside.output
    assert json.loads(from_inside.output)["changed_accounts"] == 3
    monkeypatch.chdir(tmp_path)
    bad = CliRunner().invoke(main, [*command, "--base", "nosuch:playbooks", "--head", "playbooks"])
    assert bad.exit_code == 2 and "--base 'nosuch:playbooks': no such file or directory, nor a git ref" in bad.output


def test_a_bad_account_costs_only_itself_and_a_missing_version_is_a_usage_error(
    versions: dict[str, str], tmp_path: Path
) -> None:
    portfolio = tmp_path / "some-bad.jsonl"
    good = Path(versions["source"].removeprefix("jsonl:")).read_text(encoding="utf-8")
    portfolio.write_text('{"account": 1}\n' + good, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["rules", "impact", "--base", versions["base"], "--head", versions["head"], "--source",
               f"jsonl:{portfolio}", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {portfolio}:1: ")
    assert "3 of 6 account(s) change:" in result.output
    alone = CliRunner().invoke(main, ["rules", "impact", "--base", versions["base"], "--source", versions["source"]])
    assert alone.exit_code == 2 and "give --head, or --playbooks PATH" in alone.output


def test_a_rule_given_a_higher_priority_is_the_only_one_re_ranked(tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(REPO / "rules", head, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    power_map = head / "power_map.yaml"
    text = power_map.read_text(encoding="utf-8")
    start = text.index("priority:", text.index("id: rewarm-cold"))
    power_map.write_text(text[:start] + "priority: 400" + text[text.index("\n", start) :], encoding="utf-8")
    sources = [
        "--source",
        f"file:{REPO / 'examples' / 'acme-telecom.yaml'}",
        "--source",
        f"file:{REPO / 'examples' / 'portfolio'}",
    ]
    result = CliRunner().invoke(
        main, ["rules", "impact", "--base", str(REPO / "rules"), "--head", str(head), *sources, "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)["changes"]
    # Umbrella's two re-warm visits move up; the advice they pass keeps its own priority and is not listed.
    assert [(c["rule"], c["added"], c["removed"], c["reranked"]) for c in changes] == [
        ("power-map/rewarm-cold", 0, 0, 2)
    ]
    assert (
        changes[0]["examples"][0]
        == "~ regular_office_visit to Wang Fang at Umbrella Health Authority, ranked 2 → 1 of 10"
    )


def test_a_mistake_in_a_version_at_a_git_ref_is_named_by_the_ref(versions: dict[str, str], tmp_path: Path) -> None:
    shutil.copytree(versions["base"], tmp_path / "playbooks", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    power_map = tmp_path / "playbooks" / "power_map.yaml"
    power_map.write_text(power_map.read_text(encoding="utf-8").replace("priority: 60", 'priority: "x"', 1))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "a typo"], check=True)
    command = ["rules", "impact", "--source", versions["source"], "--head", versions["base"]]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(main, [*command, "--base", "HEAD", "--playbooks", "playbooks"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --base: HEAD:playbooks/power_map.yaml:")
    assert "kamengine-impact-" not in result.output
