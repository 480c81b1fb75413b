"""A batch worker evaluates with what its job carries, never with files it finds where it runs."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from kamengine.engine.api import Engine, RunOptions
from kamengine.engine.batch.executor import Job, Task
from kamengine.engine.batch.worker import Evaluation
from kamengine.engine.model.config import load_config
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
WORKER = """
import json, pickle, sys
from kamengine.engine.batch.worker import Evaluation
job, task = pickle.load(open(sys.argv[1], "rb"))
answer = Evaluation(job)(task)
print(json.dumps([list(row) for row in answer.advice.rows], ensure_ascii=False))
"""


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A directory where a worker might be started: its own kamengine.toml says zh, and rules are missing."""
    folder = tmp_path / "worker-machine"
    folder.mkdir()
    (folder / "kamengine.toml").write_text('lang = "zh"\n[rules]\ndisabled = ["power-map/borrow-leverage"]\n')
    return folder


def test_a_worker_started_elsewhere_gives_identical_advice(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run's own settings: English, and a team playbook given by a relative --rules path.
    home = tmp_path / "run"
    (home / "team").mkdir(parents=True)
    (home / "team" / "team.yaml").write_text(
        "playbook: team\nrules:\n  - id: cto-review\n    rationale: The CTO decides.\n    subject: contact\n"
        "    when: [{role: D}]\n    actions: [{action: account_review, title: 'Review {name}'}]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(home)
    registry = Registry(get_plugin_manager(load_entry_points=False))
    engine = Engine(RunOptions(rules=("team",), config=load_config(None)), registry)
    source = registry.source(f"file:{EXAMPLE}")
    job = Job(engine.spec, type(source), source.location)
    task = Task(str(EXAMPLE), next(iter(source.records())))
    here = Evaluation(job)(task)
    assert here.advice is not None
    job_file = tmp_path / "job.pickle"
    job_file.write_bytes(pickle.dumps((job, task)))
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(job_file)], capture_output=True, text=True, cwd=elsewhere, check=False
    )
    assert done.returncode == 0, done.stderr
    there = [tuple(row) for row in json.loads(done.stdout)]
    assert there == [tuple(row) for row in here.advice.rows]
    titles = [row[6] for row in there]
    assert "Review Ana Ruiz" in titles  # the team playbook came with the job, not from the worker's directory
    assert any(row[5] == "power-map/borrow-leverage" for row in there)  # the worker's toml switched nothing off
    assert not any("\u4e00" <= ch <= "\u9fff" for title in titles for ch in title)  # English, not the worker's zh
