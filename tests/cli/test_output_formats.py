"""One output vocabulary: every command that prints records takes --format/--json/--csv/--excel the same way."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.plugins import text_formats
from support import REPO
from wcwidth import wcswidth

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")
EXPLAIN = ["explain", EXAMPLE, "--rule", "three-axes-evaluator"]
COMMANDS = {
    "advise": ["advise", EXAMPLE],
    "plan": ["plan", EXAMPLE, "--week", "all"],
    "explain": EXPLAIN,
    "rules list": ["rules", "list"],
    "config show": ["config", "show"],
    "plugins": ["plugins"],
    "recs list": ["recs", "list"],
    "report effectiveness": ["report", "effectiveness"],
    "report coverage": ["report", "coverage"],
    "report rules": ["report", "rules"],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("store") / "k.db")
    ran = CliRunner().invoke(main, ["--config", "/dev/null", "batch", "--source", f"file:{EXAMPLE}", "--db", path])
    assert ran.exit_code == 0, ran.output
    return path


def _run(command: str, db: str, *args: str) -> Result:
    store = ["--db", db] if command.startswith(("recs", "report")) else []
    return CliRunner().invoke(main, ["--config", "/dev/null", *COMMANDS[command], *store, *args])


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_every_text_format_from_the_same_records(command: str, db: str) -> None:
    outputs = {fmt: _run(command, db, "-f", fmt) for fmt in text_formats.TEXT_FORMATS}
    assert all(result.exit_code == 0 for result in outputs.values()), {f: r.output for f, r in outputs.items()}
    assert _run(command, db, "--json").stdout == outputs["json"].stdout
    assert _run(command, db, "--csv").stdout == outputs["csv"].stdout
    assert _run(command, db).stdout == outputs["table"].stdout
    documents = json.loads(outputs["json"].stdout)
    lines = [json.loads(line) for line in outputs["jsonl"].stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].stdout)))
    if isinstance(documents, list):  # report coverage keeps the object it always printed
        assert lines == documents
    if command != "explain":  # explain's CSV has a row per action a rule asked for, its JSON one per subject
        assert len(rows) == len(lines)
    markdown = outputs["markdown"].stdout.splitlines()
    assert any(line.startswith("|--") or line.startswith("|-") for line in markdown) or not rows
    for result in outputs.values():
        assert "\x1b" not in result.stdout


def test_a_format_that_is_not_text_is_a_usage_error_pointing_at_emit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["advise", EXAMPLE, "-f", "ics"])
    assert result.exit_code == 2
    assert (
        "'ics' is not a text format; expected one of table, json, jsonl, csv, markdown; "
        "other emitters deliver with --emit NAME:TARGET, e.g. --emit ics:visits.ics" in result.stderr
    )
    assert list(tmp_path.iterdir()) == []  # no file named '-'
    assert CliRunner().invoke(main, ["rules", "list", "-f", "ics"]).exit_code == 2
    for emitter in ("ics", "sqlite"):  # an emitter of files: "-" is no file name, and no standard output
        dashed = CliRunner().invoke(main, ["advise", EXAMPLE, "--emit", f"{emitter}:-"])
        assert dashed.exit_code == 2 and f"'{emitter}' writes no standard output" in dashed.stderr
    assert list(tmp_path.iterdir()) == []


def test_one_format_at_a_time_and_excel_only_for_csv() -> None:
    both = CliRunner().invoke(main, ["rules", "list", "--json", "--csv"])
    assert both.exit_code == 2 and "one output format at a time: csv and json given" in both.stderr
    excel = CliRunner().invoke(main, ["rules", "list", "--excel", "-f", "json"])
    assert excel.exit_code == 2 and "--excel is for CSV (--csv or --format csv), not --format json" in excel.stderr
    emitted = CliRunner().invoke(main, ["advise", EXAMPLE, "--excel", "--emit", "json:-"])
    assert emitted.exit_code == 2 and "--excel is for CSV: add --csv, --format csv or --emit csv:FILE" in emitted.stderr


def test_excel_csv_has_the_byte_order_mark_and_crlf_to_stdout_and_to_files(tmp_path: Path, db: str) -> None:
    listed = _run("recs list", db, "--excel").stdout_bytes  # --excel alone means CSV (.stdout reads \r\n as \n)
    assert listed.startswith(b"\xef\xbb\xbfid,account_id,") and listed.count(b"\r\n") == listed.count(b"\n") > 1
    target = tmp_path / "advice.csv"
    advised = CliRunner().invoke(main, ["advise", EXAMPLE, "--emit", f"csv:{target}", "--excel"])
    assert advised.exit_code == 0 and advised.stdout == ""  # the file only, as without --excel
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,account_id,") and data.count(b"\r\n") == len(data.splitlines())
    plain = CliRunner().invoke(main, ["advise", EXAMPLE, "--csv"]).stdout_bytes
    excel = CliRunner().invoke(main, ["advise", EXAMPLE, "--csv", "--excel"]).stdout_bytes
    assert b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n") == excel


def test_json_shapes_are_the_ones_commands_always_printed(db: str) -> None:
    (rule,) = [r for r in json.loads(_run("rules list", db, "--json").stdout) if r["rule"].endswith("/roof-summit")]
    assert set(rule) == {"rule", "subject", "priority", "actions", "description"}
    (listed, *_) = json.loads(_run("recs list", db, "--json").stdout)
    (advised, *_) = json.loads(_run("advise", db, "--json").stdout)
    assert set(listed) - set(advised) == {
        "status", "status_by", "status_at", "status_reason", "snoozed_until", "first_run", "last_run", "as_of"
    }  # fmt: skip
    (plugin, *_) = json.loads(_run("plugins", db, "--json").stdout)
    assert set(plugin) == {"name", "package", "version", "builtin", "hooks", "provides"}


def _chinese_team(tmp_path: Path) -> str:
    data = yaml.safe_load(Path(EXAMPLE).read_text(encoding="utf-8"))
    names = {"u-ar": "李伟", "u-sr": "索菲亚", "u-fr": "奥马尔", "u-ad": "陈静"}
    for member in data["team"]:
        member["name"] = names[member["id"]]
    path = tmp_path / "acme-zh.json"
    path.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("width", [None, 100])
def test_advise_in_chinese_lines_up_and_fits_the_terminal(
    width: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = text_formats.Layout(width=width)
    monkeypatch.setattr(text_formats.Layout, "for_stream", classmethod(lambda cls, stream: layout))
    result = CliRunner().invoke(main, ["--config", "/dev/null", "advise", _chinese_team(tmp_path), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    header, _, *lines = result.stdout.splitlines()
    title_at = header.index("title")
    rows = [line for line in lines if line[:1].isdigit()]
    assert rows and all(
        any(name in line for name in ("陈静 (AD)", "李伟 (AR)", "索菲亚 (SR)", "奥马尔 (FR)")) for line in rows
    )
    for line in lines:
        # Every title, continuation and ! line starts in the title column, measured as the screen shows it.
        title = re.split(r"  +", line.strip(), maxsplit=4)[-1]
        assert wcswidth(line[: len(line) - len(title)]) == title_at, line
        assert width is None or wcswidth(line) <= width, line
    assert any(line.lstrip().startswith("! ") for line in lines)


def test_colour_only_on_a_terminal_and_never_in_data_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = text_formats.Layout(width=200, color=True)
    monkeypatch.setattr(text_formats.Layout, "for_stream", classmethod(lambda cls, stream: terminal))
    shown = CliRunner().invoke(main, ["--config", "/dev/null", "advise", EXAMPLE]).stdout
    assert "\x1b[1mpriority\x1b[0m" in shown and "\x1b[33m! 5G core tender" in shown
    for fmt in ("json", "jsonl", "csv", "markdown"):
        assert "\x1b" not in CliRunner().invoke(main, ["advise", EXAMPLE, "-f", fmt]).stdout


def _on_a_terminal(*args: str, **env: str) -> str:
    """What the installed command prints to a (pseudo-)terminal 80 columns wide."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key != "NO_COLOR"} | {"COLUMNS": "80", **env}
    command = [sys.executable, "-m", "kamengine.cli", "--config", "/dev/null", *args]
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command exited and closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait() == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_on_a_real_terminal_the_table_fits_its_width_in_colour_unless_no_color() -> None:
    shown = _on_a_terminal("advise", EXAMPLE)
    assert "\x1b[1mpriority\x1b[0m" in shown and "\x1b[33m! 5G core tender" in shown
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in shown.splitlines()]
    piped = CliRunner().invoke(main, ["--config", "/dev/null", "advise", EXAMPLE]).stdout  # not a terminal
    assert max(wcswidth(line) for line in lines) <= 80 < max(len(line) for line in piped.splitlines())
    assert "\x1b" not in _on_a_terminal("advise", EXAMPLE, NO_COLOR="1")
