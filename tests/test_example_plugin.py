"""The example third-party plugin, installed for real, seen by the installed kamengine command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

EXAMPLE = REPO / "examples" / "kamengine-getresult"
SCRIPT = Path(sys.executable).parent / "kamengine"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pip-installs the example into a directory of its own; the environment that sees it."""
    target = tmp_path_factory.mktemp("site")
    # Built from a copy: setuptools builds in the source folder (build/, *.egg-info), and two test workers
    # installing the one folder at once trip over each other's files.
    source = tmp_path_factory.mktemp("example") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "KAMENGINE_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(target)
    return env


def _run(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


def test_kamengine_plugins_lists_it(installed: dict[str, str]) -> None:
    result = _run(installed, "plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    plugin = next(row for row in json.loads(result.stdout) if row["name"] == "getresult")
    assert (plugin["package"], plugin["version"], plugin["builtin"]) == ("kamengine-getresult", "0.1.0", False)
    assert plugin["hooks"] == [
        "kamengine_register_actions",
        "kamengine_register_enrichers",
        "kamengine_register_playbooks",
    ]
    assert plugin["provides"][:2] == ["enricher kpi-sheet", "action kpi_rebalance"]


def test_advise_uses_its_playbook_action_and_enricher(installed: dict[str, str]) -> None:
    result = _run(installed, "advise", str(EXAMPLE / "examples" / "kpi-account.yaml"), "-f", "json")
    assert result.returncode == 0, result.stderr
    (rec,) = [r for r in json.loads(result.stdout) if r["rule"].startswith("getresult/")]
    assert (rec["rule"], rec["action"], rec["owner_role"]) == ("getresult/business-weight", "kpi_rebalance", "AD")
    # Its playbook is planned like the built-in one: owned by a named person, in an approach.
    assert rec["owner"] == {"id": "u-ad", "name": "Mei Lin", "role": "AD"}
    assert rec["approach"] is not None and rec["approach"].startswith("apr-")
    assert rec["title"] == "Rebalance business vs growth KPI weights for Northwind Mobile (1 role(s) off)"
    assert rec["evidence"]["fields"] == {"kpi_roles_business_weight_off": 1}
    both = json.loads(_run(installed, "advise", str(REPO / "examples" / "acme-telecom.yaml"), "-f", "json").stdout)
    assert {"power-map", "kam-account", "getresult"} <= {r["rule"].split("/")[0] for r in both}


def test_its_playbook_cases_pass_with_full_coverage(installed: dict[str, str]) -> None:
    result = _run(installed, "rules", "test", str(EXAMPLE / "kamengine_getresult" / "playbooks"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "coverage: 5/5 rules fired in some case" in result.stdout


def test_its_own_tests_pass_under_its_own_pytest(installed: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=EXAMPLE, env=installed, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 passed" in result.stdout  # 3 unit tests, 5 playbook cases, coverage
