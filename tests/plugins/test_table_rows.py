"""The table and Markdown emitters show the flat form's cells without making the rest of it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from kamengine import Recommendation
from kamengine.engine.model.recommendation import Owner
from kamengine.plugins.text_emitters import _COLUMNS, _for_people, _people_values, flat_row
from kamengine.plugins.text_formats import table
from kamengine.toolkit import load_snapshot
from support import builtin_advisor


def test_a_person_reads_the_cells_of_the_flat_form(example_path: str) -> None:
    recs = builtin_advisor().advise(load_snapshot(example_path)).recommendations
    ownerless = dataclasses.replace(recs[0], owner=None, priority=140.0)
    other = dataclasses.replace(recs[1], account_id="acct-2", owner=Owner("u-9", "陈静", "SR"))
    shown = ("account_id", *_COLUMNS)
    for rec, row in zip([*recs, ownerless, other], _for_people([*recs, ownerless, other]), strict=True):
        flat = flat_row(rec)
        assert {c: row[c] for c in shown if c != "title"} == {c: flat[c] for c in shown if c != "title"}
        assert row["title"] in (flat["title"], f"+ {flat['title']}")
    assert any(row["title"].startswith("+ ") for row in _for_people(recs))  # an occasion's members are marked
    every = [*recs, ownerless, other]
    assert _people_values(every, True) == [[row[c] for c in shown] for row in _for_people(every)]
    assert _people_values(recs, False) == [[row[c] for c in _COLUMNS] for row in _for_people(recs)]


def test_a_last_row_of_empty_cells_is_dropped_as_tabulates_lines_are() -> None:
    assert table([{"a": "x"}, {"a": None}], ("a",)) == "a\n-\nx\n"
    assert table([{"a": "x", "b": "  "}], ("a", "b")) == "a  b\n-  -\nx\n"


def test_unused_recommendation_fields_reach_no_cell() -> None:
    evidence = {"contact_id": "c-1", "fields": {"stance": "\x1b[2J"}}
    rec = Recommendation(
        "rec-1", "acct", "call", "contact", "c-1", "Call Li", "why", "pb/r", 99.5, dt.date(2026, 1, 2), "AR", evidence
    )  # fmt: skip
    assert table(_for_people([rec]), _COLUMNS) == (
        "priority  due         owner            action  title\n"
        "--------  ---         -----            ------  -----\n"
        "99.5      2026-01-02  nobody yet (AR)  call    Call Li\n"
    )


def test_a_priority_and_a_day_read_as_their_own_text_whatever_was_read_before() -> None:
    from kamengine.plugins.text_emitters import _day_text, _priority_text

    for priority in (0.0, -0.0, 1, 1.0, 143.5, 1e-05, 2.5e16, float("inf"), 0.0, -0.0, 1.0, 1):
        assert _priority_text(priority) == f"{priority:g}"
    for day in (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), dt.date(2026, 1, 2)):
        assert _day_text(day) == day.isoformat()
