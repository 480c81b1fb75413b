"""Real CRM exports through the csv source: extra columns, a --map file, ; and tab separators, byte-order marks."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine import InputError, Snapshot, SnapshotError
from kamengine.cli import main
from kamengine.plugins.csv_source import CsvSource
from kamengine.toolkit import load_snapshot
from support import write_csv_dir


@pytest.fixture
def examples(example_path: str) -> list[Snapshot]:
    example = load_snapshot(example_path)
    second = example.model_copy(update={"account": example.account.model_copy(update={"id": "acme-2"})})
    return [example, second]


def _advise(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", "/dev/null", "advise", "-f", "json", *args])
    return result.exit_code, result.stdout, result.stderr


def _add_columns(path: Path, names: list[str], separator: str = ",") -> None:
    """Columns a CRM adds to every export, with a value in every row."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + "".join(separator + n for n in names)] + [
        line + "".join(f"{separator}{n.lower()} {i}" for n in names) for i, line in enumerate(lines[1:])
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _records(folder: Path, column_map: str | None = None) -> tuple[list[Snapshot], list[str]]:
    source = CsvSource(str(folder))
    if column_map is not None:
        source.use_column_map(column_map)
    records = list(source.records())
    assert [r.error for r in records] == [None] * len(records)
    return [r.snapshot for r in records if r.snapshot is not None], source.notices


@prints_as_on_durable
def test_extra_columns_are_kept_in_extra_or_left_out_with_one_notice_per_file(
    tmp_path: Path, examples: list[Snapshot]
) -> None:
    plain = write_csv_dir(tmp_path / "plain", examples)
    folder = write_csv_dir(tmp_path / "crm", examples)
    for table in ("accounts", "contacts", "opportunities"):
        _add_columns(folder / f"{table}.csv", ["Created By", "Last Modified"])
    code, stdout, stderr = _advise("--source", f"csv:{folder}")
    assert code == 0
    assert stdout == _advise("--source", f"csv:{plain}")[1]
    assert stderr.splitlines() == [  # the child tables are read first
        f"Notice: {folder}/contacts.csv: 2 column(s) not in the contacts layout, kept in extra: "
        "'Created By', 'Last Modified'",
        f"Notice: {folder}/opportunities.csv: 2 column(s) not in the opportunities layout, left out: "
        "'Created By', 'Last Modified'",
        f"Notice: {folder}/accounts.csv: 2 column(s) not in the accounts layout, kept in extra: "
        "'Created By', 'Last Modified'",
    ]
    snapshots, _ = _records(folder)
    assert snapshots[1].account.extra == {
        "region": "EU",
        "Created By": "created by 1",
        "Last Modified": "last modified 1",
    }
    assert snapshots[0].contacts[0].extra == {"Created By": "created by 0", "Last Modified": "last modified 0"}


def _rewrite(folder: Path, separator: str, encode: Callable[[str], bytes]) -> None:
    """Every file of an export as a spreadsheet saves it: another separator, another encoding."""
    for path in folder.glob("*.csv"):
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        out = io.StringIO()
        csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
        path.write_bytes(encode(out.getvalue()))


@pytest.mark.parametrize(("separator", "bom"), [(";", ""), ("\t", ""), (";", "\ufeff"), (",", "\ufeff")])
def test_semicolons_tabs_and_a_byte_order_mark_are_detected(
    tmp_path: Path, examples: list[Snapshot], separator: str, bom: str
) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples)
    _rewrite(folder, separator, lambda text: (bom + text).encode("utf-8"))
    assert _records(folder) == (examples, [])


def test_a_utf16_tab_separated_export_is_read(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples)
    _rewrite(folder, "\t", lambda text: text.encode("utf-16"))  # Excel's "Unicode text"
    assert _records(folder) == (examples, [])


def test_a_bad_cell_in_a_semicolon_file_names_its_line_and_fails_only_its_account(
    tmp_path: Path, examples: list[Snapshot]
) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples)
    _rewrite(folder, ";", lambda text: ("\ufeff" + text).encode("utf-8"))
    contacts = folder / "contacts.csv"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace(";-1;", ";very negative;", 1), encoding="utf-8")
    records = list(CsvSource(str(folder)).records())
    assert [r.snapshot is not None for r in records] == [False, True]
    assert records[0].error is not None
    assert records[0].error.problems == [f"{contacts}:4: stance: expected a whole number, found 'very negative'"]


def _crm_names(folder: Path) -> Path:
    """The export with a CRM's names for some columns, and the map that renames them back."""
    for table, renames in {"accounts": {"id": "Account ID", "as_of": "Snapshot Date", "extra.region": "Region"},
                           "contacts": {"account_id": "Account ID", "id": "Contact ID", "name": "Full Name"}}.items():  # fmt: skip
        path = folder / f"{table}.csv"
        header, rest = path.read_text(encoding="utf-8").split("\n", 1)
        columns = [renames.get(column, column) for column in header.split(",")]
        path.write_text(",".join(columns) + "\n" + rest, encoding="utf-8")
    _add_columns(folder / "team.csv", ["Created By"])
    column_map = folder.parent / "crm-columns.toml"
    column_map.write_text(
        '[accounts]\n"Account ID" = "id"\n"Snapshot Date" = "as_of"\n"Region" = "extra.region"\n\n'
        '[contacts]\n"Account ID" = "account_id"\n"Contact ID" = "id"\n"Full Name" = "name"\n\n'
        '[team]\n"Created By" = ""\n',
        encoding="utf-8",
    )
    return column_map


@prints_as_on_durable
def test_a_column_map_renames_a_crms_columns(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples)
    column_map = _crm_names(folder)
    assert _records(folder, str(column_map)) == (examples, [])
    code, stdout, stderr = _advise("--source", f"csv:{folder}", "--map", str(column_map))
    assert (code, stderr) == (0, "")
    assert stdout == _advise("--source", f"csv:{write_csv_dir(tmp_path / 'plain', examples)}")[1]
    code, _, stderr = _advise("--source", f"csv:{folder}")  # without the map: the required columns are missing
    assert code == 1
    assert stderr.splitlines() == [
        f"Error: {folder}/contacts.csv: required column 'account_id' is missing (did you mean 'Account ID'?); "
        "--map can rename one to it",
        f"{folder}/contacts.csv: required column 'id' is missing; --map can rename one to it",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[contact]\n"Name" = "name"\n', "[contact]: unknown table (did you mean 'contacts'?); expected some of accounts, contacts, opportunities, decision_groups, activities, team"),
        ('[contacts]\n"Full Name" = "nmae"\n', "[contacts] 'Full Name': 'nmae' is not a column of contacts (did you mean 'name'?); expected one of the layout's or extra.<key>"),
        ('[team]\n"Grade" = "extra.grade"\n', "[team] 'Grade': 'extra.grade' is not a column of team; expected one of the layout's"),
        ('[contacts]\n"Name" = "name"\n"Full Name" = "name"\n', "[contacts] 'Full Name': 'Name' is renamed to 'name' already"),
        ("[contacts]\nName = 3\n", "[contacts] 'Name': expected the name of a contacts column, found 3"),
        ('[contacts]\nFull.Name = "name"\n', "[contacts] 'Full': expected the name of a contacts column, found a table (quote a name with dots in it)"),
        ('names = "name"\n', '[names]: unknown table; expected some of accounts, contacts, opportunities, decision_groups, activities, team'),
        ('[contacts\n', "invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 10)"),
    ],
)  # fmt: skip
def test_a_wrong_map_is_one_error_naming_the_file_and_key(
    tmp_path: Path, examples: list[Snapshot], text: str, problem: str
) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples[:1])
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_text(text, encoding="utf-8")
    code, stdout, stderr = _advise("--source", f"csv:{folder}", "--map", str(column_map))
    assert (code, stdout) == (1, "")
    assert stderr == f"Error: {column_map}: {problem}\n"


def test_map_mistakes_on_the_command_line_are_usage_errors(tmp_path: Path, example_path: str) -> None:
    code, _, stderr = _advise(example_path, "--map", str(tmp_path / "missing.toml"))
    assert code == 2 and f"Invalid value for '--map': File '{tmp_path / 'missing.toml'}' does not exist." in stderr
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_text("", encoding="utf-8")
    code, _, stderr = _advise("--source", f"file:{example_path}", "--map", str(column_map))
    assert code == 2
    assert "Invalid value for --map: renames the columns of csv and xlsx sources; give one with --source" in stderr


def test_a_missing_column_or_two_columns_for_one_fail_the_file(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples[:1])
    contacts = folder / "contacts.csv"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace("account_id,", "acount_id,", 1), encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        list(CsvSource(str(folder)).records())
    assert caught.value.problems == [
        f"{contacts}: required column 'account_id' is missing (did you mean 'acount_id'?); --map can rename one to it"
    ]
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_text('[contacts]\n"acount_id" = "account_id"\n"title" = "name"\n', encoding="utf-8")
    source = CsvSource(str(folder))
    source.use_column_map(str(column_map))
    with pytest.raises(SnapshotError) as caught:
        list(source.records())
    assert caught.value.problems == [f"{contacts}: columns 'name' and 'title' both give 'name'"]


def test_a_map_file_that_cannot_be_read(tmp_path: Path) -> None:
    column_map = tmp_path / "crm-columns.toml"
    column_map.write_bytes(b"[contacts]\n\xff = 'name'\n")
    with pytest.raises(InputError, match=r"crm-columns.toml: not UTF-8 text \(invalid start byte at byte 11\)"):
        CsvSource(str(tmp_path)).use_column_map(str(column_map))


def test_plan_takes_the_map_too(tmp_path: Path, examples: list[Snapshot]) -> None:
    folder = write_csv_dir(tmp_path / "crm", examples)
    column_map = _crm_names(folder)
    args = ["--config", "/dev/null", "plan", "--source", f"csv:{folder}", "--week", "all", "-f", "json"]
    planned = CliRunner().invoke(main, [*args, "--map", str(column_map)])
    assert planned.exit_code == 0, planned.stderr
    assert {item["lead"]["account_id"] for item in json.loads(planned.stdout)} == {"acme-tel", "acme-2"}


_CELLS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(_CELLS, min_size=1, max_size=4),
    separator=st.sampled_from([",", ";", "\t"]),
    bom=st.sampled_from(["", "\ufeff"]),
)
def test_any_cell_text_reads_back_whatever_the_separator(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], separator: str, bom: str
) -> None:
    """The separator is judged from the header alone: cells holding commas, semicolons, tabs,
    quotes or line breaks read back as written."""
    folder = tmp_path_factory.mktemp("crm")
    rows = [["id", "as_of", "name"]] + [[f"a{i}", "2026-11-20", name] for i, name in enumerate(names)]
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    (folder / "accounts.csv").write_bytes((bom + out.getvalue()).encode("utf-8"))
    read = [row for _, row in CsvSource(str(folder))._rows(folder / "accounts.csv", "accounts")]
    assert read == [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
