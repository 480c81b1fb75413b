"""The recommendation store's lifecycle across nightly runs."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from kamengine.engine.errors import UsageError
from kamengine.engine.model.rows import AccountAdvice, account_advice
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.store.store import Store, StoreError
from kamengine.engine.store.time_order import TimeOrder
from support import activity, builtin_advisor, contact, make_snapshot


def _snapshot(as_of: str = "2026-11-20", stance: int = -1, extra_contacts: tuple = ()) -> Snapshot:
    people = [contact("c1", name="Jonas", role="E", stance=stance), *extra_contacts]
    return make_snapshot(
        as_of=as_of, contacts=people, activities=[activity("a1", "project_office_visit", "2026-11-01", "c1")]
    )


def _run(store: Store, snapshot: Snapshot):  # type: ignore[no-untyped-def]
    run_id, _ = store.start_run("test")
    outcome = store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    store.finish_run(run_id, {})
    return outcome


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "k.db")


def _statuses(store: Store) -> dict[str, str]:
    return {row["action"]: row["status"] for row in store.find()}


def test_a_rerun_refreshes_instead_of_duplicating(store: Store) -> None:
    first = _run(store, _snapshot())
    assert first.new == 3 and first.refreshed == 0
    second = _run(store, _snapshot())
    assert (second.new, second.refreshed, second.resolved) == (0, 3, 0)
    assert len(store.find()) == 3
    assert _statuses(store) == {"executive_visit": "open", "exhibition_invite": "open", "hq_tour": "open"}


def test_done_stays_done_inside_the_cooldown_and_comes_back_after(store: Store) -> None:
    _run(store, _snapshot())
    visit = next(r for r in store.find() if r["action"] == "executive_visit")
    store.change(visit["id"], "done", "li.wei", "visited on Monday", on=dt.date(2026, 11, 20))
    _run(store, _snapshot("2026-11-21"))
    assert store.get(visit["id"])["status"] == "done"
    store.time_order = TimeOrder(today=lambda: dt.date(2027, 3, 1))  # the night of 1 March: cooldowns run by it
    _run(store, _snapshot("2027-03-01"))  # 101 days later: past the 90-day cooldown
    assert store.get(visit["id"])["status"] == "open"
    assert [h["status"] for h in store.history(visit["id"])] == ["open", "done", "open"]


def test_a_rule_that_stops_firing_resolves_its_recommendations(store: Store) -> None:
    _run(store, _snapshot())
    outcome = _run(store, _snapshot(stance=1))
    assert outcome.resolved == 3
    assert _statuses(store) == {
        "executive_visit": "resolved", "exhibition_invite": "resolved", "hq_tour": "resolved",
        "regular_office_visit": "open",  # a supporter now: the next rung of the ladder
    }  # fmt: skip
    again = _run(store, _snapshot(stance=-1))
    assert (again.new, again.resolved) == (3, 1)


def test_snoozed_wakes_on_its_date(store: Store) -> None:
    _run(store, _snapshot())
    tour = next(r for r in store.find() if r["action"] == "hq_tour")
    store.change(
        tour["id"], "snoozed", "li.wei", "after the budget round", until=dt.date(2026, 12, 1), on=dt.date(2026, 11, 20)
    )
    assert _run(store, _snapshot("2026-11-25")).woken == 0
    assert store.get(tour["id"])["status"] == "snoozed"
    assert _run(store, _snapshot("2026-12-01")).woken == 1
    assert store.get(tour["id"])["status"] == "open"


def test_advice_no_longer_given_is_resolved_not_expired(store: Store) -> None:
    _run(store, _snapshot())
    store.apply_advice(store.start_run("t")[0], _snapshot("2026-12-20"), [])  # advice gone, long past due
    assert set(_statuses(store).values()) == {"resolved"}


def test_live_advice_takes_tonight_s_due_date_and_never_lapses_while_given(store: Store) -> None:
    _run(store, _snapshot("2026-11-20"))
    visit = next(r for r in store.find() if r["action"] == "executive_visit")
    assert visit["due"] == "2026-12-04"
    store.change(visit["id"], "accepted", "li.wei", "")
    tour = next(r for r in store.find() if r["action"] == "hq_tour")
    store.change(tour["id"], "snoozed", "li.wei", "", until=dt.date(2027, 6, 1), on=dt.date(2026, 11, 20))
    outcome = _run(store, _snapshot("2027-01-10"))  # five weeks past the first due date, still advised
    assert (outcome.expired, outcome.refreshed) == (0, 3)
    rows = {r["action"]: r for r in store.find()}
    assert (rows["executive_visit"]["status"], rows["executive_visit"]["due"]) == ("accepted", "2027-01-25")
    assert rows["executive_visit"]["as_of"] == "2027-01-10"
    assert (rows["hq_tour"]["status"], rows["hq_tour"]["snoozed_until"]) == ("snoozed", "2027-06-01")
    assert rows["hq_tour"]["due"] > "2027-01-10"  # a snoozed one is refreshed too, and still sleeps
    assert rows["exhibition_invite"]["status"] == "open"


def _other(as_of: str) -> Snapshot:
    """Another account of the same source."""
    from support import BASE

    return make_snapshot(
        as_of=as_of,
        account={**BASE["account"], "id": "other"},
        contacts=[contact("c9", name="Mira", role="E", stance=-1)],
        activities=[activity("a9", "project_office_visit", "2026-11-01", "c9")],
    )


def _nightly(store: Store, *snapshots: Snapshot, source: str = "test", grace: int = 14) -> int:
    """One finished run of ``source`` over these accounts; how many it expired."""
    run_id, _ = store.start_run(source)
    for snapshot in snapshots:
        store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    expired = store.expire_unseen(run_id, grace)
    store.finish_run(run_id, {})
    return expired


def test_advice_of_an_account_gone_from_its_source_expires_and_comes_back_with_it(store: Store) -> None:
    _nightly(store, _snapshot("2026-11-20"), _other("2026-11-20"))
    assert _nightly(store, _snapshot("2026-12-01")) == 0  # "other" is missing, but not yet past due + grace
    assert _nightly(store, _snapshot("2026-12-20"), source="another export") == 0  # another source judges nothing
    assert _nightly(store, _snapshot("2026-12-20")) == 1  # 16 days past the visit's due date
    statuses = {r["action"]: r["status"] for r in store.find("other")}
    # The invitation needs 21 days' notice (issue 21): it rides on the HQ tour of 12-21, not on the visit.
    assert statuses == {"executive_visit": "expired", "exhibition_invite": "open", "hq_tour": "open"}
    assert store.find("acct", ["expired"]) == []  # advised every night: never expired
    visit = next(r for r in store.find("other") if r["action"] == "executive_visit")
    assert [h["status"] for h in store.history(visit["id"])] == ["open", "expired"]
    assert store.history(visit["id"])[-1]["reason"] == "not advised since 2026-11-20, more than 14 days past due"
    _nightly(store, _snapshot("2026-12-21"), _other("2026-12-21"))  # the account is back with its reason
    assert {(r["status"], r["due"] >= "2026-12-21") for r in store.find("other")} == {("open", True)}
    assert store.history(visit["id"])[-1]["reason"] == "fires again after expired"


def test_a_failed_account_keeps_its_advice_open(store: Store) -> None:
    _nightly(store, _snapshot("2026-11-20"), _other("2026-11-20"))
    run_id, _ = store.start_run("test")
    store.apply_advice(
        run_id, _snapshot("2027-01-20"), builtin_advisor().advise(_snapshot("2027-01-20")).recommendations
    )
    store.record_failure(run_id, "other", "test:2", "bad line")
    assert store.expire_unseen(run_id) == 0
    assert {r["status"] for r in store.find("other")} == {"open"}


def test_expired_advice_still_given_opens_again_on_the_next_run(store: Store) -> None:
    _run(store, _snapshot())
    visit = next(r for r in store.find() if r["action"] == "executive_visit")
    store.db.conn.execute("update recommendations set status = 'expired' where id = ?", [visit["id"]])  # an old store
    outcome = _run(store, _snapshot("2026-11-21"))
    assert outcome.new == 1
    assert store.get(visit["id"])["status"] == "open"


def test_people_s_changes_are_validated(store: Store) -> None:
    _run(store, _snapshot())
    rec_id = store.find()[0]["id"]
    with pytest.raises(StoreError, match="no recommendation 'rec-nope'"):
        store.change("rec-nope", "done", "me", "x")
    with pytest.raises(UsageError, match="needs an end date"):
        store.change(rec_id, "snoozed", "me", "x")
    with pytest.raises(UsageError, match="2026-11-19 is in the past"):
        store.change(rec_id, "snoozed", "me", "x", until=dt.date(2026, 11, 19), on=dt.date(2026, 11, 20))
    with pytest.raises(UsageError, match="a dismissal needs a reason"):
        store.change(rec_id, "dismissed", "me", " ")
    row = store.change(rec_id, "accepted", "li.wei")  # a reason is optional but for a dismissal
    assert (row["status"], row["status_by"], row["status_reason"]) == ("accepted", "li.wei", "")
    row = store.change(rec_id, "snoozed", "li.wei", until=dt.date(2026, 11, 20), on=dt.date(2026, 11, 20))
    assert row["snoozed_until"] == "2026-11-20"  # today is not the past


def test_expired_advice_can_be_taken_up_and_resolved_advice_only_dismissed(store: Store) -> None:
    _run(store, _snapshot())
    first, second = (r["id"] for r in store.find()[:2])
    store.db.conn.executemany(
        "update recommendations set status = ? where id = ?", [("expired", first), ("resolved", second)]
    )
    assert store.change(first, "accepted", "li.wei")["status"] == "accepted"
    with pytest.raises(StoreError, match=r"resolved \(its reason is gone\); it can only be dismissed"):
        store.change(second, "accepted", "li.wei")
    assert store.change(second, "dismissed", "li.wei", "done elsewhere")["status"] == "dismissed"


def test_stance_history_and_done_activities(store: Store) -> None:
    _run(store, _snapshot())
    _run(store, _snapshot("2026-12-20", stance=1))
    rows = list(store.db["stance_history"].rows_where(order_by="as_of"))
    assert [(r["contact_id"], r["as_of"], r["stance"]) for r in rows] == [
        ("c1", "2026-11-20", -1),
        ("c1", "2026-12-20", 1),
    ]
    rec = store.find(statuses=["open"])[0]
    store.change(rec["id"], "done", "li.wei", "done", on=dt.date(2026, 12, 21))
    assert store.done_activities() == [
        {"account_id": "acct", "id": rec["id"], "type": rec["action"], "date": "2026-12-21", "contact_ids": ["c1"]}
    ]


def test_resume_knows_the_finished_accounts(store: Store) -> None:
    run_id, _ = store.start_run("t")
    store.apply_advice(run_id, _snapshot(), [])
    resumed, finished = store.start_run("t", resume=True)
    assert (resumed, finished) == (run_id, {"acct"})
    store.finish_run(run_id, {})
    with pytest.raises(StoreError, match="no unfinished run"):
        store.start_run("t", resume=True)


def _visible(path: Path, sql: str) -> list[tuple]:
    """What another process sees: only committed rows."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _started(path: Path) -> tuple[Store, str, AccountAdvice]:
    """A store with a run started, and one account's advice in row form."""
    store = Store(path)
    run_id, _ = store.start_run("test")
    snapshot = _snapshot()
    return store, run_id, account_advice(snapshot, builtin_advisor().advise(snapshot).recommendations)


def test_a_group_commit_keeps_every_account_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    store, run_id, good = _started(path)
    # Valid rows first, then one the table cannot take: the statement fails part-way.
    unbindable = ("x-last", *good.rows[0][1:5], object(), *good.rows[0][6:])  # a title SQLite cannot take
    bad_rows = (*((f"x-{row[0]}", *row[1:]) for row in good.rows), unbindable)
    bad = good._replace(account_id="acct-bad", rows=bad_rows)
    with store.group_commit() as group:
        store.apply(run_id, good)
        group.account_written()
        with pytest.raises(sqlite3.Error):
            store.apply(run_id, bad)
        store.record_failure(run_id, "acct-bad", "test:2", "bad rows")
        group.account_written()
        assert _visible(path, "select count(*) from run_accounts") == [(0,)]  # not committed yet
    assert sorted(_visible(path, "select account_id, status from run_accounts")) == sorted(
        [("acct-bad", "failed"), (good.account_id, "done")]
    )
    assert _visible(path, "select distinct account_id from recommendations") == [(good.account_id,)]
    assert _visible(path, "select count(*) from recommendations") == [(len(good.rows),)]


def test_a_group_commits_when_it_is_full(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    store, run_id, advice = _started(path)
    with store.group_commit(accounts=2, seconds=3600) as group:
        for number in range(3):
            store.apply(run_id, advice._replace(account_id=f"acct-{number}", rows=()))
            group.account_written()
            committed = _visible(path, "select count(*) from run_accounts")[0][0]
            assert committed == (2 if number >= 1 else 0)
    assert _visible(path, "select count(*) from run_accounts") == [(3,)]
