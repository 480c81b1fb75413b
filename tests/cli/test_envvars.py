"""Options from the environment: KAMENGINE_DB, KAMENGINE_HOST, KAMENGINE_PORT, and every other one (issue 23)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

DOC = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("env") / "night.db"
    ran = CliRunner(env={"KAMENGINE_DB": str(db)}).invoke(
        main,
        ["--config", "/dev/null", "batch", "--source", f"file:{REPO / 'examples' / 'portfolio'}", "--workers", "1"],
    )
    assert ran.exit_code == 0, ran.output
    assert db.exists()  # the batch wrote where KAMENGINE_DB says
    return db


def test_kamengine_db_is_every_command_s_store(store: Path, tmp_path: Path) -> None:
    env = {"KAMENGINE_DB": str(store), "KAMENGINE_HOME": str(tmp_path)}
    listed = CliRunner(env=env).invoke(main, ["--config", "/dev/null", "recs", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) > 0
    elsewhere = CliRunner(env=env).invoke(main, ["recs", "list", "--db", str(tmp_path / "none.db")])
    assert elsewhere.exit_code == 1 and "no store at" in elsewhere.stderr  # the option wins over the variable


def test_every_other_option_by_command_and_name(store: Path) -> None:
    env = {"KAMENGINE_DB": str(store), "KAMENGINE_RECS_LIST_LIMIT": "2", "KAMENGINE_RECS_LIST_OUTPUT_FORMAT": "json"}
    listed = CliRunner(env=env).invoke(main, ["--config", "/dev/null", "recs", "list"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 2
    env = {"KAMENGINE_ADVISE_LANG": "zh", "KAMENGINE_ADVISE_MAX_PER_ACCOUNT": "1"}
    advised = CliRunner(env=env).invoke(
        main, ["--config", "/dev/null", "advise", "-f", "json", str(REPO / "examples" / "acme-telecom.yaml")]
    )
    found = json.loads(advised.stdout)
    assert len({r["approach"] for r in found}) == 1 and re.search(r"[\u4e00-\u9fff]", found[0]["title"])


def test_serve_reads_its_address_from_the_environment() -> None:
    # --no-auth serves a loopback address only: the refusal shows the host came from KAMENGINE_HOST.
    refused = CliRunner(env={"KAMENGINE_HOST": "0.0.0.0"}).invoke(main, ["serve", "--no-auth"])
    assert refused.exit_code == 2 and "0.0.0.0" in refused.stderr
    bad_port = CliRunner(env={"KAMENGINE_PORT": "70000"}).invoke(main, ["serve", "--no-auth"])
    assert bad_port.exit_code == 2 and "--port" in bad_port.stderr and "70000" in bad_port.stderr
    flagged = CliRunner(env={"KAMENGINE_SERVE_NO_AUTH": "1", "KAMENGINE_HOST": "10.0.0.1"}).invoke(main, ["serve"])
    assert flagged.exit_code == 2 and "10.0.0.1" in flagged.stderr  # the flag came too: --no-auth off loopback


def _renamed() -> dict[str, set[str]]:
    """Options whose variable's name is not their long name: option -> the names."""
    context = click.Context(main, info_name="kamengine")
    found: dict[str, set[str]] = {}

    def walk(command: click.Command) -> None:
        for param in command.params:
            if isinstance(param, click.Option) and param.name and param.envvar is None and param.name != "config_after":
                flag = max(param.opts, key=len)
                if flag[2:].replace("-", "_") != param.name:
                    found.setdefault(flag, set()).add(param.name.upper())
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                walk(sub)

    walk(main)
    return found


def test_the_settings_doc_names_each_variable_that_is_not_the_option_s_name() -> None:
    renamed = _renamed()
    assert renamed["--rules"] == {"RULE_PATHS"}
    for option, names in renamed.items():
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{option}` |")), "")
        assert all(f"`{name}`" in row for name in names), (option, names)
    for variable in ("KAMENGINE_DB", "KAMENGINE_HOST", "KAMENGINE_PORT", "auto_envvar_prefix"):
        assert variable in DOC
