"""advise --format jsonl streams: each account's lines come out as soon as it is advised; a bar only on a terminal."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.api import Engine
from kamengine.engine.plugin import Source, SourceRecord
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO, example_data

SCRIPT = Path(sys.executable).parent / "kamengine"


def _account(index: int) -> str:
    data = example_data()
    data["account"]["id"] = f"acct-{index}"
    return json.dumps(data)


def test_the_first_account_s_lines_are_written_before_the_last_account_is_read() -> None:
    out = io.StringIO()
    written_before_last: list[int] = []

    class Slow(Source):
        PLUGIN_NAME = "slow"

        def records(self) -> Iterator[SourceRecord]:
            for index in range(3):
                if index == 2:
                    written_before_last.append(out.getvalue().count("\n"))
                yield self.parse(SourceRecord(f"slow:{index}", raw=_account(index)))

        def parse(self, record: SourceRecord) -> SourceRecord:
            from kamengine.engine.plugin import snapshot_from_json

            assert record.raw is not None
            return SourceRecord(record.origin, snapshot=snapshot_from_json(record.raw, record.origin, self.actions))

    registry = Registry(get_plugin_manager(load_entry_points=False))
    ticks: list[int] = []
    with Engine(registry=registry) as engine:
        result = engine.advise(
            [Slow("x", registry.actions)], stream="jsonl:-", stdout=out, on_account=lambda: ticks.append(1)
        )
    assert result.ok and len(ticks) == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    per_account = len(lines) // 3
    assert written_before_last == [2 * per_account]  # two accounts were out before the third was read
    assert [line["account_id"] for line in lines] == [f"acct-{i}" for i in range(3) for _ in range(per_account)]
    assert result.recommendations == []  # nothing kept: memory stays flat however large the source


@prints_as_on_durable
def test_the_installed_command_answers_an_account_before_the_source_ends() -> None:
    env = {**os.environ, "KAMENGINE_CONFIG": "/dev/null"}
    args = [str(SCRIPT), "advise", "--source", "jsonl:-", "--format", "jsonl"]
    process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write((_account(0) + "\n").encode())
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)  # the source is still open
        assert ready, "no line before the end of the source"
        first = json.loads(process.stdout.readline())
        assert first["account_id"] == "acct-0"
        process.stdin.write((_account(1) + "\n").encode())
        process.stdin.close()
        rest = process.stdout.read().decode().splitlines()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
    assert json.loads(rest[-1])["account_id"] == "acct-1"
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "advising" not in stderr and stderr == ""  # not a terminal: no progress bar


def test_a_reader_gone_stops_the_advising_at_once() -> None:
    read: list[int] = []

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError("the reader went away")

    class Counting(Source):
        PLUGIN_NAME = "counting"

        def records(self) -> Iterator[SourceRecord]:
            from kamengine.engine.plugin import snapshot_from_json

            for index in range(50):
                read.append(index)
                yield SourceRecord(f"n:{index}", snapshot=snapshot_from_json(_account(index), "n", self.actions))

    registry = Registry(get_plugin_manager(load_entry_points=False))
    with Engine(registry=registry) as engine, pytest.raises(BrokenPipeError):
        engine.advise([Counting("x", registry.actions)], stream="jsonl:-", stdout=Closed())
    assert read == [0]  # the first account's lines found nobody: the other 49 were not even read


@prints_as_on_durable
def test_a_reader_that_stops_early_ends_the_stream_without_a_word(tmp_path: Path) -> None:
    portfolio = tmp_path / "p.jsonl"
    portfolio.write_text("".join(_account(i) + "\n" for i in range(200)), encoding="utf-8")
    env = {**os.environ, "KAMENGINE_CONFIG": "/dev/null"}
    args = [str(SCRIPT), "advise", "--source", f"jsonl:{portfolio}", "--format", "jsonl"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert json.loads(process.stdout.readline())["account_id"] == "acct-0"
    process.stdout.close()  # `| head -1`
    assert process.wait(timeout=60) == 0
    assert process.stderr.read().decode() == ""


@prints_as_on_durable
def test_no_progress_text_off_a_terminal_and_the_same_lines_as_json(tmp_path: Path) -> None:
    folder = REPO / "examples" / "portfolio"
    args = ["--config", "/dev/null", "advise", "--source", f"file:{folder}"]
    streamed = CliRunner().invoke(main, [*args, "--format", "jsonl"])
    assert streamed.exit_code == 0 and streamed.stderr == ""
    whole = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    lines = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert sorted(lines, key=lambda r: r["id"]) == sorted(whole, key=lambda r: r["id"])
    for account in {r["account_id"] for r in whole}:  # within an account, the order json has
        assert [r["id"] for r in lines if r["account_id"] == account] == [
            r["id"] for r in whole if r["account_id"] == account
        ]


def test_on_a_terminal_a_progress_bar_counts_the_accounts_on_stderr() -> None:
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "KAMENGINE_CONFIG": "/dev/null"}
    args = [str(SCRIPT), "advise", "--source", f"file:{REPO / 'examples' / 'portfolio'}", "--format", "jsonl"]
    done = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=follower, timeout=60, check=False)
    os.close(follower)
    shown = b""
    while select.select([leader], [], [], 1)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0 and len(done.stdout.splitlines()) > 3
    assert b"advising  [" in shown and b"]  3" in shown  # three accounts counted
    # Lines and bar on one terminal: no bar, which would be written in among the lines.
    leader, follower = pty.openpty()
    both = subprocess.Popen(args, env=env, stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while select.select([leader], [], [], 30)[0]:  # read as it writes: a full terminal would block it
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # it ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert both.wait(timeout=60) == 0 and b'"id": "rec-' in shown and b"advising" not in shown


@prints_as_on_durable
def test_ctrl_c_while_a_source_is_read_is_one_line_and_exit_130() -> None:
    import signal

    env = {**os.environ, "KAMENGINE_CONFIG": "/dev/null"}
    args = [str(SCRIPT), "advise", "--source", "jsonl:-", "--format", "jsonl"]
    process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((_account(0) + "\n").encode())
    process.stdin.flush()
    assert select.select([process.stdout], [], [], 60)[0]  # the first account is out: now it waits for more
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.decode() == "interrupted\n"
