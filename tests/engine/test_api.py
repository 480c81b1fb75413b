"""The engine API: an advise or a nightly batch with one call, no command line, no click."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.api import Engine
from kamengine.engine.batch.processes import ProcessExecutor
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")


def _engine() -> Engine:
    return Engine(registry=Registry(get_plugin_manager(load_entry_points=False)))


@prints_as_on_durable
def test_advise_is_one_call_and_gives_what_the_command_prints(tmp_path: Path) -> None:
    target = tmp_path / "advice.json"
    with _engine() as engine:
        result = engine.advise([f"file:{EXAMPLE}"], emit=[f"json:{target}"])
    assert result.ok and result.advised == 1 and result.failures == []
    printed = json.loads(CliRunner().invoke(main, ["advise", EXAMPLE, "-f", "json"]).output)
    assert [r.to_dict() for r in result.recommendations] == printed
    assert json.loads(target.read_text(encoding="utf-8")) == printed


def test_a_bad_account_is_a_failure_line_and_the_others_are_advised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("as_of: 2026-11-20\naccount: {id: x}\n", encoding="utf-8")
    with _engine() as engine:
        result = engine.advise([f"file:{EXAMPLE}", f"file:{bad}"])
    assert result.advised == 1 and not result.ok
    assert result.failures == [f"{bad}:2: account.name: required field is missing"]


def test_a_nightly_batch_is_one_call(tmp_path: Path) -> None:
    lines = tmp_path / "portfolio.jsonl"
    snapshot = json.loads(CliRunner().invoke(main, ["schema"]).output)  # any JSON will do to check the call
    assert snapshot["title"] == "Snapshot"
    import yaml

    data = yaml.safe_load(Path(EXAMPLE).read_text(encoding="utf-8"))
    with lines.open("w", encoding="utf-8") as stream:
        for index in range(3):
            data["account"]["id"] = f"acct-{index}"
            stream.write(json.dumps(data, default=str) + "\n")
    calendar = tmp_path / "visits.ics"
    with _engine() as engine:
        result = engine.batch(
            f"jsonl:{lines}", store=tmp_path / "k.db", emit=[f"ics:{calendar}"], executor=ProcessExecutor(1)
        )
    assert result.ok and result.accounts == 3 and result.outcome.new > 0
    assert [d.ok for d in result.deliveries] == [True] and calendar.exists()


def test_the_engine_api_does_not_need_click(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from kamengine.engine.api import Engine\n"
        f"result = Engine().advise(['file:{EXAMPLE}'])\n"
        "assert result.advised == 1 and result.recommendations, result.failures\n"
        "assert 'click' not in sys.modules, 'the engine imported click'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
