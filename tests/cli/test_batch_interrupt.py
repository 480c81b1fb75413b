"""Ctrl-C or SIGTERM in kamengine batch: one line, the shell's exit code, no traceback, and --resume finishes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from support import REPO

SCRIPT = Path(sys.executable).parent / "kamengine"


def _portfolio(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((REPO / "examples" / "acme-telecom.yaml").read_text(encoding="utf-8"))
    for index in range(count):
        data["account"]["id"] = f"acct-{index:02d}"
        (folder / f"{index:02d}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    return folder


def _done(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("select count(*) from run_accounts where status = 'done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_in_one_line_and_resume_finishes_it(tmp_path: Path, signum: int, code: int) -> None:
    folder, db = _portfolio(tmp_path / "p", 12), tmp_path / "k.db"
    args = [str(SCRIPT), "batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "2"]
    env = {**os.environ, "KAMENGINE_FAULT_INJECT": "sleep:0.3", "KAMENGINE_HOME": str(tmp_path)}
    # A new session, so that SIGINT goes to the whole process group, workers too, as Ctrl-C on a terminal does.
    process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while _done(db) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)  # kill(1) names the supervisor only
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    written = _done(db)
    assert 2 <= written < 12
    lines = [line for line in stderr.splitlines() if "interrupted" in line]
    assert lines == [f"interrupted after {written} accounts; run kamengine batch --resume"], stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from runs").fetchall() == [("running",)]
        assert conn.execute("select count(*) from run_accounts where status = 'failed'").fetchone() == (0,)
    env.pop("KAMENGINE_FAULT_INJECT")
    resumed = subprocess.run([*args, "--resume"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - written} accounts;" in resumed.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from runs").fetchall() == [("finished",)]
        done = "select count(distinct account_id) from run_accounts where status = 'done'"
        assert conn.execute(done).fetchone() == (12,)
        (summary,) = conn.execute("select summary from runs").fetchone()
    assert json.loads(summary)["accounts"] == 12  # the whole run's, not the resumed part's


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_to_the_group_while_workers_start_ends_the_run_at_once(tmp_path: Path, signum: int, code: int) -> None:
    """A worker killed while it starts once held the supervisor on a pipe for ever (SIGTERM), and a Ctrl-C then
    was dropped (the run went on to the end): at every moment of the start, the run now ends in one line."""
    folder = _portfolio(tmp_path / "p", 12)
    env = {**os.environ, "KAMENGINE_HOME": str(tmp_path), "KAMENGINE_FAULT_INJECT": "sleep:0.2"}
    for attempt, delay in enumerate((0.4, 0.7, 1.0, 1.3, 1.6)):  # while the workers start (not Python itself)
        db = tmp_path / f"k{attempt}.db"
        args = [str(SCRIPT), "batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "2"]
        process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signum)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"still running 30 s after the signal at {delay} s")
        assert process.returncode == code, (delay, stderr)
        assert "Traceback" not in stderr and stderr.splitlines()[-1] in (
            "interrupted", "terminated", f"interrupted after {_done(db)} accounts; run kamengine batch --resume"
        ), (delay, stderr)  # fmt: skip
