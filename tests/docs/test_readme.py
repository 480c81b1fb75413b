"""The README's excerpts are what kamengine prints today."""

from __future__ import annotations

import re

from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _excerpt(command: str) -> list[str]:
    block = re.search(rf"```\n\$ {re.escape(command)}\n(.*?)```", README, flags=re.S)
    assert block, command
    return [line for line in block.group(1).splitlines() if line != "..."]


def test_the_first_lines_are_the_two_setup_commands() -> None:
    lines = README.splitlines()
    assert lines[3].endswith("kamengine advise examples/acme-telecom.yaml")
    assert lines[4].endswith("python -m pytest -n auto")  # .ci/run runs this line


def test_the_advise_excerpt_is_current(tmp_path: object) -> None:
    shown = _excerpt("kamengine advise examples/acme-telecom.yaml")
    result = CliRunner().invoke(main, ["--config", "/dev/null", "advise", str(REPO / "examples" / "acme-telecom.yaml")])
    assert result.stdout.splitlines()[: len(shown)] == shown


def test_the_portfolio_excerpt_is_current() -> None:
    command = "kamengine advise --source file:examples/portfolio/ --max-per-account 3"
    shown = _excerpt(command)
    args = [
        "--config",
        "/dev/null",
        "advise",
        "--source",
        f"file:{REPO / 'examples' / 'portfolio'}",
        "--max-per-account",
        "3",
    ]
    assert CliRunner().invoke(main, args).stdout.splitlines() == shown


def test_the_plan_and_explain_excerpts_are_current() -> None:
    examples = REPO / "examples"
    plan = "kamengine plan --source file:examples/acme-telecom.yaml --source file:examples/portfolio/ --owner u-ad --week 2026-W49 --as-of 2026-11-20"
    args = ["--config", "/dev/null", "plan", "--source", f"file:{examples / 'acme-telecom.yaml'}"]
    args += ["--source", f"file:{examples / 'portfolio'}", "--owner", "u-ad", "--week", "2026-W49"]
    args += ["--as-of", "2026-11-20"]
    assert CliRunner().invoke(main, args).stdout.splitlines() == _excerpt(plan)
    explain = "kamengine explain examples/acme-telecom.yaml --rule three-axes-evaluator --subject c-eng"
    args = ["--config", "/dev/null", "explain", str(examples / "acme-telecom.yaml"), "--rule", "three-axes-evaluator"]
    shown = CliRunner().invoke(main, [*args, "--subject", "c-eng"]).stdout.splitlines()
    assert [line.replace(str(examples) + "/", "examples/") for line in shown] == _excerpt(explain)
