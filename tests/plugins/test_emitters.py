"""The built-in file emitters: iCalendar, SQLite, and text formats written to files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import icalendar
import pytest
import sqlite_utils
from kamengine import EmitContext, Mode, Recommendation
from kamengine.plugins.ics_emitter import IcsEmitter, fold
from kamengine.plugins.sqlite_emitter import SqliteEmitter
from kamengine.plugins.text_emitters import CsvEmitter, JsonEmitter, MarkdownEmitter, TableEmitter
from kamengine.toolkit import ActionCatalogue, load_snapshot
from support import builtin_advisor


@pytest.fixture
def recs(example_path: str) -> list[Recommendation]:
    return builtin_advisor().advise(load_snapshot(example_path)).recommendations


def _context() -> EmitContext:
    return EmitContext(io.StringIO(), ActionCatalogue())


def test_ics_proposes_one_event_per_meeting_on_its_due_date(tmp_path: Path, recs: list[Recommendation]) -> None:
    target = tmp_path / "visits.ics"
    summary = IcsEmitter(str(target)).emit(recs, _context())
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    leads = {r.approach: r for r in reversed(recs)}  # the first of each approach leads it
    actions = ActionCatalogue()
    meetings = [r for r in leads.values() if actions[r.action].visit or actions[r.action].kind == Mode.INVITATION]
    assert summary == f"{len(meetings)} proposed meetings written to {target}"
    assert 0 < len(events) == len(meetings) < len(recs)
    invitation = next(e for e in events if e["categories"].cats[0] == "exhibition_invite")  # it leads an event
    assert str(invitation["summary"]).startswith("ACME Telecom: Invite ")
    lead = next(r for r in recs if ActionCatalogue()[r.action].visit)
    first = next(e for e in events if str(e["uid"]) == f"{lead.approach}@kamengine")
    assert str(first["summary"]) == f"ACME Telecom: {lead.title}"  # the company, then what to do
    assert first.decoded("dtstart") == lead.due
    assert lead.owner is not None and str(first["attendee"]) == f"urn:kamengine:member:{lead.owner.id}"
    assert first["attendee"].params["cn"] == lead.owner.name
    carried = [r for r in recs if r.approach == lead.approach and r is not lead]
    assert all(f"Also: {r.title}" in str(first["description"]) for r in carried)


def test_sqlite_upserts_by_id_so_a_rerun_does_not_duplicate(tmp_path: Path, recs: list[Recommendation]) -> None:
    target = tmp_path / "out.db"
    SqliteEmitter(str(target)).emit(recs, _context())
    SqliteEmitter(str(target)).emit(recs, _context())
    db = sqlite_utils.Database(target)
    rows = list(db["recommendations"].rows)
    assert len(rows) == len(recs)
    assert {row["id"] for row in rows} == {r.id for r in recs}
    assert json.loads(rows[0]["evidence"]) == next(r for r in recs if r.id == rows[0]["id"]).evidence


def test_text_emitters_write_files_or_stdout(tmp_path: Path, recs: list[Recommendation]) -> None:
    JsonEmitter(str(tmp_path / "out.json")).emit(recs, _context())
    assert [r["id"] for r in json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))] == [r.id for r in recs]
    context = _context()
    CsvEmitter("-").emit(recs, context)
    assert context.stdout.getvalue().splitlines()[0].startswith("id,account_id,priority")  # type: ignore[attr-defined]


def test_explanations_appear_under_rows(recs: list[Recommendation]) -> None:
    explanations = {recs[0].id: ["role = D (seen D)"]}
    table = TableEmitter(None).render(recs[:2], explanations).splitlines()
    assert table[3].strip() == "· role = D (seen D)"
    markdown = MarkdownEmitter(None).render(recs[:1], explanations).splitlines()
    assert markdown[0].split("|")[-2].strip() == "why" and markdown[2].split("|")[-2].strip() == "role = D (seen D)"
    document = json.loads(JsonEmitter(None).render(recs[:1], explanations))
    assert document[0]["explanation"] == ["role = D (seen D)"]


def test_ics_folds_lines_as_icalendar_does(tmp_path: Path, recs: list[Recommendation]) -> None:
    long_text = "邀请 Marta Vidal\\, " * 12 + "a\\;b " * 30
    for text in ("short", long_text, "x" * 74 + "\\n" + "é" * 80, "\\" * 200):
        folded = fold(f"DESCRIPTION:{text}".encode())
        assert all(len(line) <= 75 for line in folded.split(b"\r\n"))
        assert folded.replace(b"\r\n ", b"") == f"DESCRIPTION:{text}\r\n".encode()
        assert text.startswith("\\\\") or not any(line.endswith(b"\\") for line in folded.split(b"\r\n"))
    IcsEmitter(str(tmp_path / "v.ics")).emit(recs, _context())
    ours = icalendar.Calendar.from_ical((tmp_path / "v.ics").read_bytes())
    events = [c for c in ours.walk() if c.name == "VEVENT"]
    assert events and all(
        str(e["description"]).startswith(next(r.rationale for r in recs if r.title in str(e["summary"])))
        for e in events
    )
