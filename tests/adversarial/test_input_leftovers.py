"""The earlier review's input leftovers: each mistake is one line naming where, never a traceback or a silent loss."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.plugins.csv_source import CsvSource
from kamengine.plugins.sqlite_source import SqliteSource
from support import REPO, example_data

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _kamengine(*args: str) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args])


def _one_error_line(result: Result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    return errors[0]


@pytest.mark.parametrize(
    "value,said",
    [
        ("[1", "not a YAML value: while parsing a flow sequence: expected ',' or ']'"),
        ("{a", "not a YAML value"),
        ('"unclosed', "not a YAML value: while scanning a quoted scalar"),
        ("@", "not a YAML value: while scanning for the next token"),
        ("!!python/object/apply:os.system [ls]", "could not determine a constructor for the tag"),
        ("a\n---\nb", "expected a single document in the stream"),
        ("!!timestamp 2026-99-99", "month must be in 1..12"),
        ("*a", "YAML aliases (*name) are not allowed in a --param value"),
        ("[&a [1, 1], *a]", "YAML aliases (*name) are not allowed in a --param value"),
        ("[" * 3000, "nested too deeply"),
        ("9" * 5000, "not a YAML value"),
        (".inf", "expected a finite number"),
        (".nan", "expected a finite number"),
    ],
)
def test_a_param_value_yaml_cannot_read_is_one_line(value: str, said: str) -> None:
    result = _kamengine("advise", str(EXAMPLE), "--param", f"single_point_share={value}")
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert line.startswith("Error: Invalid value for '--param': single_point_share=")
    assert said in line
    assert len(line) < 250  # a value of thousands of characters is quoted briefly


def test_a_param_value_yaml_reads_still_works() -> None:
    """Flow lists are YAML, not JSON: [a, b] stays a list (the value is then checked against the parameter)."""
    result = _kamengine("advise", str(EXAMPLE), "--param", "single_point_share=[a, b]")
    assert "expected a number, like its default 0.7" in _one_error_line(result)
    assert _kamengine("advise", str(EXAMPLE), "--param", "single_point_share=0.5").exit_code == 0


def _export(folder: Path, contacts: str) -> Path:
    """A CSV export of two accounts (each with a deal for its contacts), with ``contacts`` as contacts.csv."""
    folder.mkdir()
    (folder / "accounts.csv").write_text(
        "id,as_of,name\nacct-1,2026-11-20,One\nacct-2,2026-11-20,Two\n", encoding="utf-8"
    )
    (folder / "contacts.csv").write_text(contacts, encoding="utf-8")
    return folder


def _contacts(folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Each account's contact ids as the csv source reads them, and the errors it reports."""
    found: dict[str, list[str]] = {}
    errors: list[str] = []
    for record in CsvSource(str(folder)).records():
        if record.snapshot is None:
            errors.append(str(record.error))
        else:
            found[record.snapshot.account.id] = [c.id for c in record.snapshot.contacts]
    return found, errors


CONTACTS = """\
account_id,id,name,title
acct-1,c1,Ana,Buyer
acct-1,c2,Ben,"Head of Sales
acct-1,c3,Cleo,Engineer
acct-2,c4,Dan,Buyer
acct-2,c5,Eve,Engineer
"""


def test_an_unbalanced_quote_names_its_line_and_swallows_no_rows(tmp_path: Path) -> None:
    """The quote on line 3 never closes: every row after it became Ben's title (acct-2 lost its contacts)."""
    folder = _export(tmp_path / "crm", CONTACTS)
    found, errors = _contacts(folder)
    where = folder / "contacts.csv"
    assert errors == [f'{where}:3: a quote (") opens a field on this line and does not close where a row can end'
                      f" (unexpected end of data, on line 6)"]  # fmt: skip
    assert found == {"acct-2": ["c4", "c5"]}  # acct-1 fails for its unreadable row; acct-2 is whole


@pytest.mark.parametrize(
    "closing,why",
    [
        ('acct-2,c4,Dan,Buyer"', "line 4 reads as a row of its own"),  # the stray row has the header's 4 cells
        ('acct-2,c4,Dan",Buyer', "5 cells for the header's 4 columns, down to line 5"),
        ('acct-2,c4,Dan,"Buyer"x', "',' expected after '\"', on line 5"),
    ],
)
def test_a_stray_quote_closed_rows_later_is_found_too(tmp_path: Path, closing: str, why: str) -> None:
    """A later quote closes the stray one: the rows between became one cell (silently, when the cells fitted)."""
    folder = _export(tmp_path / "crm", CONTACTS.replace("acct-2,c4,Dan,Buyer", closing))
    found, errors = _contacts(folder)
    assert (
        errors[0]
        == f'{folder / "contacts.csv"}:3: a quote (") opens a field on this line and does not close where a row can end ({why})'
    )
    assert "acct-1" not in found  # it fails for its unreadable row
    if "expected after" in why:  # line 5 is itself no CSV: acct-2 fails for it, by its own line
        assert errors[1:] == [f"{folder / 'contacts.csv'}:5: cannot read this row (',' expected after '\"')"]
    else:  # lines 4 and 5 were read again as the rows they are
        assert len(errors) == 1 and found == {"acct-2": ["c4", "c5"]}


def test_an_accounts_row_with_a_stray_quote_fails_alone(tmp_path: Path) -> None:
    folder = _export(tmp_path / "crm", CONTACTS.replace('"Head of Sales', "Head of Sales"))
    (folder / "accounts.csv").write_text(
        'id,as_of,name\nacct-1,2026-11-20,"One\nacct-2,2026-11-20,Two"\n', encoding="utf-8"
    )
    found, errors = _contacts(folder)
    assert errors == [
        f'{folder / "accounts.csv"}:2: a quote (") opens a field on this line and does not close where a row can end (line 3 reads as a row of its own)'
    ]
    assert found == {"acct-2": ["c4", "c5"]}


def test_a_quoted_cell_over_several_lines_is_still_one_cell(tmp_path: Path) -> None:
    contacts = CONTACTS.replace('"Head of Sales', '"Head of Sales,\nEMEA"')
    found, errors = _contacts(_export(tmp_path / "crm", contacts))
    assert errors == []
    assert found == {"acct-1": ["c1", "c2", "c3"], "acct-2": ["c4", "c5"]}


def test_sqlite_tables_that_key_an_account_as_a_number_and_as_text_are_joined(tmp_path: Path) -> None:
    """accounts.id 42 (a number) and contacts.account_id '42' (text, in a column without a type) were never
    equal to SQLite: the contacts were left out without a word; a contact of no account was not reported."""
    path = tmp_path / "crm.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript("""
            CREATE TABLE accounts (id INTEGER, as_of TEXT, name TEXT);
            CREATE TABLE contacts (account_id, id, name);
            CREATE TABLE team (account_id TEXT, id TEXT, name TEXT, role TEXT);
            INSERT INTO accounts VALUES (42, '2026-11-20', 'Forty-two'), ('7', '2026-11-20', 'Seven');
            INSERT INTO contacts VALUES ('42', 'c1', 'Ana'), (42, 'c2', 'Ben'), (42.0, 'c3', 'Cleo'), (7, 'c4', 'Dan');
            INSERT INTO contacts VALUES ('99', 'c5', 'Eve'), ('042', 'c6', 'Fay'), (NULL, 'c7', 'Gus');
            INSERT INTO team VALUES (42, 'u1', 'Li', 'AR');
        """)
        db.commit()
    records = list(SqliteSource(str(path)).records())
    found = {r.snapshot.account.id: [c.id for c in r.snapshot.contacts] for r in records if r.snapshot}
    assert found == {"42": ["c1", "c2", "c3"], "7": ["c4"]}
    assert [m.id for r in records if r.snapshot and r.snapshot.account.id == "42" for m in r.snapshot.team] == ["u1"]
    assert [str(r.error) for r in records if r.error] == [
        f"{path}: contacts row 5: account_id '99' is not in table accounts",
        f"{path}: contacts row 6: account_id '042' is not in table accounts",  # text that only looks like 42
        f"{path}: contacts row 7: account_id is empty",
    ]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (-5e300, "Input should be greater than or equal to 0 (found -5e+300)"),  # crashed the urgency's log10
        (-1, "Input should be greater than or equal to 0 (found -1)"),
        (1e19, "Input should be less than or equal to 1000000000000000000 (found 1e+19)"),
        (1.7e308, "Input should be less than or equal to 1000000000000000000 (found 1.7e+308)"),  # sums to infinity
    ],
)
def test_a_deal_value_out_of_range_is_a_validation_error(tmp_path: Path, value: float, said: str) -> None:
    data = example_data()
    data["opportunities"][0]["value"] = value
    snapshot = tmp_path / "s.json"
    snapshot.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = _kamengine("advise", str(snapshot))
    assert result.exit_code == 1
    assert _one_error_line(result).startswith(f"Error: {snapshot}:")
    assert f": opportunities[0].value: {said}" in result.stderr and "internal error" not in result.stderr


def test_a_deal_value_out_of_range_is_a_422_from_the_service(tmp_path: Path) -> None:
    from serving import serving

    data = example_data()
    data["opportunities"][0]["value"] = -5e300
    with serving(tmp_path / "kamengine.db", auth=False) as running, running.client() as client:
        response = client.post("/v1/advise", content=json.dumps(data))
    assert response.status_code == 422, response.text  # was a 500, "internal error, please report it"
    assert response.json()["errors"][0]["path"] == "opportunities[0].value"
