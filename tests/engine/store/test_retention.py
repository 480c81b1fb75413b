"""A year of synthetic nights in a store, then ``[retention]``: stance history grows by changes only, and a prune
keeps exactly what the settings keep, cooldowns and the reports over the kept window as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sqlite3
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.model.retention import Retention
from kamengine.engine.model.rows import AccountAdvice, KeptSnapshot
from kamengine.engine.store.decisions import log_decision
from kamengine.engine.store.reports import effectiveness
from kamengine.engine.store.retention import TABLES, prune
from kamengine.engine.store.rule_reports import rule_report
from kamengine.engine.store.statuses import LIVE, Status
from kamengine.engine.store.store import Store
from kamengine.engine.store.time_order import TimeOrder

TODAY = dt.date(2026, 12, 7)
NIGHTS = 365
FIRST = TODAY - dt.timedelta(days=NIGHTS - 1)
ACCOUNTS = ("a0", "a1", "a2", "a3", "a4", "a5")
LEAVES = "a5"  # gone from the export after night 180: its snapshots and runs age
CONTACTS = ("c0", "c1", "c2", "c3")
# One action per contact, with its cooldown in the built-in catalogue (30, 60, 90, 300 days).
ACTIONS = ("regular_office_visit", "onsite_meeting", "account_review", "birthday_greeting")
SETTINGS = Retention(decision_log_days=200, closed_recommendation_days=60, snapshot_days=30, run_days=90)
SOURCE = "file:synthetic/"


@dataclasses.dataclass
class Year:
    """What the generator did, counted apart from the store."""

    stance_changes: int = 0  # rows stance history must hold: every contact's first night, then each change
    contact_nights: int = 0  # rows a row per contact per night would have written
    kept_decision: str = ""  # the decision the leaving account's older snapshot is named by


def _row(account: str, contact: str, action: str, night: dt.date, cycle: int) -> tuple[Any, ...]:
    """Advice on a contact; ``cycle``: the season of the year (new advice every 45 nights, as deals come and go)."""
    rec_id = f"rec-{account}-{contact}-{action}-{cycle}"
    due = (night + dt.timedelta(days=7)).isoformat()
    return (
        rec_id, account, action, "contact", contact, f"synthetic/{action}", f"{action} with {contact}", "why",
        1.0, due, "AR", "[]", None, "u-ar", "Ann", None, None, None, account.upper(), None,
    )  # fmt: skip


def _night(store: Store, day: int, stances: dict[tuple[str, str], int], rng: random.Random, year: Year) -> str:
    """One nightly run: each present account's advice (a contact of low stance is advised), kept snapshot, stances;
    then people's decisions of the day, and a logged decision."""
    night = FIRST + dt.timedelta(days=day)
    run_id, _ = store.start_run(SOURCE)
    present = [a for a in ACCOUNTS if a != LEAVES or day <= 180]
    for account in present:
        people = []
        for contact in CONTACTS:
            person = (account, contact)
            if person not in stances or rng.random() < 0.05:
                new = rng.randint(-2, 0 if person == (LEAVES, "c0") else 2)  # always advised on c0
                year.stance_changes += person not in stances or new != stances[person]
                stances[person] = new
            people.append((contact, stances[person]))
        year.contact_nights += len(people)
        rows = tuple(_row(account, c, ACTIONS[i], night, day // 45) for i, (c, s) in enumerate(people) if s <= 0)
        body = json.dumps({"account": account, "as_of": night.isoformat()})
        kept = KeptSnapshot(account.upper(), "key", night.isoformat(), body, (("u-ar", "AR"),))
        store.apply(run_id, AccountAdvice(account, night.isoformat(), tuple(people), rows, kept))
    store.expire_unseen(run_id)
    store.finish_run(run_id, {"accounts": len(present)})
    with store.writing():
        store.db.execute("update runs set started_at = ? where id = ?", [f"{night}T02:00:00+00:00", run_id])
    _decide(store, night, rng)
    decision = log_decision(store, "refresh", rng.choice(present), "rev", "crm", b"{}", [])
    with store.writing():  # the clock's times, as the night's: a history written over a year
        store.db.execute("update decisions set at = ? where id = ?", [f"{night}T09:00:00.000+00:00", decision])
        store.db.execute(
            "update status_history set at = ? where at not like '%T09:00:00+00:00'", [f"{night}T09:00:00+00:00"]
        )
    return decision


def _decide(store: Store, night: dt.date, rng: random.Random) -> None:
    """A few people's decisions on the night's live advice: done, dismissed, accepted, snoozed."""
    live = [r["id"] for r in store.find(statuses=[Status.OPEN, Status.ACCEPTED])]
    for rec_id in rng.sample(live, min(len(live), 2)):
        verb = rng.choice(("done", "done", "dismissed", "accepted", "snoozed"))
        until = night + dt.timedelta(days=10) if verb == "snoozed" else None
        store.change(rec_id, verb, "u-ar", "not now" if verb == "dismissed" else "", until=until, on=night)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Year]:
    """A store of a year of nights (built once for this module's tests, which copy it)."""
    path = tmp_path_factory.mktemp("year") / "kamengine.db"
    store, rng, stances, made = Store(path), random.Random(25), {}, Year()
    store.time_order = TimeOrder(today=lambda: TODAY)
    for day in range(NIGHTS):
        decision = _night(store, day, stances, rng, made)
        if day == 179:  # the leaving account's snapshot of this night came with a decision the log still holds
            made.kept_decision = decision
            with store.writing():
                store.db.execute(
                    "update snapshots set decision_id = ? where account_id = ? and as_of = ?",
                    [decision, LEAVES, (FIRST + dt.timedelta(days=day)).isoformat()],
                )
        if day == 180:  # advice someone took on before the account left: it stays live, so its run is needed
            live = store.find(LEAVES, [Status.OPEN, Status.ACCEPTED])
            store.change(live[0]["id"], Status.ACCEPTED, "u-ar", on=FIRST + dt.timedelta(days=day))
    store.close()
    return path, made


def _copy(source: Path, target: Path) -> Store:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    store = Store(target)
    store.time_order = TimeOrder(today=lambda: TODAY + dt.timedelta(days=1))
    return store


def _counts(store: Store) -> dict[str, int]:
    return {table: store.db.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}


def test_stance_history_grows_by_changes_only(year: tuple[Path, Year]) -> None:
    path, made = year
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("select count(*) from stance_history").fetchone()[0]
        nights = conn.execute("select count(*) from stance_nights").fetchone()[0]
    assert rows == made.stance_changes
    assert rows < made.contact_nights / 10  # 8,000 contact-nights, a few hundred changes
    assert nights == 5 * NIGHTS + 181


def _expected(store: Store) -> dict[str, int]:
    """What the settings keep, judged row by row in Python (the prune judges in SQL)."""
    closed_cut = (TODAY - dt.timedelta(days=60)).isoformat()
    recs = [dict(r) for r in store.db.table("recommendations").rows]
    last_night = defaultdict(str)
    for rec in recs:
        last_night[rec["account_id"]] = max(last_night[rec["account_id"]], rec["as_of"])

    def goes(rec: dict[str, Any]) -> bool:
        if rec["status"] in LIVE or rec["status_at"] >= closed_cut:
            return False
        if rec["status"] in (Status.RESOLVED, Status.EXPIRED):
            return True
        anchor = min(TODAY, dt.date.fromisoformat(last_night[rec["account_id"]]))
        cooldown = store.actions[rec["action"]].cooldown_days or 10**6
        return (anchor - dt.date.fromisoformat(rec["status_at"][:10])).days >= cooldown

    kept_recs = {rec["id"] for rec in recs if not goes(rec)}
    history = sum(1 for r in store.db.table("status_history").rows if r["recommendation_id"] in kept_recs)
    runs = list(store.db.table("runs").rows_where(order_by="started_at"))
    live_runs = {rec["last_run"] for rec in recs if rec["status"] in LIVE}
    run_cut = (TODAY - dt.timedelta(days=90)).isoformat()
    kept_runs = {r["id"] for r in runs if r["started_at"] >= run_cut or r["id"] in live_runs} | {runs[-1]["id"]}
    accounts_rows = sum(1 for r in store.db.table("run_accounts").rows if r["run_id"] in kept_runs)
    snapshots = list(store.db.table("snapshots").rows_where(order_by="id"))
    latest = {s["account_id"]: s["id"] for s in snapshots}
    decision_cut = (TODAY - dt.timedelta(days=200)).isoformat()
    logged = {d["id"] for d in store.db.table("decisions").rows if d["at"] >= decision_cut}
    kept_snapshots = [
        s for s in snapshots if s["as_of"] >= (TODAY - dt.timedelta(days=30)).isoformat()
        or s["id"] == latest[s["account_id"]] or s["decision_id"] in logged
    ]  # fmt: skip
    return {
        "recommendations": len(kept_recs), "status_history": history, "snapshots": len(kept_snapshots),
        "runs": len(kept_runs), "run_accounts": accounts_rows, "deliveries": 0, "decisions": len(logged),
    }  # fmt: skip


def test_a_prune_keeps_what_the_settings_keep(year: tuple[Path, Year], tmp_path: Path) -> None:
    path, made = year
    store = _copy(path, tmp_path / "pruned.db")
    before, expected = _counts(store), _expected(store)
    dry = prune(store, SETTINGS, TODAY, dry_run=True, batch=37)
    assert _counts(store) == before  # a dry run removes nothing
    pruned = prune(store, SETTINGS, TODAY, batch=37)  # small batches: many transactions, one key order
    after = _counts(store)
    assert after == expected
    assert pruned.removed == dry.removed == {table: before[table] - after[table] for table in TABLES}
    assert all(pruned.removed[t] > 0 for t in ("recommendations", "status_history", "snapshots", "runs", "decisions"))
    kept = {r[0] for r in store.db.execute("select decision_id from snapshots where account_id = ?", [LEAVES])}
    assert made.kept_decision in kept  # older than snapshot_days, but the decision log still names it
    assert prune(store, SETTINGS, TODAY).removed == dict.fromkeys(TABLES, 0)  # nothing more goes the same day


def test_absent_settings_keep_everything(year: tuple[Path, Year], tmp_path: Path) -> None:
    store = _copy(year[0], tmp_path / "kept.db")
    before = _counts(store)
    assert prune(store, Retention(decision_log_days=400), TODAY).removed == dict.fromkeys(TABLES, 0)
    assert _counts(store) == before


def _live(store: Store) -> dict[str, str]:
    return {r["id"]: r["status"] for r in store.find(statuses=LIVE)}


def test_cooldowns_and_reports_over_the_kept_window_are_unchanged(year: tuple[Path, Year], tmp_path: Path) -> None:
    whole, pruned = _copy(year[0], tmp_path / "whole.db"), _copy(year[0], tmp_path / "pruned.db")
    prune(pruned, SETTINGS, TODAY)
    window = TODAY - dt.timedelta(days=60)
    assert effectiveness(pruned, since=window) == effectiveness(whole, since=window)
    assert effectiveness(pruned, by="rule", since=window) == effectiveness(whole, by="rule", since=window)
    moved = ("stance_change", "control_change")  # over all done advice the store holds: not a window's
    rules = [{k: v for k, v in use.to_dict().items() if k not in moved} for use in rule_report(pruned, window)]
    assert rules == [{k: v for k, v in use.to_dict().items() if k not in moved} for use in rule_report(whole, window)]
    assert rules and sum(r["done"] for r in rules) > 0
    # The next night gives all advice of the year again: what a cooldown holds closed stays closed in both stores,
    # and what the prune removed opens as new where the whole store opens it again.
    night, seasons = TODAY + dt.timedelta(days=1), range(NIGHTS // 45 + 1)
    for store in (whole, pruned):
        run_id, _ = store.start_run(SOURCE)
        for account in ACCOUNTS[:-1]:
            people = tuple((c, -1) for c in CONTACTS)
            rows = tuple(_row(account, c, ACTIONS[i], night, n) for i, c in enumerate(CONTACTS) for n in seasons)
            store.apply(run_id, AccountAdvice(account, night.isoformat(), people, rows))
        store.finish_run(run_id, {})
    assert _live(pruned) == _live(whole)
    closed = {r["id"] for r in whole.find(statuses=[Status.DONE, Status.DISMISSED]) if r["account_id"] != LEAVES}
    assert closed and closed <= {r["id"] for r in pruned.find(statuses=[Status.DONE, Status.DISMISSED])}
