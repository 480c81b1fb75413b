"""A Salesforce Data Export (examples/salesforce-export/) read through the bundled map, messy parts and all."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine import Snapshot
from kamengine.cli import main
from kamengine.plugins.crm_values import salesforce_id
from kamengine.plugins.csv_source import CsvSource
from support import REPO

EXPORT = REPO / "examples" / "salesforce-export"
ACME, GLOBEX = "001Dn0000001Ab1IAE", "001Dn0000002Ab1IAE"


def _read(folder: Path = EXPORT, column_map: str = "salesforce") -> tuple[dict[str, Snapshot], list[str], CsvSource]:
    source = CsvSource(str(folder))
    source.use_column_map(column_map)
    records = list(source.records())
    assert [r.error for r in records] == [None] * len(records)
    return {r.snapshot.account.id: r.snapshot for r in records if r.snapshot}, source.notices, source


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    return folder


def test_every_account_of_the_export_is_advised_through_the_bundled_map() -> None:
    result = CliRunner().invoke(
        main, ["--config", "/dev/null", "advise", "-f", "json", "--source", f"csv:{EXPORT}", "--map", "salesforce"]
    )
    assert result.exit_code == 0, result.output
    advised = {rec["account_id"] for rec in json.loads(result.stdout)}
    assert advised == {ACME, GLOBEX}  # the deleted third account is not among them


def test_the_export_reads_as_the_method_sees_it() -> None:
    accounts, _, _ = _read()
    acme = accounts[ACME]
    assert (acme.account.name, acme.account.tier, acme.account.strategic_partner) == ("ACME Telecom", "strategic", True)
    assert accounts[GLOBEX].account.crisis and accounts[GLOBEX].account.tier == "key"
    people = {c.name: c for c in acme.contacts}
    assert set(people) == {"Marta Vidal", "Ana Ruiz", "Jonas Berg", "Tom Keller"}  # first + last name
    ana = people["Ana Ruiz"]
    assert (ana.role, ana.stance, ana.interests, str(ana.birthday)) == ("D", 1, ["fishing", "jazz"], "1972-03-14")
    assert (people["Jonas Berg"].stance, people["Marta Vidal"].role) == (-1, "A")
    # ReportsToId written with 15 characters is the 18-character id of Marta Vidal.
    assert ana.reports_to == people["Marta Vidal"].id and len(ana.reports_to) == 18
    deals = {o.name: o for o in acme.opportunities}
    assert deals["5G core tender"].stage == "bidding" and deals["5G core tender"].value == 12_000_000
    assert deals["OSS upgrade"].stage == "lost"  # "Lost to Competitor" is no default stage: IsClosed, not IsWon
    groups = {g.group: [m.contact_id for m in g.members] for g in deals["5G core tender"].decision_groups}
    assert groups == {
        "technical": [people["Jonas Berg"].id],
        "commercial": [people["Tom Keller"].id],  # its ContactId had 15 characters
        "final": [ana.id],
    }
    assert {(m.name, m.role) for m in acme.team} == {
        ("Li Wei", "AR"),
        ("Sofia Marin", "SR"),
        ("Omar Haddad", "FR"),
        ("Chen Jing", "AD"),
    }  # Pat Former is an inactive user: no longer on the team


def test_activities_with_no_contact_a_lead_or_a_deleted_row() -> None:
    accounts, notices, source = _read()
    acme = accounts[ACME]
    kinds = sorted((a.type, len(a.contact_ids), a.opportunity_id is not None) for a in acme.activities)
    assert kinds == [
        ("executive_visit", 1, True),  # an Event whose KAM_Action__c names the action
        ("other", 0, False),  # a call to a lead: contact happened, with nobody we know
        ("other", 0, False),  # an e-mail on the account itself, to nobody
        ("other", 1, True),  # a call
        ("project_office_visit", 1, True),
    ]
    assert str(next(a for a in acme.activities if a.type == "executive_visit").date) == "2026-10-31"
    task = source.file_reports[str(EXPORT / "Task.csv")]
    assert (task.rows, dict(task.skipped)) == (6, {"IsDeleted = true": 1})
    team = source.file_reports[str(EXPORT / "AccountTeamMember.csv")]
    assert dict(team.skipped) == {"its User has IsActive = false": 1}
    assert any(n.startswith(f"{EXPORT}/Task.csv: 1 activit(y/ies) of a type that is no action kept as 'other'")
               and "'Webinar' ×1" in n for n in notices)  # fmt: skip


def test_ids_of_15_and_18_characters_are_one_record(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    contacts = folder / "Contact.csv"
    long_id = "0035g00000AbCdEFGH"[:15]
    assert salesforce_id(long_id) != long_id and salesforce_id(salesforce_id(long_id)) == salesforce_id(long_id)
    text = contacts.read_text(encoding="utf-8")
    ceo = "003Dn0000001Ab1IAE"
    contacts.write_text(text.replace(f'"{ceo}"', f'"{ceo[:15]}"', 1), encoding="utf-8")  # its own Id, short
    accounts, _, _ = _read(folder)
    ids = {c.name: c.id for c in accounts[ACME].contacts}
    assert ids["Marta Vidal"] == ceo  # and Ana Ruiz's ReportsToId still finds her
    assert next(c for c in accounts[ACME].contacts if c.name == "Ana Ruiz").reports_to == ceo


def test_file_names_are_matched_whatever_their_case(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "Account.csv").rename(folder / "ACCOUNT.CSV")
    (folder / "Task.csv").rename(folder / "task.csv")
    accounts, _, _ = _read(folder)
    assert set(accounts) == {ACME, GLOBEX} and len(accounts[ACME].activities) == 5


NAMES = {  # what an old Excel in Western Europe or in China writes into the export
    "cp1252": {"Vidal": "Müller", "Ruiz": "Ruíz", "Berg": "Bergström", "Keller": "Kellér-Çelik", "Network": "Réseau"},
    "gbk": {
        "Vidal": "王芳",
        "Ruiz": "赵磊",
        "Berg": "李明",
        "Keller": "陈静",
        "Network": "网络部",
        "Board": "董事会",
        "Chief Executive Officer": "首席执行官",
        "Chief Technology Officer": "首席技术官",
        "Procurement": "采购部",
        "Head of Core Network Engineering": "核心网络工程主管",
        "Head of Procurement": "采购主管",
    },
}


@pytest.mark.parametrize("encoding", list(NAMES))
def test_an_export_in_another_encoding_is_detected_and_named(tmp_path: Path, encoding: str) -> None:
    folder = _copy(tmp_path)
    contacts = folder / "Contact.csv"
    text = contacts.read_text(encoding="utf-8")
    for old, new in NAMES[encoding].items():
        text = text.replace(f'"{old}"', f'"{new}"')
    contacts.write_bytes(text.encode(encoding))
    accounts, notices, source = _read(folder)
    last_names = {c.name.split()[-1] for c in accounts[ACME].contacts}
    assert last_names == {NAMES[encoding][old] for old in ("Vidal", "Ruiz", "Berg", "Keller")}
    assert [n for n in notices if "not UTF-8" in n] == [
        f"{contacts}: not UTF-8; read as {source.file_reports[str(contacts)].encoding} (detected; set encoding "
        "in the map to be sure)"
    ]


def test_an_encoding_the_map_gives_is_used_without_detection(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    contacts = folder / "Contact.csv"
    contacts.write_bytes(contacts.read_text(encoding="utf-8").replace("Vidal", "Señora Vidal").encode("cp1252"))
    column_map = tmp_path / "salesforce-1252.toml"
    bundled = (REPO / "plugins" / "crm_maps" / "salesforce.toml").read_text(encoding="utf-8")
    column_map.write_text('encoding = "windows-1252"\n' + bundled, encoding="utf-8")
    accounts, notices, _ = _read(folder, str(column_map))
    assert "Marta Señora Vidal" in {c.name for c in accounts[ACME].contacts}
    assert not [n for n in notices if "not UTF-8" in n]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.sets(st.sampled_from(["Task.csv", "Opportunity.csv", "AccountTeamMember.csv"]), min_size=1))
def test_a_value_the_map_lacks_fails_its_row_never_its_account(tmp_path: Path, bad: set[str]) -> None:
    """Whichever rows carry a value the map does not know, each is one error and the accounts are all read."""
    folder = tmp_path / "-".join(sorted(bad))
    if not folder.exists():
        shutil.copytree(EXPORT, folder)
        unknown = {"Task.csv": ('"Call"', '"Carrier pigeon"'), "Opportunity.csv": ('"Negotiation/Review"', '"Haggling"'),
                   "AccountTeamMember.csv": ('"Delivery Manager"', '"Mascot"')}  # fmt: skip
        for name in bad:
            old, new = unknown[name]
            path = folder / name
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    source = CsvSource(str(folder))
    source.use_column_map("salesforce")
    records = list(source.records())
    errors = [p for r in records if r.error for p in r.error.problems]
    accounts = {r.snapshot.account.id for r in records if r.snapshot}
    assert accounts == {ACME, GLOBEX}
    # A task type the map lacks is no error: it is kept as 'other'.
    assert len(errors) == len(bad - {"Task.csv"})
    for error in errors:  # file, line and column
        assert re.match(rf"{re.escape(str(folder))}/\w+\.csv:\d+: (StageName|TeamMemberRole): unknown value '", error)
        assert error.endswith("; the row is left out")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_decides_without_detection(tmp_path: Path, encoding: str) -> None:
    """Excel's "CSV UTF-8" and "Unicode text" start with a byte-order mark: read as it says, nothing to guess."""
    folder = _copy(tmp_path)
    contacts = folder / "Contact.csv"
    contacts.write_bytes(contacts.read_text(encoding="utf-8").replace('"Ruiz"', '"Ruíz 陈"').encode(encoding))
    accounts, notices, source = _read(folder)
    assert "Ana Ruíz 陈" in {c.name for c in accounts[ACME].contacts}
    assert not [n for n in notices if "not UTF-8" in n]
    assert source.file_reports[str(contacts)].encoding == ("utf-16" if encoding == "utf-16" else "utf-8-sig")
