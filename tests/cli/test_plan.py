"""kamengine plan: the week ahead per person, from snapshots, a source or the store; four formats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from support import REPO

ACME = str(REPO / "examples" / "acme-telecom.yaml")
PORTFOLIO = f"file:{REPO / 'examples' / 'portfolio'}"


def _plan(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", "/dev/null", "plan", *args])


@prints_as_on_durable
def test_the_director_s_week_across_the_portfolio() -> None:
    result = _plan(ACME, "--source", PORTFOLIO, "--owner", "u-ad", "--week", "2026-W49", "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Chen Jing (AD) — week 2026-W49: leads 6 customer meetings, attends 1, 1 of our own"
    marta = lines.index(next(line for line in lines if "New in role: our executive meets Marta Vidal" in line))
    assert lines[marta + 1] == f"{' ' * lines[1].index('what')}with Li Wei (AR)"  # her relationship owner comes
    assert any("New in role: our executive meets Marta Vidal" in line for line in lines)
    assert lines[1].split() == ["day", "company", "priority", "what"]
    indent = lines[1].index("what")
    assert f"{' ' * indent}+ Name an executive sponsor for Marta Vidal (Chief Executive Officer)" in lines
    days = [line.split()[0] for line in lines[1:] if line.startswith("20")]
    assert days == sorted(days) and all("2026-11-30" <= day <= "2026-12-06" for day in days)


@prints_as_on_durable
def test_json_lists_each_approach_with_its_companions() -> None:
    items = json.loads(_plan(ACME, "--week", "all", "--format", "json", "--as-of", "2026-11-20").output)
    keys = {"owner", "attendees", "week", "day", "moved_from", "moved_because", "over_capacity", "overdue_since"}
    assert items and all(set(item) == {*keys, "lead", "companions"} for item in items)
    assert all(not item["over_capacity"] for item in items)  # what does not fit is not planned, never overbooked
    approaches = [item["lead"]["approach"] for item in items]
    assert len(approaches) == len(set(approaches))
    assert all(c["approach"] == item["lead"]["approach"] for item in items for c in item["companions"])


@prints_as_on_durable
def test_capacity_moves_the_rest_to_later_weeks_and_lists_what_does_not_fit(tmp_path: Path) -> None:
    # Issue 21 changed this: nothing is placed over capacity (it was marked "over_capacity"), and deal work
    # is never pulled earlier than its own date to fill a week (it was moved to an earlier week).
    tight = tmp_path / "k.toml"
    tight.write_text("[plan]\nweekly_capacity = 1\nhorizon_weeks = 5\n", encoding="utf-8")
    args = ["--config", str(tight), "plan", ACME, "--week", "all", "--as-of", "2026-11-20"]
    items = json.loads(CliRunner().invoke(main, [*args, "-f", "json"]).output)
    customer: dict[tuple[str, str], int] = {}
    for item in items:
        if item["lead"]["action"] not in (
            "account_review",
            "staff_iron_triangle",
            "process_integration",
            "broaden_relationships",
        ):
            for person in [item["owner"], *item["attendees"]]:
                customer[(person["id"], item["week"])] = customer.get((person["id"], item["week"]), 0) + 1
    assert customer and max(customer.values()) == 1
    moved = [i for i in items if i["moved_from"]]
    assert moved, "a week of one customer meeting must move some"
    assert all(i["day"] > i["moved_from"] for i in moved)  # later, never earlier than its own date
    load = json.loads(CliRunner().invoke(main, [*args, "--load", "-f", "json"]).output)
    assert load["weeks"] == ["2026-W47", "2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    assert all(n <= 1 for person in load["load"] for n in person["weeks"].values())
    over = [u for u in load["not_planned"] if u["not_planned"].startswith("over capacity until 2026-W51: ")]
    assert over and all(u["day"] is None for u in over)
    table = CliRunner().invoke(main, args).output
    assert table.splitlines()[-1].endswith("not planned by 2026-W51: kamengine plan --load lists them and why")


@prints_as_on_durable
def test_markdown_is_ready_for_a_team_meeting() -> None:
    text = _plan(ACME, "--week", "2026-W49", "--format", "markdown", "--as-of", "2026-11-20").output
    heading, blank, header, *_ = text.splitlines()
    assert (heading, blank) == ("## Chen Jing (AD) — week 2026-W49", "")
    assert [cell.strip() for cell in header.split("|")] == [
        "",
        "day",
        "company",
        "what",
        "with",
        "also",
        "why first",
        "compliance",
        "",
    ]


def test_ics_writes_one_calendar_per_person(tmp_path: Path) -> None:
    # The whole horizon, whatever --week says; a person's calendar has what they lead and what they attend.
    result = _plan(ACME, "--week", "2026-W48", "--ics", str(tmp_path / "cal"), "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "cal").iterdir())
    assert files == ["u-ad.ics", "u-ar.ics", "u-sr.ics"]  # Omar's (FR) own work is due after the horizon
    events = [c for c in icalendar.Calendar.from_ical((tmp_path / "cal" / "u-ad.ics").read_bytes()).walk("VEVENT")]
    assert events and all(str(e["summary"]).startswith("ACME Telecom: ") for e in events)
    weeks = {e.decoded("dtstart").isocalendar()[1] for e in events}
    assert len(weeks) > 1 and max(weeks) > 48
    li = icalendar.Calendar.from_ical((tmp_path / "cal" / "u-ar.ics").read_bytes()).walk("VEVENT")
    assert any("Marta Vidal" in str(e["summary"]) for e in li)  # Li Wei comes along to the CEO's meeting
    mine = _plan(ACME, "--owner", "u-ar", "--ics", str(tmp_path / "mine"), "--as-of", "2026-11-20")
    assert mine.exit_code == 0 and [p.name for p in (tmp_path / "mine").iterdir()] == ["u-ar.ics"]


@prints_as_on_durable
def test_from_the_store_after_a_batch(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    ran = CliRunner().invoke(main, ["batch", "--source", f"file:{ACME}", "--db", str(db), "--workers", "1"])
    assert ran.exit_code == 0, ran.output
    stored = _plan("--db", str(db), "--owner", "u-ad", "--week", "2026-W49", "--as-of", "2026-11-20")
    fresh = _plan(ACME, "--owner", "u-ad", "--week", "2026-W49", "--as-of", "2026-11-20")
    assert stored.exit_code == 0 and stored.output == fresh.output
    owners = json.loads(
        CliRunner().invoke(main, ["recs", "list", "--db", str(db), "--owner", "u-sr", "-f", "json"]).output
    )
    assert owners and {r["owner"]["id"] for r in owners} == {"u-sr"}


def test_mistakes_are_usage_errors() -> None:
    assert _plan(ACME, "--week", "49").exit_code == 2
    assert "expected an ISO week like 2026-W49" in _plan(ACME, "--week", "49").output
    not_text = _plan(ACME, "--format", "ics")
    assert not_text.exit_code == 2 and "calendars: --ics DIR writes one per person" in not_text.output
    nobody = _plan(ACME, "--owner", "u-nobody")
    assert nobody.exit_code == 2 and "'u-nobody' owns no advice here; owners: u-ad, u-ar, u-fr, u-sr" in nobody.output
    missing = _plan("--db", "/nonexistent/k.db")
    assert missing.exit_code == 1 and "no store at /nonexistent/k.db; run kamengine batch first" in missing.output


def test_from_the_store_snoozed_advice_waits_and_past_due_advice_is_due_now(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    ran = CliRunner().invoke(main, ["batch", "--source", f"file:{ACME}", "--db", str(db), "--workers", "1"])
    assert ran.exit_code == 0, ran.output
    today = dt.date.today()
    listed = json.loads(CliRunner().invoke(main, ["recs", "list", "--db", str(db), "-L", "0", "-f", "json"]).output)
    lead = next(r for r in listed if r["action"] == "executive_visit")
    # A Saturday two weeks on: the snoozed visit wakes on the first working day after it (issue 21: not a Sunday).
    saturday = today + dt.timedelta(days=14 + (5 - today.weekday()) % 7)
    snoozed = CliRunner().invoke(main, ["recs", "snooze", lead["id"], "--until", saturday.isoformat(), "--db", str(db)])
    assert snoozed.exit_code == 0, snoozed.output
    items = json.loads(_plan("--db", str(db), "--week", "all", "-f", "json").output)
    by_lead = {item["lead"]["id"]: item for item in items}
    woken = dt.date.fromisoformat(by_lead[lead["id"]]["day"])
    assert woken > saturday and woken.weekday() < 5  # not before the snooze ends, and on a working day
    # The batch advised as of 2026-11-20: what fell due since is placed from today on, and says since when.
    overdue = [item for item in items if item["overdue_since"]]
    assert overdue
    assert all(item["overdue_since"] < today.isoformat() <= item["day"] for item in overdue)
    assert all(item["day"] >= today.isoformat() for item in items)
    table = _plan("--db", str(db), "--week", "all").output
    assert f"overdue: due {overdue[0]['overdue_since']}" in table
