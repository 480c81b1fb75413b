"""The installed ``kamengine`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from durable_marker import prints_as_on_durable
from support import example_recommendations

SCRIPT = Path(sys.executable).parent / "kamengine"


def _run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=60, check=False
    )


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not SCRIPT.exists():
        pytest.fail(f"the kamengine command is not installed next to {sys.executable}; run pip install -e .")


@prints_as_on_durable
def test_advise_on_the_bundled_example(example_path: str, tmp_path: Path) -> None:
    result = _run("advise", example_path, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    recs = json.loads(result.stdout)
    assert recs == example_recommendations()
    assert result.stderr == ""


@prints_as_on_durable
def test_a_users_mistake_is_one_line_on_stderr_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "snap.yaml").write_text("as_of: 2026-13-01\naccount: {id: a, name: A}\n", encoding="utf-8")
    result = _run("advise", "snap.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: snap.yaml:1: as_of: Input should be a valid date")
    assert len(result.stderr.splitlines()) == 1


def test_the_package_is_namespaced(tmp_path: Path) -> None:
    code = "import importlib.util as u; print(u.find_spec('engine'), u.find_spec('cli'), u.find_spec('kamengine.engine') is not None)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert result.stdout.split() == ["None", "None", "True"]


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kamengine.cli", "--version"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("kamengine, version ")
