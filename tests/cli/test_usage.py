"""Mistakes at the command line: exit 2 for a usage mistake, 1 for bad data, one line without Python's class names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")
PORTFOLIO = f"file:{REPO / 'examples' / 'portfolio'}"
# A class name as Python prints it: FileNotFoundError, ValueError, KeyError...
CLASS_NAME = re.compile(r"\b[A-Z][a-zA-Z]*(Error|Exception)\b|Traceback")

MISTAKES = [
    # usage mistakes: an option or argument that cannot be used as given
    (["advise"], 2, "give SNAPSHOT files or --source NAME:LOCATION"),
    (["advise", "--source", "nope:x"], 2, "unknown source 'nope'"),
    (["advise", EXAMPLE, "--emit", "nope"], 2, "unknown emitter 'nope'"),
    (["advise", EXAMPLE, "--param", "x"], 2, "expected NAME=VALUE, found 'x'"),
    (["advise", EXAMPLE, "--param", "cold_after_day=3"], 2, "--param cold_after_day: no loaded playbook declares it"),
    (["advise", EXAMPLE, "--param", "cold_after_days=soon"], 2, "cold_after_days=soon: expected a whole number"),
    (["advise", EXAMPLE, "--rules", "/no/such/dir"], 2, "'/no/such/dir' does not exist"),
    (["--config", "/no/such.toml", "advise", EXAMPLE], 2, "--config /no/such.toml: no such config file"),
    (["advise", EXAMPLE, "--config", "/no/such.toml"], 2, "--config /no/such.toml: no such config file"),
    (["batch", "--source", PORTFOLIO, "--executor", "dask"], 2, "--executor dask needs --scheduler ADDRESS"),
    (["batch", "--source", PORTFOLIO, "--scheduler", "tcp://10.0.0.5:8786"], 2, "--scheduler is for --executor dask"),
    (["batch", "--source", PORTFOLIO, "--source", PORTFOLIO], 2, "batch takes one --source per run"),
    (["report", "rules", "--db", "/nonexistent/k.db"], 1, "no store at /nonexistent/k.db; run kamengine batch first"),
    (["batch", "--source", PORTFOLIO, "--resume", "--retry-failed"], 2, "one at a time"),
    (["explain", EXAMPLE, "--rule", "no-such-rule"], 2, "no rule 'no-such-rule'"),
    (["explain", EXAMPLE, "--subject", "nobody"], 2, "no contact, opportunity or account 'nobody'"),
    (["explain", EXAMPLE], 2, "give --rule, --subject or both"),
    (["plan", EXAMPLE, "--week", "2026-W99"], 2, "expected an ISO week like 2026-W49"),
    (["rules", "show", "no-such-rule"], 2, "no rule 'no-such-rule'"),
    (["schema", "extra"], 2, "unexpected extra argument"),
    # bad data: a file that is missing or does not hold what it should
    (["advise", "/no/such.yaml"], 1, "/no/such.yaml: no such file or directory"),
    (["advise", str(REPO / "README.md")], 1, "invalid YAML"),
    (["advise", EXAMPLE, "--rules", EXAMPLE], 1, "required key 'playbook' is missing"),
    (["advise", EXAMPLE, "--emit", "json:/no/such/dir/advice.json"], 1, "/no/such/dir/advice.json: no such file"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), MISTAKES, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_a_mistake_exits_with_its_code_and_says_what_is_wrong(
    args: list[str], code: int, message: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert not CLASS_NAME.search(result.stderr), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_config_is_accepted_before_and_after_the_command(tmp_path: Path) -> None:
    settings = tmp_path / "team.toml"
    settings.write_text('lang = "zh"\n', encoding="utf-8")
    for args in (
        ["--config", str(settings), "config", "show", "--json"],
        ["config", "show", "--config", str(settings), "--json"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        (lang,) = [row for row in json.loads(result.stdout) if row["key"] == "lang"]
        assert lang["value"] == "zh" and lang["origin"] == str(settings)
    advised = CliRunner().invoke(main, ["advise", EXAMPLE, "--format", "json", "--config", str(settings)])
    assert advised.exit_code == 0 and "新任高层" in advised.stdout  # the settings reached the engine
    later = CliRunner().invoke(main, ["--config", "/no/such.toml", "config", "show", "--config", str(settings)])
    assert later.exit_code == 0  # the later word wins
