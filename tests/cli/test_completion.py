"""Shell completion: output formats, rule ids and source kinds complete; the shells' scripts come out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from kamengine.cli import main

SCRIPT = Path(sys.executable).parent / "kamengine"


def _complete(args: list[str], incomplete: str) -> list[str]:
    return [item.value for item in ShellComplete(main, {}, "kamengine", "_KAMENGINE_COMPLETE").get_completions(
        args, incomplete
    )]  # fmt: skip


@pytest.mark.parametrize("command", [["advise"], ["plan"], ["plugins"], ["rules", "list"]])
def test_formats_complete(command: list[str]) -> None:
    offered = _complete([*command, "--format"], "")
    assert "json" in offered and set(offered) <= {"table", "json", "jsonl", "csv", "markdown", "ics"}
    assert all(name.startswith("js") for name in _complete([*command, "--format"], "js"))
    assert _complete(["advise", "--format"], "") == ["table", "json", "jsonl", "csv", "markdown"]


def test_rule_ids_complete_qualified_or_alone_with_the_rules_of_rules_paths(tmp_path: Path) -> None:
    assert "power-map/borrow-leverage" in _complete(["explain", "x.yaml", "--rule"], "power-map/b")
    assert _complete(["rules", "show"], "borrow-lev") == ["borrow-leverage"]
    team = tmp_path / "team.yaml"
    team.write_text("playbook: team\nrules:\n  - id: cto-review\n", encoding="utf-8")
    assert _complete(["explain", "x.yaml", "--rules", str(team), "--rule"], "team/") == ["team/cto-review"]
    assert _complete(["explain", "x.yaml", "--rules", str(tmp_path / "none"), "--rule"], "zzz") == []


def test_source_kinds_complete() -> None:
    for command in (["advise"], ["plan"], ["batch"]):
        assert {"csv:", "file:", "jsonl:", "sqlite:"} <= set(_complete([*command, "--source"], ""))
    assert _complete(["advise", "--source"], "js") == ["jsonl:"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_installed_command_prints_each_shell_s_script(shell: str) -> None:
    env = {**os.environ, "_KAMENGINE_COMPLETE": f"{shell}_source"}
    done = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "_KAMENGINE_COMPLETE" in done.stdout


def test_the_installed_command_completes_in_bash() -> None:
    env = {**os.environ, "_KAMENGINE_COMPLETE": "bash_complete", "COMP_WORDS": "kamengine advise --format ma"}
    done = subprocess.run([str(SCRIPT)], env={**env, "COMP_CWORD": "3"}, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["plain,markdown"]
