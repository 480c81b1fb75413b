"""Bad input gets a clear error naming where, costs only its own account, and never hangs or eats the memory."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.engine.model.loading import load_snapshot
from support import REPO, example_data, write_csv_dir

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
"""


def _kamengine(*args: str) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args])


def _example(**changes: object) -> dict:
    data = example_data()
    data.update(changes)
    return json.loads(json.dumps(data, default=str))


def _jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _account(index: int) -> bytes:
    data = _example()
    data["account"]["id"] = f"acct-{index}"
    return json.dumps(data).encode()


def test_a_pipe_or_a_device_is_refused_before_it_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "snapshot.yaml"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        started = time.monotonic()
        result = _kamengine("advise", target)
        assert result.exit_code == 1 and "not a regular file (a pipe or a device)" in result.stderr
        lines = _kamengine("advise", "--source", f"jsonl:{target}")
        assert lines.exit_code == 1 and "not a regular file (a pipe or a device)" in lines.stderr
        exports = f"csv:{REPO / 'examples' / 'exports'}"
        mapped = _kamengine("advise", "--source", exports, "--map", target)  # it read /dev/zero to 4 GB
        assert mapped.exit_code == 1 and "not a regular file (a pipe or a device)" in mapped.stderr
        settings = _kamengine("--config", target, "advise", str(EXAMPLE))
        assert settings.exit_code == 1 and "not a regular file (a pipe or a device)" in settings.stderr
        assert time.monotonic() - started < 10


def test_a_snapshot_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "kamengine.toml"
    config.write_text("[limits]\nsnapshot_mb = 0.001\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "advise", str(EXAMPLE)])
    assert result.exit_code == 1
    assert "is over the limit of 0.001 MB ([limits] snapshot_mb)" in result.stderr


def test_yaml_aliases_are_refused_in_a_snapshot_and_bounded_in_a_playbook(tmp_path: Path) -> None:
    snapshot = tmp_path / "bomb.yaml"
    snapshot.write_text(BOMB + "as_of: 2026-11-20\naccount: {id: a, name: A, extra: {lol: *h}}\n", encoding="utf-8")
    result = _kamengine("advise", str(snapshot))
    assert (
        result.exit_code == 1 and f"{snapshot}:1: YAML aliases (*name) are not allowed in a snapshot" in result.stderr
    )
    playbook = tmp_path / "bomb-playbook.yaml"
    body = "playbook: p\nparameters:\n  lol: *h\nrules: []\n"
    playbook.write_text(BOMB + body, encoding="utf-8")
    started = time.monotonic()
    result = _kamengine("rules", "catalogue", "--rules", str(playbook))
    assert (
        result.exit_code == 1
        and "YAML aliases expand to more than 100,000 values more than are written" in result.stderr
    )
    assert time.monotonic() - started < 10
    looping = tmp_path / "loop.yaml"
    looping.write_text("playbook: p\nparameters: &x {again: *x}\nrules: []\n", encoding="utf-8")
    result = _kamengine("rules", "validate", str(looping))
    assert result.exit_code == 1 and "refers to itself" in result.stderr


def test_a_large_snapshot_without_aliases_is_read_and_its_mistakes_named_by_line(tmp_path: Path) -> None:
    """Only what aliases add is bounded: 120,000 values written out are a big snapshot, not a bomb; and a
    mistake in a big JSON file is named with its line (it was "YAML aliases expand…", or a 500 in the service)."""
    data = _example()
    data["account"]["extra"] = {"readings": list(range(120_000))}
    big = tmp_path / "big.yaml"
    big.write_text("# YAML, written in its JSON-like flow style\n" + json.dumps(data), encoding="utf-8")
    assert _kamengine("advise", str(big), "-f", "json").exit_code == 0
    data["activities"][-1]["contact_ids"] = ["c-nobody"]  # after the readings: far down the file
    text = json.dumps(data, indent=1)
    bad = tmp_path / "big-one-mistake.json"
    bad.write_text(text, encoding="utf-8")
    result = _kamengine("advise", str(bad))
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if '"c-nobody"' in t)
    assert result.exit_code == 1 and "YAML" not in result.stderr
    assert f"{bad}:{line - 1}: activities[" in result.stderr or f"{bad}:{line}: activities[" in result.stderr


def test_duplicate_keys_are_errors_in_json_as_in_yaml(tmp_path: Path) -> None:
    text = json.dumps(_example(), indent=1).replace('"opportunities": [', '"opportunities": [], "opportunities": [', 1)
    snapshot = tmp_path / "twice.json"
    snapshot.write_text(text, encoding="utf-8")
    result = _kamengine("advise", str(snapshot))
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if '"opportunities": [], "opportunities"' in t)
    assert result.exit_code == 1 and f"{snapshot}:{line}: duplicate key 'opportunities'" in result.stderr
    stance = json.dumps(_example()).replace('"stance": -1', '"stance": -1, "stance": 3', 1)
    lines = _jsonl(tmp_path / "p.jsonl", [_account(1), stance.encode()])
    result = _kamengine("advise", "--source", f"jsonl:{lines}")
    assert result.exit_code == 1 and f"{lines}:2: duplicate key 'stance'" in result.stderr


def test_one_bad_line_costs_only_that_line(tmp_path: Path) -> None:
    bad = [
        b'{"as_of": "2026-11-20", "account": {"id": "x\xff", "name": "X"}}',  # not UTF-8
        b'{"as_of": "2026-11-20", "n": ' + b"9" * 5000 + b"}",  # a 5,000-digit integer
        b"[" * 10_000 + b"]" * 10_000,  # nested too deep for Python
    ]
    lines = _jsonl(tmp_path / "p.jsonl", [_account(1), *bad, _account(2), _account(3)])
    for command in (
        ["advise", "--source", f"jsonl:{lines}"],
        ["batch", "--source", f"jsonl:{lines}", "--db", str(tmp_path / "k.db")],
    ):
        result = _kamengine(*command)
        assert result.exit_code == 1, result.output
        for number in (2, 3, 4):
            assert f"{lines}:{number}: " in result.stderr
        assert "Traceback" not in result.output
    advised = json.loads(_kamengine("advise", "--source", f"jsonl:{lines}", "-f", "json").stdout)
    assert {r["account_id"] for r in advised} == {"acct-1", "acct-2", "acct-3"}


def test_a_line_over_the_limit_is_skipped_without_being_held(tmp_path: Path) -> None:
    config = tmp_path / "kamengine.toml"
    config.write_text("[limits]\nline_mb = 0.05\n", encoding="utf-8")
    long_line = b'{"pad": "' + b"x" * 200_000 + b'"}'
    lines = _jsonl(tmp_path / "p.jsonl", [_account(1), long_line, _account(2)])
    result = CliRunner().invoke(main, ["--config", str(config), "advise", "--source", f"jsonl:{lines}", "-f", "json"])
    assert result.exit_code == 1
    assert f"{lines}:2: the line is longer than 0.05 MB ([limits] line_mb)" in result.stderr
    assert {r["account_id"] for r in json.loads(result.stdout)} == {"acct-1", "acct-2"}


def test_a_csv_row_with_more_cells_than_the_header_fails_its_account_only(tmp_path: Path) -> None:
    first, second = load_snapshot(str(EXAMPLE)), load_snapshot(str(EXAMPLE))
    second = second.model_copy(update={"account": second.account.model_copy(update={"id": "acct-2"})})
    folder = write_csv_dir(tmp_path / "csv", [first, second])
    accounts = folder / "accounts.csv"
    rows = accounts.read_text(encoding="utf-8").splitlines()
    rows[1] += ",surplus,cells"
    accounts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = _kamengine("advise", "--source", f"csv:{folder}", "-f", "json")
    assert result.exit_code == 1 and f"{accounts}:2: 2 more cell(s) than the header has columns" in result.stderr
    assert {r["account_id"] for r in json.loads(result.stdout)} == {"acct-2"}


def test_an_account_read_twice_is_an_error_for_the_later_one(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    for name in ("a.json", "b.json"):
        (folder / name).write_text(json.dumps(_example()), encoding="utf-8")
    result = _kamengine("advise", "--source", f"file:{folder}", "-f", "json")
    assert result.exit_code == 1
    assert f"{folder / 'b.json'}: account 'acme-tel' is already at {folder / 'a.json'}" in result.stderr
    twice = _kamengine("advise", str(EXAMPLE), str(EXAMPLE), "-f", "json")  # one file named twice: advised once
    assert twice.exit_code == 1 and f"{EXAMPLE}: given twice; advised once" in twice.stderr
    ids = [r["id"] for r in json.loads(twice.stdout)]
    assert ids and len(ids) == len(set(ids))
    lines = _jsonl(tmp_path / "p.jsonl", [_account(1), _account(2), _account(1)])
    batch = _kamengine("batch", "--source", f"jsonl:{lines}", "--db", str(tmp_path / "k.db"), "--workers", "2")
    assert batch.exit_code == 1 and f"{lines}:3: account 'acct-1' is already at {lines}:1" in batch.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"as_of": 86400}, "as_of: expected a date as YYYY-MM-DD, found the number 86400"),
        ({"as_of": "9999-12-31"}, "as_of: expected a date from 1900-01-01 to 2199-12-31, found 9999-12-31"),
        ({"as_of": True}, "as_of: expected a date as YYYY-MM-DD, found true"),
    ],
)
def test_numbers_as_dates_and_dates_out_of_range_are_errors(tmp_path: Path, change: dict, message: str) -> None:
    snapshot = tmp_path / "s.json"
    snapshot.write_text(json.dumps(_example(**change)), encoding="utf-8")
    result = _kamengine("advise", str(snapshot))
    assert result.exit_code == 1 and f"{snapshot}:1: {message}" in result.stderr
    planned = _kamengine("plan", str(snapshot))
    assert planned.exit_code == 1


def test_a_boolean_is_not_a_stance(tmp_path: Path) -> None:
    data = _example()
    data["contacts"][0]["stance"] = True
    snapshot = tmp_path / "s.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    result = _kamengine("advise", str(snapshot))
    assert result.exit_code == 1 and "contacts[0].stance: expected a number, found true" in result.stderr


def test_thousands_of_dangling_ids_are_reported_fast_and_briefly(tmp_path: Path) -> None:
    data = _example()
    data["activities"] = [
        {"id": f"x{i}", "type": "regular_office_visit", "date": "2026-11-01", "contact_ids": [f"ghost-{i}"]}
        for i in range(5000)
    ]
    snapshot = tmp_path / "s.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    started = time.monotonic()
    result = _kamengine("advise", str(snapshot))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "and more problems after these 20" in result.stderr
    assert result.stderr.count("unknown contact 'ghost-") == 20


def _rule(when: str, priority: str = "50") -> str:
    return f"""\
playbook: p
rules:
  - id: r
    rationale: x
    subject: contact
    priority: {priority}
    when: {when}
    actions: [{{action: regular_office_visit, title: "x"}}]
"""


@pytest.mark.parametrize(
    ("when", "priority", "message"),
    [
        ("[{title: {in: [" + ", ".join(f"t{i}" for i in range(600)) + "]}}]", "50", "600 alternatives"),
        ("[" + "{any_of: [" * 40 + "{stance: 1}" + "]}" * 40 + "]", "50", "nest more than 16 levels deep"),
        ("[{stance: 1}]", "1" + "0" * 309, "less than or equal to 1000000"),
    ],
    ids=["600 values of in", "40 nested any_of", "priority 10**309"],
)
def test_rules_that_would_hang_or_overflow_are_refused(tmp_path: Path, when: str, priority: str, message: str) -> None:
    playbook = tmp_path / "p.yaml"
    playbook.write_text(_rule(when, priority), encoding="utf-8")
    started = time.monotonic()
    result = _kamengine("advise", str(EXAMPLE), "--rules", str(playbook))
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.output and time.monotonic() - started < 10


def test_settings_and_home_that_cannot_be_used_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "kamengine.toml"
    config.write_bytes(b"lang = 'en'\n# caf\xe9\n")
    result = CliRunner().invoke(main, ["--config", str(config), "advise", str(EXAMPLE)])
    assert result.exit_code == 1 and f"{config}: not UTF-8 text" in result.stderr
    home = tmp_path / "home-file"
    home.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("KAMENGINE_HOME", str(home))
    result = _kamengine("recs", "list")
    assert result.exit_code == 1 and f"KAMENGINE_HOME {home}: cannot be the store's directory" in result.stderr


def test_a_bad_csv_cell_costs_only_its_account_and_is_named_by_line(tmp_path: Path) -> None:
    first, second = load_snapshot(str(EXAMPLE)), load_snapshot(str(EXAMPLE))
    second = second.model_copy(update={"account": second.account.model_copy(update={"id": "acct-2"})})
    for column, damage, said in ((b"name", b"\xff\xfe", "name: not UTF-8 text"), (b"communication", b"9" * 5000, "")):
        folder = write_csv_dir(tmp_path / f"csv-{len(damage)}", [first, second])
        accounts = folder / "accounts.csv"
        rows = accounts.read_bytes().splitlines()
        header = rows[0].split(b",")
        cells = rows[1].split(b",")
        cells[header.index(column)] = damage  # in the first account's row: what no CRM should write
        rows[1] = b",".join(cells)
        accounts.write_bytes(b"\n".join(rows) + b"\n")
        result = _kamengine("advise", "--source", f"csv:{folder}", "-f", "json")
        assert result.exit_code == 1 and f"{accounts}:2:" in result.stderr and said in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr) < 2000  # not 5,000 digits back
        assert {r["account_id"] for r in json.loads(result.stdout)} == {"acct-2"}


@pytest.mark.parametrize("value", ["nan", "inf", "-1", '"10"', "true"])
def test_a_gift_cap_that_is_no_amount_is_refused(tmp_path: Path, value: str) -> None:
    config = tmp_path / "kamengine.toml"
    config.write_text(f"[compliance]\ngift_cap = {value}\n", encoding="utf-8")  # nan once switched the gift veto off
    result = CliRunner().invoke(main, ["--config", str(config), "advise", str(EXAMPLE)])
    assert result.exit_code == 1 and f"{config}: compliance.gift_cap: expected a number >= 0" in result.stderr


def test_a_json_snapshot_is_read_by_the_json_parser_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kamengine.engine.model import documents

    snapshot = tmp_path / "s.json"
    snapshot.write_text(json.dumps(_example()), encoding="utf-8")

    def composed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pure-Python YAML composer read a JSON file that had no mistake")

    monkeypatch.setattr(documents, "_compose", composed)  # 5,000 contacts took 16 s through it
    assert load_snapshot(str(snapshot)).account.id == "acme-tel"
