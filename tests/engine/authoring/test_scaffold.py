"""``kamengine rules new``: the scaffolded package installs, kamengine loads it, and its own tests pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main

SCRIPT = Path(sys.executable).parent / "kamengine"


@prints_as_on_durable
def test_the_scaffold_installs_and_passes_its_own_tests(tmp_path: Path) -> None:
    created = CliRunner().invoke(main, ["rules", "new", "telecom-emea", "--directory", str(tmp_path)])
    assert created.exit_code == 0, created.output
    root = tmp_path / "kamengine-telecom-emea"
    assert created.output.startswith(f"created {root}/\n")
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "README.md",
        "kamengine_telecom_emea/__init__.py",
        "kamengine_telecom_emea/hooks.py",
        "kamengine_telecom_emea/playbooks/telecom-emea.yaml",
        "pyproject.toml",
        "tests/test_kamengine_telecom_emea.py",
    ]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["optional-dependencies"]["test"] == ["pytest>=8"]  # its README's pip install -e '.[test]'
    assert "pip install -e '.[test]'" in (root / "README.md").read_text(encoding="utf-8")
    site = tmp_path / "site"  # installed on its own, offline: kamengine is already here
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(root)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "KAMENGINE_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(site)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout  # its test file, its playbook's one case, the rule coverage
    plugins = subprocess.run(
        [str(SCRIPT), "plugins", "--format", "json"], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    plugin = next(row for row in json.loads(plugins.stdout) if row["name"] == "telecom-emea")
    assert (plugin["package"], plugin["hooks"]) == ("kamengine-telecom-emea", ["kamengine_register_playbooks"])
    listed = subprocess.run([str(SCRIPT), "rules", "list"], env=env, capture_output=True, text=True, check=True)
    assert "telecom-emea/visit-opposing-decision-maker" in listed.stdout


def test_a_bad_name_or_an_existing_package_is_one_line(tmp_path: Path) -> None:
    bad = CliRunner().invoke(main, ["rules", "new", "Team_X", "-d", str(tmp_path)])
    assert bad.exit_code == 2 and "NAME 'Team_X': expected lower-case letters and digits" in bad.output
    assert CliRunner().invoke(main, ["rules", "new", "team", "-d", str(tmp_path)]).exit_code == 0
    again = CliRunner().invoke(main, ["rules", "new", "team", "-d", str(tmp_path)])
    assert again.exit_code == 1 and f"{tmp_path / 'kamengine-team'}: already exists" in again.output
    taken = CliRunner().invoke(main, ["rules", "new", "power-map", "-d", str(tmp_path)])
    assert taken.exit_code == 2 and "a playbook with that id is already installed" in taken.output
    assert not (tmp_path / "kamengine-power-map").exists()
