"""kamengine plan: the week ahead per person, from snapshots, a source or the store; four formats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

ACME = str(REPO / "examples" / "acme-telecom.yaml")
PORTFOLIO = f"file:{REPO / 'examples' / 'portfolio'}"


def _plan(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", "/dev/null", "plan", *args])


def test_the_director_s_week_across_the_portfolio() -> None:
    result = _plan(ACME, "--source", PORTFOLIO, "--owner", "u-ad", "--week", "2026-W49")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Chen Jing (AD) — week 2026-W49: 4 customer action(s), 1 of our own"
    assert any("New in role: our executive meets Marta Vidal" in line for line in lines)
    assert lines[1].split() == ["day", "company", "priority", "what"]
    indent = lines[1].index("what")
    assert f"{' ' * indent}+ Name an executive sponsor for Marta Vidal (Chief Executive Officer)" in lines
    days = [line.split()[0] for line in lines[1:] if line.startswith("20")]
    assert days == sorted(days) and all("2026-11-30" <= day <= "2026-12-06" for day in days)


def test_json_lists_each_approach_with_its_companions() -> None:
    items = json.loads(_plan(ACME, "--week", "all", "--format", "json").output)
    assert items and all(
        set(item) == {"owner", "week", "day", "moved_from", "over_capacity", "overdue_since", "lead", "companions"}
        for item in items
    )
    approaches = [item["lead"]["approach"] for item in items]
    assert len(approaches) == len(set(approaches))
    assert all(c["approach"] == item["lead"]["approach"] for item in items for c in item["companions"])


def test_capacity_moves_the_rest_to_later_weeks(tmp_path: Path) -> None:
    tight = tmp_path / "k.toml"
    tight.write_text("[plan]\nweekly_capacity = 1\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(tight), "plan", ACME, "--owner", "u-ar", "--week", "all", "-f", "json"]
    )
    items = [i for i in json.loads(result.output)]
    customer = {}
    for item in items:
        if item["lead"]["action"] not in ("account_review", "staff_iron_triangle", "process_integration"):
            customer.setdefault(item["week"], []).append(item)
    moved = [i for i in items if i["moved_from"]]
    assert moved, "a week of one customer action must move some"
    assert all(len(found) <= 1 or any(i["over_capacity"] for i in found) for found in customer.values())
    tour = next(i for i in items if i["lead"]["action"] == "hq_tour")
    assert tour["lead"]["title"] == "Headquarters visit for the 5G core tender team"  # invitations ride on it
    assert {c["action"] for c in tour["companions"]} == {"hq_tour"}
    # Deal work moves only to an earlier week: its date was fitted before the close.
    assert all(i["day"] < i["moved_from"] for i in moved if i["lead"]["opportunity_id"])


def test_markdown_is_ready_for_a_team_meeting() -> None:
    text = _plan(ACME, "--week", "2026-W49", "--format", "markdown").output
    heading, blank, header, *_ = text.splitlines()
    assert (heading, blank) == ("## Chen Jing (AD) — week 2026-W49", "")
    assert [cell.strip() for cell in header.split("|")] == [
        "",
        "day",
        "company",
        "what",
        "also",
        "why first",
        "compliance",
        "",
    ]


def test_ics_writes_one_calendar_per_person(tmp_path: Path) -> None:
    result = _plan(ACME, "--week", "all", "--ics", str(tmp_path / "cal"))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "cal").iterdir())
    assert files == ["u-ad.ics", "u-ar.ics", "u-fr.ics", "u-sr.ics"]  # Omar (FR) has only our own work: no events
    events = [c for c in icalendar.Calendar.from_ical((tmp_path / "cal" / "u-ad.ics").read_bytes()).walk("VEVENT")]
    assert events and all(str(e["summary"]).startswith("ACME Telecom: ") for e in events)
    assert {str(e["attendee"]) for e in events} == {"urn:kamengine:member:u-ad"}


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
    wakes = (today + dt.timedelta(days=40)).isoformat()
    snoozed = CliRunner().invoke(main, ["recs", "snooze", lead["id"], "--until", wakes, "--db", str(db)])
    assert snoozed.exit_code == 0, snoozed.output
    items = json.loads(_plan("--db", str(db), "--week", "all", "-f", "json").output)
    by_lead = {item["lead"]["id"]: item for item in items}
    assert by_lead[lead["id"]]["day"] == wakes  # not planned before the snooze ends
    # The batch advised as of 2026-11-20: what fell due since is placed today, and says since when.
    overdue = [item for item in items if item["overdue_since"]]
    assert overdue
    assert all(item["overdue_since"] < today.isoformat() == item["day"] for item in overdue)
    assert all(item["day"] >= today.isoformat() for item in items)
    table = _plan("--db", str(db), "--week", "all").output
    assert f"overdue: due {overdue[0]['overdue_since']}" in table
