"""The reports aggregated in SQL say what the reports that read whole tables into memory said, on random stores:
the same effects and rule uses, the same numbers of the same types (a whole mean stays an int, as it printed)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean, median
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.store.reports import Effect, _nightly_history, effectiveness
from kamengine.engine.store.rule_reports import DECISIONS, RuleUse, _flag, rule_report
from kamengine.engine.store.store import Store

DAYS = [f"2026-11-{day:02d}" for day in range(1, 13)]


# -- the reports as they were: every table read into memory (the reference) -------------------------------------


def _old_effectiveness(store: Store, by: str = "action", since: dt.date | None = None) -> list[Effect]:
    history = _nightly_history(store)
    treated_by: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    start = since.isoformat() if since else ""
    for row in store.find(statuses=["done"]):
        if row["subject_kind"] == "contact" and row["status_at"][:10] >= start:
            treated_by[row[by]].setdefault((row["account_id"], row["subject_id"]), row["status_at"][:10])
    effects = []
    for key, treated in sorted(treated_by.items()):
        changes, controls = [], []
        for person, done_on in treated.items():
            entries = history.get(person, [])
            before = [e for e in entries if e[0] <= done_on]
            after = [e for e in entries if e[0] > done_on]
            if not before or not after:
                continue
            (first, was), (last, now) = before[-1], after[-1]
            changes.append(now - was)
            for other, theirs in history.items():
                if other in treated:
                    continue
                on_first = [s for day, s in theirs if day <= first]
                on_last = [s for day, s in theirs if day >= last]
                if on_first and on_last and on_first[-1] == was:
                    controls.append(on_last[-1] - on_first[-1])
        effects.append(Effect(key, len(changes), _old_mean(changes), len(controls), _old_mean(controls)))
    return effects


def _old_mean(values: list[int]) -> float | None:
    return round(mean(values), 2) if values else None


def _old_rule_report(store: Store, since: dt.date | None = None) -> list[RuleUse]:
    start = since.isoformat() if since else ""
    query = (
        "select h.recommendation_id as rec, h.status, h.at, h.reason, r.rule, r.status as now_status, r.status_at"
        " from status_history h join recommendations r on r.id = h.recommendation_id order by h.id"
    )
    uses: dict[str, RuleUse] = {}
    reached: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    given_at: dict[str, str] = {}
    done_days: dict[str, list[float]] = defaultdict(list)
    for row in store.db.query(query):
        rule, rec, status = row["rule"], row["rec"], row["status"]
        if status == "open" and row["reason"] == "new":
            given_at[rec] = row["at"]
            if row["at"] >= start:
                uses.setdefault(rule, RuleUse(rule)).given += 1
        if given_at.get(rec, "") < start or rec not in given_at:
            continue
        uses.setdefault(rule, RuleUse(rule))
        if status in DECISIONS:
            reached[rule][status].add(rec)
        if status == "dismissed":
            words = re.sub(r"\s+", " ", (row["reason"] or "").strip()).rstrip(".").lower()
            reasons[rule][words or "(no reason given)"] += 1
        if status == "done":
            done_on = row["status_at"] if row["now_status"] == "done" and row["status_at"] else row["at"]
            days = (dt.datetime.fromisoformat(done_on) - dt.datetime.fromisoformat(given_at[rec])).total_seconds()
            done_days[rule].append(max(0.0, days / 86400))
    for rule, use in uses.items():
        use.decisions = {str(status): len(reached[rule][status]) for status in DECISIONS}
        use.reasons = dict(reasons[rule].most_common())
        use.days_to_done = round(median(done_days[rule]), 1) if done_days[rule] else None
    for effect in _old_effectiveness(store, by="rule"):
        if effect.action in uses:
            uses[effect.action].stance_change = effect.treated_change
            uses[effect.action].control_change = effect.control_change
    _flag(list(uses.values()))
    return sorted(uses.values(), key=lambda use: use.rule)


# -- random stores ------------------------------------------------------------------------------------------------

people = st.tuples(st.sampled_from(["a0", "a1"]), st.sampled_from(["c0", "c1", "c2", "c3"]))
stamps = st.builds(lambda d, h: f"{d}T{h:02d}:00:00+00:00", st.sampled_from(DAYS), st.integers(0, 23))
recommendations = st.lists(
    st.fixed_dictionaries(
        {
            "person": people,
            "action": st.sampled_from(["visit", "call", "gift"]),
            "rule": st.sampled_from(["r/1", "r/2"]),
            "kind": st.sampled_from(["contact", "contact", "account"]),
            "priority": st.sampled_from([1.0, 2.0]),
            "status": st.sampled_from(["open", "done", "done", "dismissed", "resolved", "accepted", "snoozed"]),
            "status_at": st.one_of(stamps, st.sampled_from(DAYS).map(lambda d: f"{d}T00:00:00+00:00")),
            "history": st.lists(
                st.tuples(
                    st.sampled_from(["open", "done", "dismissed", "accepted", "expired", "resolved", "snoozed"]),
                    st.sampled_from(["new", "new", "", "Not relevant.", "not  relevant", "later", None]),
                    stamps,
                ),
                max_size=5,
            ),
        }
    ),
    min_size=2,
    max_size=12,
)
stances = st.lists(st.tuples(people, st.sampled_from(DAYS), st.integers(-2, 2)), min_size=4, max_size=25)
nights = st.tuples(*[st.sets(st.sampled_from(DAYS), min_size=2, max_size=8) for _ in range(2)]).map(
    lambda both: [(account, day) for account, days in zip(("a0", "a1"), both, strict=True) for day in sorted(days)]
)


def _store(recs: list[dict[str, Any]], changes: list[Any], account_nights: list[Any], folder: str) -> Store:
    store = Store(Path(folder) / "k.db")
    db = store.db
    for index, rec in enumerate(recs):
        (account, contact), rec_id = rec["person"], f"rec-{index:02d}"
        db.table("recommendations").insert({
            "id": rec_id, "account_id": account, "action": rec["action"], "subject_kind": rec["kind"],
            "subject_id": contact, "rule": rec["rule"], "priority": rec["priority"], "status": rec["status"],
            "status_at": rec["status_at"],
        })  # fmt: skip
        for status, reason, at in rec["history"]:
            db.table("status_history").insert(
                {"recommendation_id": rec_id, "status": status, "reason": reason, "at": at}
            )
    for (account, contact), day, stance in changes:
        db.execute("insert or replace into stance_history values (?, ?, ?, ?)", [account, contact, day, stance])
    for account, day in account_nights:
        db.execute("insert or ignore into stance_nights values (?, ?)", [account, day])
    db.conn.commit()
    return store


@settings(max_examples=200, deadline=None)
@given(recommendations, stances, nights, st.one_of(st.none(), st.sampled_from(DAYS).map(dt.date.fromisoformat)))
def test_the_sql_reports_say_what_the_in_memory_ones_said(
    recs: list[dict[str, Any]], changes: list[Any], account_nights: list[Any], since: dt.date | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = _store(recs, changes, account_nights, folder)
        try:
            for by in ("action", "rule"):
                assert repr(effectiveness(store, by, since)) == repr(_old_effectiveness(store, by, since))
            assert repr(rule_report(store, since)) == repr(_old_rule_report(store, since))
        finally:
            store.close()


def test_the_random_stores_reach_every_branch() -> None:
    """A store the strategies can make, by hand: treated people with windows, controls at the same stance, a
    dismissal's reasons written two ways, done advice with days to count."""
    recs = [
        {"person": ("a0", "c0"), "action": "visit", "rule": "r/1", "kind": "contact", "priority": 1.0,
         "status": "done", "status_at": "2026-11-05T00:00:00+00:00",
         "history": [("open", "new", "2026-11-02T10:00:00+00:00"), ("done", "", "2026-11-05T09:00:00+00:00")]},
        {"person": ("a0", "c1"), "action": "call", "rule": "r/2", "kind": "contact", "priority": 1.0,
         "status": "dismissed", "status_at": "2026-11-04T00:00:00+00:00",
         "history": [("open", "new", "2026-11-02T10:00:00+00:00"), ("dismissed", "Not relevant.", "2026-11-04T09:00:00+00:00"),
                     ("dismissed", "not  relevant", "2026-11-06T09:00:00+00:00")]},
    ]  # fmt: skip
    changes = [(("a0", "c0"), "2026-11-01", -1), (("a0", "c0"), "2026-11-08", 1), (("a0", "c2"), "2026-11-01", -1)]
    changes += [(("a1", "c0"), "2026-11-01", -1), (("a1", "c0"), "2026-11-09", 2)]
    account_nights = [(a, d) for a in ("a0", "a1") for d in ("2026-11-01", "2026-11-08", "2026-11-09")]
    with tempfile.TemporaryDirectory() as folder:
        store = _store(recs, changes, account_nights, folder)
        (effect,) = effectiveness(store)
        assert (effect.treated, effect.treated_change, effect.control, effect.control_change) == (1, 2, 2, 1.5)
        assert repr(effectiveness(store)) == repr(_old_effectiveness(store))
        uses = rule_report(store)
        assert [u.to_dict()["dismiss_reasons"] for u in uses] == [{}, {"not relevant": 2}]
        assert uses[0].days_to_done == 2.6 and repr(uses) == repr(_old_rule_report(store))
        store.close()
