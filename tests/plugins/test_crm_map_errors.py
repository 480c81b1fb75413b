"""Mistakes in a ``--map`` file's CRM options: each one line naming the file, the table and the key, with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from kamengine import InputError
from kamengine.plugins.column_map import load_column_map


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('locale = "de_DE"', "locale: unknown locale 'de_DE' (did you mean 'de-DE'?); expected one of en-US, en-GB, de-DE, fr-FR, es-ES, it-IT, nl-NL, zh-CN, ja-JP"),
        ('numbers = "1,234"', "numbers: expected how 1234.56 is written, e.g. '1,234.56', '1.234,56' or '1 234,56', found '1,234'"),
        ('dates = ["MM/DD/YYYY"]', "dates: expected strftime formats such as [\"%m/%d/%Y\"], found ['MM/DD/YYYY']"),
        ('encoding = "klingon"', "encoding: unknown encoding 'klingon'; expected e.g. 'utf-8', 'windows-1252', 'gbk'"),
        ('as_of = "yesterday"', "as_of: expected 'today' or a date YYYY-MM-DD, found 'yesterday'"),
        ('references = "loose"', "references: expected 'strict' or 'prune', found 'loose'"),
        ('[opportunities.values.stage]\n"Closed Won" = "wonn"', "[opportunities] values.stage 'Closed Won': 'wonn' is not a stage (did you mean 'won'?); expected one of lead, qualified, bidding, negotiation, won, lost"),
        ('[team.values.role]\n"Account Manager" = "KAM"', "[team] values.role 'Account Manager': 'KAM' is not a role; expected one of AR, SR, FR, AD"),
        ('[activities.join]\nUser = "OwnerId"', "[activities] join.User: no [lookup.User]; lookups: none"),
        ('[contacts.computed]\nnmae = "{First} {Last}"', "[contacts] computed: 'nmae' is not a column of contacts (did you mean 'name'?)"),
        ('[[opportunities.set]]\nstage = "won"', '[opportunities] set: expected [[opportunities.set]] tables with when = { Column = "value" } and our columns'),
        ('[lookup.User]\nfiles = ["User.csv"]', '[lookup.User]: expected files = ["File.csv"] and key = "Column"'),
        ('[accounts]\nfiles = []', '[accounts] files: expected a list of file names, e.g. ["Account.csv"]'),
    ],
)  # fmt: skip
def test_a_wrong_option_is_one_error_naming_the_file_and_key(tmp_path: Path, text: str, problem: str) -> None:
    column_map = tmp_path / "crm.toml"
    column_map.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_column_map(str(column_map))
    assert caught.value.problems == [f"{column_map}: {problem}"]


@pytest.mark.parametrize("name", ["salesforce", "hubspot"])
def test_the_bundled_maps_load(name: str) -> None:
    assert load_column_map(name).converts


def test_the_sources_doc_s_example_map_loads(tmp_path: Path) -> None:
    from support import REPO

    doc = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    example = doc.split("### Writing a map", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    column_map = tmp_path / "crm.toml"
    column_map.write_text(example, encoding="utf-8")
    loaded = load_column_map(str(column_map))
    assert loaded.encoding == "cp1252" and loaded.numbers is not None and loaded.numbers.sample == "1.234,56"
    assert loaded.tables["team"].values["role"] == {"account manager": "AR"}
