"""A decision's bounds: a snooze ends within a year, a reason is at most 2,000 characters — in the store itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kamengine.engine.errors import UsageError
from kamengine.engine.store.statuses import MAX_REASON, Status, decision_error, latest_snooze_end
from kamengine.engine.store.store import Store
from support import builtin_advisor, contact, make_snapshot

TODAY = dt.date(2026, 11, 25)


def test_a_snooze_ends_at_most_a_year_ahead() -> None:
    assert decision_error(Status.SNOOZED, "", dt.date(2027, 11, 25), TODAY) is None
    too_far = decision_error(Status.SNOOZED, "", dt.date(2027, 11, 26), TODAY)
    assert too_far is not None and "more than a year ahead: a snooze ends by 2027-11-25" in too_far
    forever = decision_error(Status.SNOOZED, "", dt.date(9999, 12, 31), TODAY)
    assert forever is not None and forever.startswith("--until 9999-12-31 is more than a year ahead")
    assert latest_snooze_end(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_a_reason_is_at_most_two_thousand_characters() -> None:
    assert decision_error(Status.DISMISSED, "x" * MAX_REASON, None, TODAY) is None
    long = decision_error(Status.ACCEPTED, "x" * (MAX_REASON + 1), None, TODAY)
    assert long == "--reason is 2,001 characters long: at most 2,000"


def test_the_store_refuses_both_and_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    try:
        snapshot = make_snapshot(contacts=[contact("c1", name="Jonas", role="E", stance=-1)])
        run_id, _ = store.start_run("test")
        store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
        rec_id = store.find()[0]["id"]
        far = dt.date.today() + dt.timedelta(days=400)
        with pytest.raises(UsageError, match="more than a year ahead"):
            store.change(rec_id, Status.SNOOZED, "li.wei", "later", until=far)
        with pytest.raises(UsageError, match="at most 2,000"):
            store.change(rec_id, Status.DISMISSED, "li.wei", "x" * 5_000_000)
        assert store.get(rec_id)["status"] == "open" and len(store.history(rec_id)) == 1
        soon = dt.date.today() + dt.timedelta(days=300)
        assert store.change(rec_id, Status.SNOOZED, "li.wei", "y" * MAX_REASON, until=soon)["status"] == "snoozed"
    finally:
        store.close()
