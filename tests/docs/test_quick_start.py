"""The README's third command ends on a page listing the bundled accounts (day one, issue 23).

Its batch runs as written into a store of its own; then its ``serve`` runs as a real process on
127.0.0.1 (through ``python -m kamengine``, on the port ``KAMENGINE_PORT`` gives) and ``/`` is fetched.
"""

from __future__ import annotations

import csv
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kamengine.cli import main
from serving import free_port
from support import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _bundled_accounts() -> list[str]:
    """The names of the accounts of the bundled CRM export (the batch's source)."""
    with (REPO / "examples" / "exports" / "accounts.csv").open(encoding="utf-8-sig", newline="") as rows:
        names = [row["Account Name"] for row in csv.DictReader(rows, delimiter=";")]
    assert len(names) >= 4 and "ACME Telecom" in names
    return names


def _quick_start() -> list[list[str]]:
    """The third line of the README's first bash block: its commands, each as kamengine's words."""
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    commands = [shlex.split(part, comments=True) for part in block[2].split("&&")]
    assert all(words[0] == ".venv/bin/kamengine" for words in commands), block[2]
    return [words[1:] for words in commands]


def test_the_quick_start_runs_a_batch_before_serve() -> None:
    assert [words[0] for words in _quick_start()] == ["batch", "serve"]


def test_the_quick_start_ends_on_a_page_listing_the_bundled_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, serve = _quick_start()
    monkeypatch.chdir(REPO)  # the clone's root, where the README's commands run
    env = {"KAMENGINE_HOME": str(tmp_path), "KAMENGINE_CONFIG": "/dev/null"}
    night = CliRunner(env=env).invoke(main, [*batch[:1], "--workers", "1", *batch[1:]])
    assert night.exit_code == 0, night.output
    assert (tmp_path / "kamengine.db").exists()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kamengine", *serve],
        cwd=tmp_path,
        env={**os.environ, **env, "KAMENGINE_PORT": str(port)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        said = []
        deadline = time.monotonic() + 60
        while not any("serving on" in line for line in said):
            line = server.stderr.readline()
            assert line and time.monotonic() < deadline, "".join(said)
            said.append(line)
        assert f"127.0.0.1:{port}" in said[-1]
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert page.status_code == 200
    assert all(name in page.text for name in _bundled_accounts()), page.text[:2000]
    assert server.returncode == 143
