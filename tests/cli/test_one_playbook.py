"""kamengine.toml's ``[playbooks] paths`` and ``[parameters]``: what every command and the service load (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.config import load_config
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.state import Service
from support import REPO

ACME = str(REPO / "examples" / "acme-telecom.yaml")
TEAM = """\
playbook: team
parameters:
  least_stance: {default: 1, description: The stance from which a contact is visited.}
rules:
  - id: visit-supporters
    rationale: Supporters hear from us.
    subject: contact
    when: [{stance: {gte: $least_stance}}]
    actions: [{action: regular_office_visit, title: "Visit {name}"}]
"""


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team's folder: its playbooks and the kamengine.toml that names them (relative to itself)."""
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "team.yaml").write_text(TEAM, encoding="utf-8")
    (tmp_path / "kamengine.toml").write_text(
        '[playbooks]\npaths = ["playbooks"]\n\n[parameters]\nleast_stance = 2\n', encoding="utf-8"
    )
    return tmp_path


def _team_rules(*args: str) -> list[tuple[str, str]]:
    ran = CliRunner().invoke(main, ["advise", ACME, "--format", "json", *args])
    assert ran.exit_code == 0, ran.output
    return sorted((r["rule"], r["id"]) for r in json.loads(ran.stdout) if r["rule"].startswith("team/"))


def test_advise_loads_the_settings_playbooks_and_parameters_from_any_folder(team: Path) -> None:
    advised = _team_rules("--config", str(team / "kamengine.toml"))
    assert advised and {rule for rule, _ in advised} == {"team/visit-supporters"}
    wider = _team_rules("--config", str(team / "kamengine.toml"), "--param", "least_stance=1")
    assert set(advised) < set(wider)  # --param overrides [parameters] for one run
    assert _team_rules("--config", "/dev/null") == []


def test_rules_on_the_command_line_replace_the_settings_paths(team: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(TEAM.replace("playbook: team", "playbook: team-b"), encoding="utf-8")
    ran = CliRunner().invoke(
        main, ["advise", ACME, "--format", "json", "--config", str(team / "kamengine.toml"), "--rules", str(other)]
    )
    assert ran.exit_code == 0, ran.output
    rules = {r["rule"] for r in json.loads(ran.stdout)}
    assert "team-b/visit-supporters" in rules and "team/visit-supporters" not in rules


def test_a_path_that_is_not_there_is_one_line_naming_the_file_and_the_key(tmp_path: Path) -> None:
    settings = tmp_path / "kamengine.toml"
    settings.write_text('[playbooks]\npaths = ["playbooks", "gone"]\n', encoding="utf-8")
    (tmp_path / "playbooks").mkdir()
    ran = CliRunner().invoke(main, ["advise", ACME, "--config", str(settings)])
    assert ran.exit_code == 1
    assert ran.stderr == f"Error: {settings}: playbooks.paths[1]: no such folder or file: {tmp_path / 'gone'}\n"
    settings.write_text('[playbooks]\npaths = "playbooks"\n', encoding="utf-8")
    ran = CliRunner().invoke(main, ["advise", ACME, "--config", str(settings)])
    assert ran.exit_code == 1 and "playbooks.paths: expected a list of folders or files" in ran.stderr
    assert "Traceback" not in ran.output


def test_the_service_loads_what_the_settings_name_unless_told_otherwise(team: Path) -> None:
    registry = Registry(get_plugin_manager(load_entry_points=False))
    config = load_config(team / "kamengine.toml")
    service = Service(team / "k.db", config=config, registry=registry)
    try:
        assert "team/visit-supporters" in service.loaded_rules
        revision = service.revision
    finally:
        service.close()
    bare_config = load_config(team / "kamengine.toml")
    bare_config.parameters.clear()  # [parameters] of a playbook not loaded is a mistake of its own
    bare = Service(team / "k.db", config=bare_config, registry=registry, rules=())
    try:
        assert "team/visit-supporters" not in bare.loaded_rules and bare.revision != revision
    finally:
        bare.close()
    other = Service(team / "k.db", config=config, registry=registry, params={"least_stance": 1})
    try:  # --param changes the revision the store keeps with each run
        assert other.revision != revision
    finally:
        other.close()


def test_serve_takes_the_playbook_options() -> None:
    ran = CliRunner().invoke(main, ["serve", "--help"])
    assert all(option in ran.stdout for option in ("--rules", "--param", "--no-builtin"))
    bad = CliRunner().invoke(main, ["serve", "--param", "nothing", "--no-auth"])
    assert bad.exit_code == 2 and "expected NAME=VALUE, found 'nothing'" in bad.stderr
